import type * as tfc from '@tensorflow/tfjs-core';
import type { Dim } from '../ir';
import type { OnnxAttr } from '../engine/onnx-emitter';
import { float, floats, ints, nullable, oneOf, pair } from './attrs';
import { defineOp, ShapeError } from './op';
import { numel, positive, requireRank, resolveAxis } from './tensor-math';

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
  // ONNX's Resize by scales, in any stored layout: nearest as TensorFlow's (asymmetric, floor), bilinear with half-pixel centres.
  onnx: (g, [x], a) => {
    const logical = [1, a.size[0], a.size[1], 1];
    const scales = g.constant({ shape: [4], data: Float32Array.from(x.perm, (d) => logical[d]) }, 'scales');
    const attrs: Record<string, OnnxAttr> =
      a.interpolation === 'nearest'
        ? { mode: { string: 'nearest' }, coordinate_transformation_mode: { string: 'asymmetric' }, nearest_mode: { string: 'floor' } }
        : { mode: { string: 'linear' }, coordinate_transformation_mode: { string: 'half_pixel' } };
    return { name: g.node('Resize', [x.name, '', scales], attrs), perm: x.perm };
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
  onnx: (g, [x], a) => {
    const scaled = g.node('Mul', [x.name, g.scalar(a.scale, 'scale')]);
    return { name: a.offset ? g.node('Add', [scaled, g.scalar(a.offset, 'offset')]) : scaled, perm: x.perm };
  },
});

interface ResizeAttrs {
  mode: 'nearest' | 'linear' | 'cubic';
  by: 'scales' | 'sizes';
  scales: readonly number[] | null;
  sizes: readonly number[] | null;
  axes: readonly number[] | null;
  keepAspectRatioPolicy: 'stretch' | 'not_larger' | 'not_smaller';
}

/** Output length of each resized axis by ONNX's rules: floor(in·scale), or the sizes (fitted to one scale unless stretched). */
function resized(x: readonly Dim[], axes: readonly number[], operand: readonly number[], a: ResizeAttrs): Dim[] {
  const ins = axes.map((i) => x[i]);
  if (a.by === 'scales') return ins.map((d, k) => (d === null ? null : Math.floor(d * operand[k])));
  if (a.keepAspectRatioPolicy === 'stretch') return [...operand];
  if (ins.some((d) => d === null)) return ins.map(() => null);
  const ratios = operand.map((s, k) => s / (ins[k] as number));
  const scale = a.keepAspectRatioPolicy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  return ins.map((d) => Math.floor(scale * (d as number) + 0.5));
}

export const resize = defineOp<ResizeAttrs>({
  kind: 'Resize',
  family: 'resize',
  // FLOPs per output, k = the axes whose length changes: nearest 0; linear 2·(2^k − 1) (a lerp per
  // pair of neighbours: bilinear 6, as UpSampling2D); cubic 2·4^k (a weighted sum of 4^k taps).
  summary: 'Resamples to scales or sizes (ONNX Resize and Upsample, any layout): nearest, linear or cubic.',
  attrs: {
    mode: oneOf(['nearest', 'linear', 'cubic'] as const, 'nearest'),
    by: oneOf(['scales', 'sizes'] as const, 'scales'),
    scales: nullable(floats()),
    sizes: nullable(ints()),
    axes: nullable(ints()),
    keepAspectRatioPolicy: oneOf(['stretch', 'not_larger', 'not_smaller'] as const, 'stretch'),
  },
  arity: { min: 1, max: 2 },
  // IR input 1 is the scales or the sizes, as `by` says.
  operands: ['data', 'static'],
  label: (a) => `resize ${a.mode}`,
  shape: (inputs, a, values) => {
    const [x] = inputs;
    const axes = a.axes ? a.axes.map((d) => resolveAxis(d, x.length, 'Resize')) : x.map((_, i) => i);
    const operand = inputs.length > 1 ? values[1] : a.by === 'scales' ? a.scales : a.sizes;
    if (!operand) return x.map((d, i) => (axes.includes(i) ? null : d));
    if (operand.length !== axes.length) throw new ShapeError(`Resize: ${operand.length} ${a.by} for ${axes.length} axes`);
    if (operand.some((v) => !(v > 0))) throw new ShapeError(`Resize: ${a.by} must be positive, got ${JSON.stringify(operand)}`);
    const lengths = resized(x, axes, operand, a);
    const out: Dim[] = [...x];
    axes.forEach((axis, k) => (out[axis] = lengths[k]));
    return out;
  },
  flops: ([x], out, a) => {
    const k = out.filter((d, i) => d !== x[i]).length;
    if (a.mode === 'nearest') return 0;
    return numel(out) * (a.mode === 'linear' ? 2 * (2 ** k - 1) : 2 * 4 ** k);
  },
});

export default [upSampling2d, rescaling, resize];
