import type * as tfc from '@tensorflow/tfjs-core';
import { float, oneOf, pair } from './attrs';
import { defineOp } from './op';
import { numel, positive, requireRank } from './tensor-math';

// Resampling and value rescaling.

export const upSampling2d = defineOp<{ size: readonly [number, number]; interpolation: 'nearest' | 'bilinear' }>({
  kind: 'UpSampling2D',
  family: 'resize',
  summary: 'Repeats (nearest) or interpolates (bilinear) rows and columns by `size`.',
  attrs: { size: pair(2), interpolation: oneOf(['nearest', 'bilinear'] as const, 'nearest') },
  arity: { min: 1, max: 1 },
  label: (a) => `up ×${a.size[0] === a.size[1] ? a.size[0] : a.size.join('×')} ${a.interpolation}`,
  shape: ([x], a) => {
    requireRank(x, 4, 'UpSampling2D');
    a.size.forEach((s) => positive(s, 'size'));
    return [x[0], x[1] === null ? null : x[1] * a.size[0], x[2] === null ? null : x[2] * a.size[1], x[3]];
  },
  // Nearest copies; bilinear blends 4 neighbours with 3 lerps (2 FLOPs each) per output.
  flops: (_, out, a) => (a.interpolation === 'bilinear' ? 6 * numel(out) : 0),
  // Nearest repeats each row and column; bilinear is Keras's (TensorFlow 2's tf.image.resize: half-pixel
  // centres), which differs at the borders from tfjs-layers' own UpSampling2D (corner-aligned grid).
  run: (tf, [x], _, a) => {
    const [, h, w] = (x as tfc.Tensor4D).shape;
    const size: [number, number] = [h * a.size[0], w * a.size[1]];
    return a.interpolation === 'nearest' ? tf.image.resizeNearestNeighbor(x as tfc.Tensor4D, size) : tf.image.resizeBilinear(x as tfc.Tensor4D, size, false, true);
  },
});

export const rescaling = defineOp<{ scale: number; offset: number }>({
  kind: 'Rescaling',
  family: 'other',
  summary: 'x·scale + offset (e.g. pixels to [0, 1] or [-1, 1]).',
  attrs: { scale: float(), offset: float(0) },
  arity: { min: 1, max: 1 },
  label: (a) => `×${+a.scale.toPrecision(4)}${a.offset ? ` ${a.offset > 0 ? '+' : '−'} ${Math.abs(a.offset)}` : ''}`,
  shape: ([x]) => x,
  flops: (_, out, a) => numel(out) * (a.offset ? 2 : 1),
  run: (tf, [x], _, a) => (a.offset ? tf.add(tf.mul(x, a.scale), a.offset) : tf.mul(x, a.scale)),
});

export default [upSampling2d, rescaling];
