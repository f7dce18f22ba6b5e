import type { TensorShape } from '../ir';
import type { Dim } from '../ir';
import { OnnxExportError, type OnnxEmitter, type OnnxValue } from '../engine/onnx-emitter';
import { float, int, ints, nullable, oneOf, pads } from './attrs';
import { defineOp, ShapeError } from './op';
import { formatShape, requireRank, resolveAxis } from './tensor-math';

// Spatial padding and cropping (NHWC), and the N-D Pad of graph formats (ONNX Pad, any layout). Reflection padding is not a Keras built-in but is the
// standard custom layer of style-transfer networks (Johnson et al. pad the input by 40 px).

type Pads = readonly [readonly [number, number], readonly [number, number]];

function pad(x: TensorShape, p: Pads, sign: 1 | -1, what: string): TensorShape {
  requireRank(x, 4, what);
  if (p.flat().some((v) => v < 0)) throw new ShapeError(`${what} amounts must not be negative, got ${JSON.stringify(p)}`);
  const out = [x[0], ...[1, 2].map((i) => (x[i] === null ? null : (x[i] as number) + sign * (p[i - 1][0] + p[i - 1][1]))), x[3]];
  if (out.slice(1, 3).some((d) => d !== null && d < 1)) throw new ShapeError(`${what} of ${JSON.stringify(p)} leaves nothing of the input ${formatShape(x)}`);
  return out;
}

/** ONNX's Pad of H and W (IR axes 1 and 2) by `p`, in the input's stored layout. */
function onnxPad2d(g: OnnxEmitter, x: OnnxValue, p: Pads, mode: 'constant' | 'reflect'): OnnxValue {
  const begin = [0, p[0][0], p[1][0], 0];
  const end = [0, p[0][1], p[1][1], 0];
  const pads = g.int64s([...x.perm.map((d) => begin[d]), ...x.perm.map((d) => end[d])], 'pads');
  return { name: g.node('Pad', [x.name, pads], { mode: { string: mode } }), perm: x.perm };
}

const padLabel = (p: Pads): string => {
  const [[t, b], [l, r]] = p;
  return t === b && b === l && l === r ? String(t) : `${t},${b} / ${l},${r}`;
};

export const zeroPadding2d = defineOp<{ padding: Pads }>({
  kind: 'ZeroPadding2D',
  family: 'padding',
  summary: 'Pads height and width with zeros.',
  attrs: { padding: pads(1) },
  arity: { min: 1, max: 1 },
  label: (a) => `pad ${padLabel(a.padding)}`,
  shape: ([x], a) => pad(x, a.padding, 1, 'ZeroPadding2D'),
  flops: () => 0,
  run: (tf, [x], _, a) => tf.pad(x, [[0, 0], [...a.padding[0]], [...a.padding[1]], [0, 0]]),
  onnx: (g, [x], a) => onnxPad2d(g, x, a.padding, 'constant'),
});

export const reflectionPadding2d = defineOp<{ padding: Pads }>({
  kind: 'ReflectionPadding2D',
  family: 'padding',
  summary: 'Pads height and width by mirroring the border (style-transfer networks).',
  attrs: { padding: pads(1) },
  arity: { min: 1, max: 1 },
  label: (a) => `reflect ${padLabel(a.padding)}`,
  shape: ([x], a) => {
    const [[t, b], [l, r]] = a.padding;
    if (x[1] !== null && Math.max(t, b) >= x[1]) throw new ShapeError(`reflection padding ${Math.max(t, b)} must be smaller than the height ${x[1]}`);
    if (x[2] !== null && Math.max(l, r) >= x[2]) throw new ShapeError(`reflection padding ${Math.max(l, r)} must be smaller than the width ${x[2]}`);
    return pad(x, a.padding, 1, 'ReflectionPadding2D');
  },
  flops: () => 0,
  // Mirrors without repeating the border row (TensorFlow's REFLECT), as style-transfer networks pad.
  run: (tf, [x], _, a) => tf.mirrorPad(x, [[0, 0], [...a.padding[0]], [...a.padding[1]], [0, 0]], 'reflect'),
  // ONNX's reflect is TensorFlow's REFLECT (the border row is not repeated).
  onnx: (g, [x], a) => onnxPad2d(g, x, a.padding, 'reflect'),
});

export const cropping2d = defineOp<{ cropping: Pads }>({
  kind: 'Cropping2D',
  family: 'padding',
  summary: 'Crops rows and columns off the borders.',
  attrs: { cropping: pads(0) },
  arity: { min: 1, max: 1 },
  label: (a) => `crop ${padLabel(a.cropping)}`,
  shape: ([x], a) => pad(x, a.cropping, -1, 'Cropping2D'),
  flops: () => 0,
  run: (tf, [x], _, a) => {
    const [[t, b], [l, r]] = a.cropping;
    const [n, h, w, c] = x.shape;
    return tf.slice(x, [0, t, l, 0], [n, h - t - b, w - l - r, c]);
  },
  onnx: (g, [x], a, { inputShapes: [shape] }) => {
    const [[t, b], [l, r]] = a.cropping;
    const [h, w] = [shape[1] as number, shape[2] as number];
    const axes = g.int64s([1, 2].map((d) => x.perm.indexOf(d)), 'axes');
    return { name: g.node('Slice', [x.name, g.int64s([t, l], 'starts'), g.int64s([h - b, w - r], 'ends'), axes]), perm: x.perm };
  },
});

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

export const padNd = defineOp<{ pads: readonly number[] | null; mode: PadMode; value: number }>({
  kind: 'Pad',
  family: 'padding',
  // ONNX order: all begins, then all ends, over every axis (or over input 2's axes, opset 18); negative amounts crop.
  summary: 'Pads (or, with negative amounts, crops) any axes: `pads` = [begins…, ends…]; constant, reflect, edge or wrap.',
  attrs: { pads: nullable(ints()), mode: oneOf(['constant', 'reflect', 'edge', 'wrap'] as const, 'constant'), value: float(0) },
  arity: { min: 1, max: 3 },
  // IR inputs: data, pads, axes (the parser leaves the constant value in the attribute).
  operands: ['data', 'static', 'static'],
  label: (a) => `pad ${a.mode}`,
  shape: (inputs, a, values) => {
    const [x] = inputs;
    const amounts = inputs.length > 1 ? values[1] : a.pads;
    const axes = inputs.length > 2 ? values[2]?.map((d) => resolveAxis(d, x.length, 'Pad')) : x.map((_, i) => i);
    // Amounts or axes computed at run time: the rank stays, the padded lengths are unknown.
    if (!amounts || !axes) return x.map((): Dim => null);
    if (amounts.length !== 2 * axes.length) throw new ShapeError(`Pad: ${amounts.length} amounts for ${axes.length} axes (want begins then ends)`);
    const out: Dim[] = [...x];
    axes.forEach((axis, k) => {
      const d = x[axis];
      out[axis] = d === null ? null : d + amounts[k] + amounts[k + axes.length];
    });
    if (out.some((d) => d !== null && d < 0)) throw new ShapeError(`Pad of ${JSON.stringify(amounts)} crops more than the input ${formatShape(x)} has`);
    return out;
  },
  flops: () => 0,
  // Non-negative amounts over every axis, constant or reflect (TF.js has no edge or wrap padding).
  run: (tf, [x], _, a) => {
    const pads = a.pads;
    if (!pads || pads.length !== 2 * x.rank || pads.some((p) => p < 0)) throw new ShapeError(`Pad with amounts ${JSON.stringify(pads)} has no TensorFlow.js kernel here (non-negative begins and ends for every axis)`);
    const pairs = x.shape.map((_, i) => [pads[i], pads[i + x.rank]] as [number, number]);
    if (a.mode === 'constant') return tf.pad(x, pairs, a.value);
    if (a.mode === 'reflect') return tf.mirrorPad(x, pairs, 'reflect');
    throw new ShapeError(`Pad in ${a.mode} mode has no TensorFlow.js kernel`);
  },
  // The amounts in the input's stored layout: stored axis i is IR axis perm[i].
  onnx: (g, [x], a) => {
    if (!a.pads) throw new OnnxExportError('Pad with amounts computed at run time');
    if (a.mode === 'wrap' && g.opset < 19) throw new OnnxExportError('Pad in wrap mode needs opset 19');
    const rank = x.perm.length;
    const pads = g.int64s([...x.perm.map((d) => a.pads![d]), ...x.perm.map((d) => a.pads![d + rank])], 'pads');
    return { name: g.node('Pad', [x.name, pads, ...(a.mode === 'constant' ? [g.scalar(a.value, 'value')] : [])], { mode: { string: a.mode } }), perm: x.perm };
  },
});

/**
 * Caffe's Crop: the first input cut to the second's size on every axis from `axis` on, starting at
 * `offset` (one for all those axes, or one each); the second input gives only its shape (FCN's
 * upsampled scores cut to the image).
 */
export const cropLike = defineOp<{ axis: number; offset: readonly number[] }>({
  kind: 'CropLike',
  family: 'padding',
  summary: 'Cuts the first input to the second input’s size on the axes from `axis` on, at the given offsets (Caffe’s Crop).',
  attrs: { axis: int(2), offset: ints([0]) },
  arity: { min: 2, max: 2 },
  label: (a) => `crop at ${a.offset.join(',')}`,
  shape: ([x, like], a) => {
    if (like.length !== x.length) throw new ShapeError(`CropLike: the inputs have different ranks (${formatShape(x)} and ${formatShape(like)})`);
    const axis = resolveAxis(a.axis, x.length, 'CropLike');
    const count = x.length - axis;
    if (a.offset.length !== 1 && a.offset.length !== count) throw new ShapeError(`CropLike: ${a.offset.length} offsets for ${count} cropped axes; give one, or one per axis`);
    return x.map((d, i) => {
      if (i < axis) return d;
      const size = like[i];
      const offset = a.offset.length === 1 ? a.offset[0] : a.offset[i - axis];
      if (d !== null && size !== null && offset + size > d) throw new ShapeError(`CropLike: axis ${i} of ${formatShape(x)} is too short for ${size} from offset ${offset}`);
      return size;
    });
  },
  flops: () => 0,
});

export default [zeroPadding2d, reflectionPadding2d, cropping2d, padNd, cropLike];
