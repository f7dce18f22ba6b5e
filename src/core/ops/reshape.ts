import type { Dim, TensorShape } from '../ir';
import { identityPerm, OnnxExportError } from '../engine/onnx-emitter';
import { bool, float, int, ints, nullable } from './attrs';
import { defineOp, ShapeError, type Values } from './op';
import { formatShape, resolveAxis } from './tensor-math';
import { foldable, unflatten, stridesOf } from './values';

// Ops that move data without computing on it: Flatten, Reshape (Keras's per item, and the whole
// tensor's as graph formats write it), Transpose, Squeeze, Unsqueeze, and the training-only layers
// (Dropout and friends) that are the identity at inference. All cost 0 FLOPs.

/** Product of dims, null when one is unknown. */
const product = (dims: readonly Dim[]): Dim => (dims.some((d) => d === null) ? null : (dims as number[]).reduce((p, d) => p * d, 1));

/** Values pass through unchanged: the element order of a reshape is the input's. */
const passValues = (values: Values, _inputs: readonly TensorShape[], out: TensorShape): readonly number[] | undefined => (foldable(out) ? values[0] : undefined);

/**
 * A whole-tensor target shape resolved against the input: 0 copies the input's dimension there
 * (unless `allowzero`, where it is a real 0), one -1 takes what is left. The -1 is worked out from
 * the dimensions not copied, so a copied unknown batch does not make it unknown.
 */
export function resolveReshape(x: TensorShape, target: readonly number[], allowzero: boolean, what: string, shown: readonly number[] = target): TensorShape {
  if (target.filter((d) => d === -1).length > 1) throw new ShapeError(`${what}: target shape ${JSON.stringify(target)} has more than one -1`);
  if (target.some((d) => d < -1)) throw new ShapeError(`${what}: target shape ${JSON.stringify(target)} has a negative dimension`);
  const copies = (i: number) => target[i] === 0 && !allowzero;
  if (target.some((_, i) => copies(i) && i >= x.length)) throw new ShapeError(`${what}: target shape ${JSON.stringify(target)} copies a dimension the ${x.length}-D input ${formatShape(x)} does not have`);
  const out: Dim[] = target.map((d, i) => (copies(i) ? x[i] : d));
  const rest = product(x.filter((_, i) => !(i < target.length && copies(i))));
  const fixed = target.reduce((p, d, i) => (d === -1 || copies(i) ? p : p * d), 1);
  const hole = target.indexOf(-1);
  if (hole >= 0) {
    if (rest !== null && (fixed === 0 || rest % fixed !== 0)) throw new ShapeError(`cannot reshape ${formatShape(x)} to ${JSON.stringify(shown)}: ${rest} values do not divide into ${fixed}`);
    out[hole] = rest === null ? null : rest / fixed;
  } else if (rest !== null && rest !== fixed) {
    throw new ShapeError(`cannot reshape ${formatShape(x)} to ${JSON.stringify(shown)}: the sizes differ`);
  }
  return out;
}

export const flatten = defineOp<{ axis: number }>({
  kind: 'Flatten',
  family: 'reshape',
  // Keras flattens after the batch (axis 1); ONNX's axis may be any, 0 included.
  summary: 'Flattens to 2-D: [product of the axes before `axis`, product of the rest] (after the batch by default).',
  attrs: { axis: int(1) },
  arity: { min: 1, max: 1 },
  label: () => 'flatten',
  shape: ([x], a) => {
    const axis = a.axis < 0 ? a.axis + x.length : a.axis;
    if (axis < 0 || axis > x.length) throw new ShapeError(`Flatten: axis ${a.axis} is out of range for a ${x.length}-D input`);
    return [product(x.slice(0, axis)), product(x.slice(axis))];
  },
  fold: passValues,
  flops: () => 0,
  run: (tf, [x], _, a) => {
    const axis = a.axis < 0 ? a.axis + x.rank : a.axis;
    return tf.reshape(x, [x.shape.slice(0, axis).reduce((p, d) => p * d, 1), -1]);
  },
  // Element order is the IR's: flattened from the IR layout (NHWC for Keras, as Keras flattens).
  onnx: (g, [x], a) => ({ name: g.node('Flatten', [g.logical(x)], { axis: { int: a.axis } }), perm: identityPerm(2) }),
});

export const reshape = defineOp<{ targetShape: readonly number[] }>({
  kind: 'Reshape',
  family: 'reshape',
  summary: 'Reshapes each batch item to `target_shape` (one -1 is inferred).',
  attrs: { targetShape: ints() },
  arity: { min: 1, max: 1 },
  label: (a) => `→ ${a.targetShape.join('×')}`,
  shape: ([x], a) => {
    if (a.targetShape.some((d) => d === 0)) throw new ShapeError(`target_shape ${JSON.stringify(a.targetShape)} has a dimension that is not positive`);
    // The batch is kept: as a whole-tensor reshape that copies dimension 0.
    return resolveReshape(x, [0, ...a.targetShape], false, 'Reshape', a.targetShape);
  },
  flops: () => 0,
  run: (tf, [x], _, a) => tf.reshape(x, [x.shape[0], ...a.targetShape]),
  // ONNX's 0 copies the batch, whatever its size.
  onnx: (g, [x], a) => ({ name: g.node('Reshape', [g.logical(x), g.int64s([0, ...a.targetShape], 'shape')]), perm: identityPerm(a.targetShape.length + 1) }),
});

export const reshapeTo = defineOp<{ shape: readonly number[] | null; allowzero: boolean }>({
  kind: 'ReshapeTo',
  family: 'reshape',
  summary: 'Reshapes the whole tensor, batch included, to the shape operand (ONNX Reshape): 0 copies a dimension unless allowzero, one -1 is inferred.',
  attrs: { shape: nullable(ints()), allowzero: bool(false) },
  arity: { min: 1, max: 2 },
  operands: ['data', 'static'],
  label: (a) => (a.shape ? `→ ${a.shape.join('×')}` : 'reshape'),
  shape: ([x, target], a, values) => {
    const wanted = values[1] ?? a.shape;
    if (wanted) return resolveReshape(x, wanted, a.allowzero, 'ReshapeTo');
    // The target is computed and not folded: its length gives the rank, the dimensions stay unknown.
    const rank = target?.[0];
    if (target?.length !== 1 || rank === null || rank === undefined) throw new ShapeError('ReshapeTo: neither the target shape nor its length is known');
    return new Array<Dim>(rank).fill(null);
  },
  fold: passValues,
  flops: () => 0,
  run: (tf, [x], _, a) => {
    if (!a.shape) throw new ShapeError('ReshapeTo with a target shape computed at run time');
    return tf.reshape(x, resolveReshape(x.shape, a.shape, a.allowzero, 'ReshapeTo') as number[]);
  },
  // The target as the graph format read it (a TF.js graph's Const); one computed at run time has no static form.
  onnx: (g, [x], a) => {
    if (!a.shape) throw new OnnxExportError('ReshapeTo with a target shape computed at run time');
    const zero = a.allowzero && a.shape.includes(0) ? { allowzero: { int: 1 } } : undefined;
    return { name: g.node('Reshape', [g.logical(x), g.int64s(a.shape, 'shape')], zero), perm: identityPerm(a.shape.length) };
  },
});

/** Transposed values of a small known tensor. */
function transposeValues(v: readonly number[], x: readonly number[], perm: readonly number[], out: readonly number[]): number[] {
  const strides = stridesOf(x);
  return Array.from({ length: v.length }, (_, flat) => {
    const index = unflatten(flat, out);
    return v[index.reduce((at, d, i) => at + d * strides[perm[i]], 0)];
  });
}

const permOf = (rank: number, perm: readonly number[] | null): readonly number[] => perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);

export const transpose = defineOp<{ perm: readonly number[] | null }>({
  kind: 'Transpose',
  family: 'reshape',
  summary: 'Permutes the axes by `perm` (reversed by default).',
  attrs: { perm: nullable(ints()) },
  arity: { min: 1, max: 1 },
  label: (a) => (a.perm ? `perm ${a.perm.join(',')}` : 'transpose'),
  shape: ([x], a) => {
    const perm = permOf(x.length, a.perm);
    if (perm.length !== x.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw new ShapeError(`Transpose: perm ${JSON.stringify(perm)} is not a permutation of the ${x.length} axes of ${formatShape(x)}`);
    return perm.map((p) => x[p]);
  },
  fold: ([v], [x], out, a) => (v && foldable(out) && foldable(x) ? transposeValues(v, x, permOf(x.length, a.perm), out) : undefined),
  flops: () => 0,
  run: (tf, [x], _, a) => tf.transpose(x, a.perm ? [...a.perm] : undefined),
  onnx: (g, [x], a, { inputShapes: [shape] }) => ({ name: g.node('Transpose', [g.logical(x)], { perm: { ints: permOf(shape.length, a.perm) } }), perm: identityPerm(shape.length) }),
});

/** The axes operand of Squeeze / Unsqueeze: the attribute (older opsets) or input 1's value (opset 13+). */
function axesOperand(inputs: readonly TensorShape[], values: Values, attr: readonly number[] | null, what: string): readonly number[] | null {
  if (inputs.length < 2) return attr;
  if (!values[1]) throw new ShapeError(`${what}: the axes input is computed and its value is not known`);
  return values[1];
}

export const squeeze = defineOp<{ axes: readonly number[] | null }>({
  kind: 'Squeeze',
  family: 'reshape',
  summary: 'Removes axes of length 1 (those in `axes`, or all of them).',
  attrs: { axes: nullable(ints()) },
  arity: { min: 1, max: 2 },
  operands: ['data', 'static'],
  label: () => 'squeeze',
  shape: (inputs, a, values) => {
    const [x] = inputs;
    const axes = axesOperand(inputs, values, a.axes, 'Squeeze');
    if (!axes) {
      if (x.includes(null)) throw new ShapeError(`Squeeze without axes on ${formatShape(x)}: which unknown dimensions are 1 is not known`);
      return x.filter((d) => d !== 1);
    }
    const drop = new Set(axes.map((d) => resolveAxis(d, x.length, 'Squeeze')));
    for (const i of drop) if (x[i] !== null && x[i] !== 1) throw new ShapeError(`Squeeze: axis ${i} of ${formatShape(x)} has length ${x[i]}, not 1`);
    return x.filter((_, i) => !drop.has(i));
  },
  fold: passValues,
  flops: () => 0,
  run: (tf, [x], _, a) => tf.squeeze(x, a.axes ? a.axes.map((d) => resolveAxis(d, x.rank, 'Squeeze')) : undefined),
  // Opset 13 on (the exporter's range) takes the axes as an input.
  onnx: (g, [x], a, { outputShape }) => ({ name: g.node('Squeeze', [g.logical(x), ...(a.axes ? [g.int64s(a.axes, 'axes')] : [])]), perm: identityPerm(outputShape.length) }),
});

export const unsqueeze = defineOp<{ axes: readonly number[] | null }>({
  kind: 'Unsqueeze',
  family: 'reshape',
  summary: 'Inserts axes of length 1 at `axes` (positions in the output).',
  attrs: { axes: nullable(ints()) },
  arity: { min: 1, max: 2 },
  operands: ['data', 'static'],
  label: () => 'unsqueeze',
  shape: (inputs, a, values) => {
    const [x] = inputs;
    const axes = axesOperand(inputs, values, a.axes, 'Unsqueeze');
    if (!axes) throw new ShapeError('Unsqueeze needs its axes');
    const rank = x.length + axes.length;
    const added = new Set(axes.map((d) => resolveAxis(d, rank, 'Unsqueeze')));
    if (added.size !== axes.length) throw new ShapeError(`Unsqueeze: axes ${JSON.stringify(axes)} repeat an axis`);
    const rest = [...x];
    return Array.from({ length: rank }, (_, i) => (added.has(i) ? 1 : rest.shift()!));
  },
  fold: passValues,
  flops: () => 0,
  run: (tf, [x], _, a) => {
    if (!a.axes) throw new ShapeError('Unsqueeze with axes computed at run time');
    const rank = x.rank + a.axes.length;
    return a.axes.map((d) => resolveAxis(d, rank, 'Unsqueeze')).sort((p, q) => p - q).reduce((y, axis) => tf.expandDims(y, axis), x);
  },
  onnx: (g, [x], a, { outputShape }) => {
    if (!a.axes) throw new OnnxExportError('Unsqueeze with axes computed at run time');
    return { name: g.node('Unsqueeze', [g.logical(x), g.int64s(a.axes, 'axes')]), perm: identityPerm(outputShape.length) };
  },
});

export const dropout = defineOp<{ rate: number }>({
  kind: 'Dropout',
  family: 'regularization',
  summary: 'Randomly zeroes inputs while training; the identity at inference.',
  attrs: { rate: float(0.5) },
  arity: { min: 1, max: 1 },
  label: (a) => `dropout ${a.rate}`,
  shape: ([x], a) => {
    if (a.rate < 0 || a.rate >= 1) throw new ShapeError(`rate must be in [0, 1), got ${a.rate}`);
    return x;
  },
  flops: () => 0,
  run: (_tf, [x]) => x,
  onnx: (_g, [x]) => x,
});

export const identity = defineOp<Record<string, never>>({
  kind: 'Identity',
  family: 'other',
  summary: 'Passes its input through unchanged (noise and regularisation layers at inference).',
  attrs: {},
  arity: { min: 1, max: 1 },
  label: () => 'identity',
  shape: ([x]) => x,
  fold: passValues,
  flops: () => 0,
  run: (_tf, [x]) => x,
  onnx: (_g, [x]) => x,
});

export default [flatten, reshape, reshapeTo, transpose, squeeze, unsqueeze, dropout, identity];
