import type { Dim, TensorShape } from '../ir';
import { float, int, ints, nullable, string } from './attrs';
import { defineOp, ShapeError, type Values } from './op';
import { broadcastShapes, formatShape, numel, resolveAxis } from './tensor-math';
import { dimsValue, foldable, foldBroadcast, isKnownShape, scalarOf, stridesOf, unflatten } from './values';

// The tensor plumbing graph formats write around the layers (ONNX Shape, Gather, Slice, Expand,
// ConstantOfShape, Range, Cast, Split, Tile): cheap at run time, but exporters compute the shapes of
// Reshape and Resize with them, so each folds its value where its inputs' values are known.
// FLOPs: 0 (they move or make data; none computes on it).

export const shapeOf = defineOp<{ start: number; end: number | null }>({
  kind: 'Shape',
  family: 'other',
  summary: 'The input’s dimensions as a 1-D tensor (those from `start` to `end`).',
  attrs: { start: int(0), end: nullable(int()) },
  arity: { min: 1, max: 1 },
  label: () => 'shape',
  shape: ([x], a) => [range(x.length, a).length],
  fold: (_, [x], __, a) => dimsValue(range(x.length, a).map((i) => x[i])),
  flops: () => 0,
});

/** The axes Shape reports: start and end clamp to the rank, negatives count from the end. */
function range(rank: number, a: { start: number; end: number | null }): number[] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const [from, to] = [clamp(a.start), clamp(a.end ?? rank)];
  return Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i);
}

export const size = defineOp<Record<string, never>>({
  kind: 'Size',
  family: 'other',
  summary: 'The number of elements of the input, as a scalar.',
  attrs: {},
  arity: { min: 1, max: 1 },
  label: () => 'size',
  shape: () => [],
  fold: (_, [x]) => (isKnownShape(x) ? [numel(x)] : undefined),
  flops: () => 0,
});

export const gather = defineOp<{ axis: number }>({
  kind: 'Gather',
  family: 'other',
  summary: 'Picks entries along `axis` by index (embeddings, one dimension of a shape).',
  attrs: { axis: int(0) },
  arity: { min: 2, max: 2 },
  operands: ['data', 'static'],
  label: (a) => `gather @${a.axis}`,
  shape: ([data, indices], a) => {
    const axis = resolveAxis(a.axis, data.length, 'Gather');
    return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  },
  fold: ([v, picks], [data], out, a) => {
    if (!v || !picks || !foldable(out) || !isKnownShape(data) || v.length !== numel(data)) return undefined;
    const axis = resolveAxis(a.axis, data.length, 'Gather');
    const dim = data[axis];
    if (picks.some((p) => p < -dim || p >= dim)) return undefined;
    const strides = stridesOf(data);
    const before = axis;
    const pickRank = out.length - data.length + 1;
    return Array.from({ length: numel(out) }, (_, flat) => {
      const index = unflatten(flat, out);
      const pickIndex = index.slice(before, before + pickRank);
      const pickFlat = pickIndex.reduce((at, d, i) => at * out[before + i] + d, 0);
      const picked = (picks[pickFlat] + dim) % dim;
      const source = [...index.slice(0, before), picked, ...index.slice(before + pickRank)];
      return v[source.reduce((at, d, i) => at + d * strides[i], 0)];
    });
  },
  flops: () => 0,
});

interface SliceAttrs {
  starts: readonly number[] | null;
  ends: readonly number[] | null;
  axes: readonly number[] | null;
  steps: readonly number[] | null;
}

/** Length of one sliced axis, by ONNX's clamping rules (negative bounds count from the end; a huge end means "to the end"). */
function sliceLength(dim: number, start: number, end: number, step: number): [number, number] {
  if (step === 0) throw new ShapeError('Slice: a step of 0');
  let [s, e] = [start < 0 ? start + dim : start, end < 0 ? end + dim : end];
  if (step > 0) [s, e] = [Math.min(Math.max(s, 0), dim), Math.min(Math.max(e, 0), dim)];
  else [s, e] = [Math.min(Math.max(s, 0), dim - 1), Math.min(Math.max(e, -1), dim - 1)];
  return [s, Math.max(Math.ceil((e - s) / step), 0)];
}

/** Starts, ends, axes and steps: attributes (opset < 10) or inputs 1-4; undefined where not known. */
function sliceSpec(inputs: readonly TensorShape[], a: SliceAttrs, values: Values) {
  if (a.starts && a.ends) return { starts: a.starts, ends: a.ends, axes: a.axes ?? a.starts.map((_, i) => i), steps: a.steps ?? a.starts.map(() => 1) };
  const [starts, ends] = [values[1], values[2]];
  const axes = inputs.length > 3 ? values[3] : starts?.map((_, i) => i);
  const steps = inputs.length > 4 ? values[4] : starts?.map(() => 1);
  return starts && ends && axes && steps ? { starts, ends, axes, steps } : undefined;
}

export const slice = defineOp<SliceAttrs>({
  kind: 'Slice',
  family: 'reshape',
  summary: 'Takes start:end:step along some axes (ONNX Slice; numpy clamping).',
  attrs: { starts: nullable(ints()), ends: nullable(ints()), axes: nullable(ints()), steps: nullable(ints()) },
  arity: { min: 1, max: 5 },
  operands: ['data', 'static', 'static', 'static', 'static'],
  label: () => 'slice',
  shape: (inputs, a, values) => {
    const [x] = inputs;
    const spec = sliceSpec(inputs, a, values);
    if (!spec) {
      // Bounds computed at run time: the rank stays, the sliced axes' lengths are unknown (all, when the axes are).
      const axes = inputs.length > 3 ? values[3] : undefined;
      return x.map((d, i) => (axes && !axes.some((ax) => resolveAxis(ax, x.length, 'Slice') === i) ? d : null));
    }
    const out: Dim[] = [...x];
    spec.axes.forEach((ax, k) => {
      const axis = resolveAxis(ax, x.length, 'Slice');
      const dim = x[axis];
      out[axis] = dim === null ? null : sliceLength(dim, spec.starts[k], spec.ends[k], spec.steps[k])[1];
    });
    return out;
  },
  // Shape vectors are 1-D: fold those.
  fold: (values, inputs, out, a) => {
    const v = values[0];
    const spec = sliceSpec(inputs, a, values);
    if (!v || !spec || inputs[0].length !== 1 || !foldable(out) || spec.axes.length !== 1) return undefined;
    const [start, length] = sliceLength(v.length, spec.starts[0], spec.ends[0], spec.steps[0]);
    return Array.from({ length }, (_, i) => v[start + i * spec.steps[0]]);
  },
  flops: () => 0,
});

export const expand = defineOp<Record<string, never>>({
  kind: 'Expand',
  family: 'reshape',
  summary: 'Broadcasts the input to a shape (numpy rules, both ways).',
  attrs: {},
  arity: { min: 2, max: 2 },
  operands: ['data', 'static'],
  label: () => 'expand',
  shape: ([x, target], _, values) => {
    if (values[1]) return broadcastShapes([x, values[1]], 'Expand');
    const length = target[0];
    if (length === null) throw new ShapeError('Expand: neither the target shape nor its length is known');
    // Unknown target: only the input's own dimensions above 1 are sure to survive.
    const rank = Math.max(length, x.length);
    return Array.from({ length: rank }, (_, i) => {
      const d = x[i - (rank - x.length)];
      return d !== undefined && d !== null && d > 1 ? d : null;
    });
  },
  fold: ([v], [x], out) => foldBroadcast([v], [x], out, (p) => p),
  flops: () => 0,
});

/** The shape given by a 1-D shape operand: its value, or (unknown) as many unknown dims as it has entries. */
function shapeOperand(operand: TensorShape, value: readonly number[] | undefined, what: string): TensorShape {
  if (value) return value;
  const length = operand[0];
  if (operand.length !== 1 || length === null) throw new ShapeError(`${what}: the shape operand ${formatShape(operand)} has an unknown length`);
  return new Array<Dim>(length).fill(null);
}

export const constantOfShape = defineOp<{ value: number }>({
  kind: 'ConstantOfShape',
  family: 'other',
  summary: 'A tensor of the given shape filled with `value`.',
  attrs: { value: float(0) },
  arity: { min: 1, max: 1 },
  operands: ['static'],
  label: (a) => `fill ${a.value}`,
  shape: ([s], _, values) => shapeOperand(s, values[0], 'ConstantOfShape'),
  fold: (_, __, out, a) => (foldable(out) ? new Array<number>(numel(out)).fill(a.value) : undefined),
  flops: () => 0,
});

export const rangeOp = defineOp<Record<string, never>>({
  kind: 'Range',
  family: 'other',
  summary: 'start, start + delta, … up to limit (exclusive).',
  attrs: {},
  arity: { min: 3, max: 3 },
  operands: ['static', 'static', 'static'],
  label: () => 'range',
  shape: (_, __, values) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => scalarOf(values[i]));
    if (start === undefined || limit === undefined || delta === undefined) return [null];
    if (delta === 0) throw new ShapeError('Range: delta is 0');
    return [Math.max(Math.ceil((limit - start) / delta), 0)];
  },
  fold: (values, _, out) => {
    const [start, , delta] = [0, 1, 2].map((i) => scalarOf(values[i]));
    return foldable(out) && start !== undefined && delta !== undefined ? Array.from({ length: out[0] }, (_, i) => start + i * delta) : undefined;
  },
  flops: () => 0,
});

const INTEGER_TYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'int4', 'uint4']);

export const cast = defineOp<{ to: string }>({
  kind: 'Cast',
  family: 'other',
  summary: 'Converts to another element type (`to`); integers truncate toward zero, bool is 0 or 1.',
  attrs: { to: string('float32') },
  arity: { min: 1, max: 1 },
  label: (a) => `→ ${a.to}`,
  shape: ([x]) => x,
  fold: ([v], _, out, a) => {
    if (!v || !foldable(out)) return undefined;
    if (INTEGER_TYPES.has(a.to)) return v.map(Math.trunc);
    return a.to === 'bool' ? v.map((p) => (p ? 1 : 0)) : v;
  },
  flops: () => 0,
});

interface SplitAttrs {
  axis: number;
  split: readonly number[] | null;
  numOutputs: number | null;
}

/** The lengths of the parts: given (attribute or input 1), or `numOutputs` parts of ceil(length / n), the last one shorter. */
function splitParts(x: TensorShape, a: SplitAttrs, inputs: readonly TensorShape[], values: Values): Dim[] {
  const dim = x[resolveAxis(a.axis, x.length, 'Split')];
  const given = inputs.length > 1 ? values[1] : a.split;
  if (inputs.length > 1 && !given) {
    const parts = inputs[1][0];
    if (parts === null) throw new ShapeError('Split: the split operand has an unknown length');
    return new Array<Dim>(parts).fill(null);
  }
  if (given) {
    // A last part of −1 is the rest of the axis (Caffe's Slice gives cut points, not lengths).
    const rest = given.length > 0 && given[given.length - 1] === -1;
    const known = rest ? given.slice(0, -1) : given;
    const sum = known.reduce((p, q) => p + q, 0);
    if (known.some((p) => p < 0)) throw new ShapeError(`Split: parts ${JSON.stringify(given)} must not be negative (only a last −1, for the rest)`);
    if (rest) {
      if (dim !== null && sum >= dim) throw new ShapeError(`Split: parts ${JSON.stringify(known)} leave nothing of ${dim} for the last part`);
      return [...known, dim === null ? null : dim - sum];
    }
    if (dim !== null && sum !== dim) throw new ShapeError(`Split: parts ${JSON.stringify(given)} do not add up to ${dim}`);
    return [...given];
  }
  if (!a.numOutputs) throw new ShapeError('Split: neither the parts nor their number is known');
  const n = a.numOutputs;
  if (dim === null) return new Array<Dim>(n).fill(null);
  const chunk = Math.ceil(dim / n);
  if (chunk * (n - 1) >= dim && n > 1) throw new ShapeError(`Split: ${dim} cannot be split into ${n} parts`);
  return Array.from({ length: n }, (_, i) => (i < n - 1 ? chunk : dim - chunk * (n - 1)));
}

const splitShapes = (inputs: readonly TensorShape[], a: SplitAttrs, values: Values): TensorShape[] => {
  const [x] = inputs;
  const axis = resolveAxis(a.axis, x.length, 'Split');
  return splitParts(x, a, inputs, values).map((part) => x.map((d, i) => (i === axis ? part : d)));
};

export const split = defineOp<SplitAttrs>({
  kind: 'Split',
  family: 'reshape',
  summary: 'Cuts the input into parts along `axis` (given lengths, or equal parts).',
  attrs: { axis: int(0), split: nullable(ints()), numOutputs: nullable(int()) },
  arity: { min: 1, max: 2 },
  operands: ['data', 'static'],
  label: () => 'split',
  shape: (inputs, a, values) => splitShapes(inputs, a, values)[0],
  shapes: splitShapes,
  flops: () => 0,
});

export const tile = defineOp<Record<string, never>>({
  kind: 'Tile',
  family: 'reshape',
  summary: 'Repeats the input `repeats` times along each axis.',
  attrs: {},
  arity: { min: 2, max: 2 },
  operands: ['data', 'static'],
  label: () => 'tile',
  shape: ([x], _, values) => {
    const repeats = values[1];
    if (!repeats) return x.map(() => null);
    if (repeats.length !== x.length) throw new ShapeError(`Tile: ${repeats.length} repeats for a ${x.length}-D input`);
    return x.map((d, i) => (d === null ? null : d * repeats[i]));
  },
  flops: () => 0,
});

export default [shapeOf, size, gather, slice, expand, constantOfShape, rangeOp, cast, split, tile];
