import type { TensorShape } from '../ir';
import { bool, int, ints, nullable } from './attrs';
import { OnnxExportError, physicalAxis, identityPerm } from '../engine/onnx-emitter';
import { defineOp, ShapeError, type OpDef, type Values } from './op';
import { formatShape, numel, resolveAxis } from './tensor-math';
import { foldable, isKnownShape, unflatten } from './values';

// Reductions over axes (ONNX ReduceMean — global pooling as torchvision's and paddle's exports
// write it —, ReduceSum, ReduceMax, ReduceMin, ReduceProd) and ArgMax/ArgMin. The axes are an
// attribute in older opsets (ReduceSum < 13, the others < 18) and input 1 after.

interface Reduce {
  axes: readonly number[] | null;
  keepdims: boolean;
  noopWithEmptyAxes: boolean;
}

/** The reduced axes, resolved; all of them when none are given (unless noop_with_empty_axes). */
function reducedAxes(inputs: readonly TensorShape[], a: Reduce, values: Values, what: string): number[] {
  const [x] = inputs;
  // An empty axes tensor says "no axes" by its shape alone.
  const given = inputs.length > 1 ? values[1] ?? (inputs[1][0] === 0 ? [] : undefined) : a.axes;
  if (inputs.length > 1 && !given) throw new ShapeError(`${what}: the axes input is computed and its value is not known`);
  const axes = given ?? [];
  if (axes.length === 0) return a.noopWithEmptyAxes ? [] : x.map((_, i) => i);
  return [...new Set(axes.map((d) => resolveAxis(d, x.length, what)))];
}

function reducedShape(x: TensorShape, axes: readonly number[], keepdims: boolean): TensorShape {
  return keepdims ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
}

/** A reduction's values on a small known input: each output position combines its slice with `f`. */
function foldReduce(v: readonly number[] | undefined, x: TensorShape, axes: readonly number[], out: TensorShape, f: (xs: number[]) => number): number[] | undefined {
  if (!v || !foldable(out) || !isKnownShape(x) || v.length !== numel(x)) return undefined;
  const groups = Array.from({ length: numel(out) }, () => [] as number[]);
  const kept = reducedShape(x, axes, true) as number[];
  v.forEach((value, flat) => {
    const index = unflatten(flat, x).map((d, i) => (axes.includes(i) ? 0 : d));
    groups[index.reduce((at, d, i) => at * kept[i] + d, 0)].push(value);
  });
  return groups.map(f);
}

/**
 * One reduction. FLOPs per reduced input element: one add (or comparison, or multiply), less one
 * per output; the mean adds one divide per output, so it counts one per input element.
 */
type Reducer = 'mean' | 'sum' | 'max' | 'min' | 'prod';

const reduction = (kind: string, summary: string, f: (xs: number[]) => number, divides: boolean, tfjs: Reducer): OpDef<Reduce> =>
  defineOp<Reduce>({
    kind,
    family: 'pool',
    summary,
    attrs: { axes: nullable(ints()), keepdims: bool(true), noopWithEmptyAxes: bool(false) },
    arity: { min: 1, max: 2 },
    operands: ['data', 'static'],
    label: (a) => `${kind.slice(6).toLowerCase()}${a.axes ? ` @${a.axes.join(',')}` : ''}`,
    shape: (inputs, a, values) => reducedShape(inputs[0], reducedAxes(inputs, a, values, kind), a.keepdims),
    fold: (values, inputs, out, a) => foldReduce(values[0], inputs[0], reducedAxes(inputs, a, values, kind), out, f),
    flops: ([x], out) => numel(x) - (divides ? 0 : numel(out)),
    // Axes from the attribute (a graph format's folded operand); an axes input computed at run time has no kernel here.
    run: (tf, [x], _, a) => {
      const axes = reducedAxes([x.shape], a, [], kind);
      return axes.length ? tf[tfjs](x, axes, a.keepdims) : x;
    },
    // Over the axes where they are stored (keepdims keeps the layout); without keepdims, over the IR's layout.
    onnx: (g, [x], a, { inputShapes: [shape] }) => {
      if (!a.axes && !a.noopWithEmptyAxes && shape.length !== x.perm.length) throw new OnnxExportError(`${kind} over axes computed at run time`);
      const axes = reducedAxes([shape], a, [], kind);
      const stored = a.keepdims ? { name: x.name, axes: axes.map((d) => physicalAxis(x.perm, d)), perm: x.perm } : { name: g.logical(x), axes, perm: identityPerm(shape.length - axes.length) };
      const keepdims = { keepdims: { int: a.keepdims ? 1 : 0 } };
      // The axes moved from an attribute to an input in opset 13 (ReduceSum) and 18 (the others).
      const asInput = g.opset >= (kind === 'ReduceSum' ? 13 : 18);
      const y = asInput ? g.node(kind, [stored.name, g.int64s(stored.axes, 'axes')], keepdims) : g.node(kind, [stored.name], { axes: { ints: stored.axes }, ...keepdims });
      return { name: y, perm: stored.perm };
    },
  });

const sum = (xs: number[]) => xs.reduce((p, q) => p + q, 0);
export const reduceMean = reduction('ReduceMean', 'Mean over `axes` (all by default).', (xs) => sum(xs) / xs.length, true, 'mean');
export const reduceSum = reduction('ReduceSum', 'Sum over `axes` (all by default).', sum, false, 'sum');
export const reduceMax = reduction('ReduceMax', 'Maximum over `axes` (all by default).', (xs) => Math.max(...xs), false, 'max');
export const reduceMin = reduction('ReduceMin', 'Minimum over `axes` (all by default).', (xs) => Math.min(...xs), false, 'min');
export const reduceProd = reduction('ReduceProd', 'Product over `axes` (all by default; exporters take the element count of a shape so).', (xs) => xs.reduce((p, q) => p * q, 1), false, 'prod');

interface Arg {
  axis: number;
  keepdims: boolean;
  selectLastIndex: boolean;
}

/** ArgMax / ArgMin: the index of the extreme along one axis; one comparison per input element. */
const argReduction = (kind: string, summary: string): OpDef<Arg> =>
  defineOp<Arg>({
    kind,
    family: 'other',
    summary,
    attrs: { axis: int(0), keepdims: bool(true), selectLastIndex: bool(false) },
    arity: { min: 1, max: 1 },
    label: (a) => `${kind.toLowerCase()} @${a.axis}`,
    shape: ([x], a) => {
      if (x.length === 0) throw new ShapeError(`${kind} of a scalar ${formatShape(x)}`);
      return reducedShape(x, [resolveAxis(a.axis, x.length, kind)], a.keepdims);
    },
    flops: ([x]) => numel(x),
  });

export const argMax = argReduction('ArgMax', 'Index of the maximum along `axis` (a classifier’s label).');
export const argMin = argReduction('ArgMin', 'Index of the minimum along `axis`.');

export default [reduceMean, reduceSum, reduceMax, reduceMin, reduceProd, argMax, argMin];
