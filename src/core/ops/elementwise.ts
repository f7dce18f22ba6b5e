import type * as tfc from '@tensorflow/tfjs-core';
import type { TensorShape } from '../ir';
import { defineOp, type OpDef } from './op';
import { broadcastShapes, numel } from './tensor-math';
import { foldBroadcast } from './values';

// Element-wise math beyond Keras's merges, as graph formats write it (ONNX Div, Pow, Sqrt, Equal,
// Where, …): numpy broadcasting, and folding where exporters compute shapes with them. FLOPs: one
// per output element for each operation (transcendentals count as one, as activations do).

const sameShape = ([x]: readonly TensorShape[]): TensorShape => x;

/** A one-input op with its per-element function (folded on known values) and its TF.js kernel. */
const unary = (kind: string, summary: string, f: (x: number) => number, run: (tf: typeof tfc, x: tfc.Tensor) => tfc.Tensor): OpDef<Record<string, never>> =>
  defineOp<Record<string, never>>({
    kind,
    family: 'other',
    summary: `${summary} 1 FLOP per element.`,
    attrs: {},
    arity: { min: 1, max: 1 },
    label: () => kind.toLowerCase(),
    shape: sameShape,
    fold: ([x]) => x?.map(f),
    flops: (_, out) => numel(out),
    run: (tf, [x]) => run(tf, x),
    // Element by element: any stored layout will do. The kinds are ONNX's own names (ONNX's Not takes booleans, which the engine's float graphs do not carry).
    onnx: kind === 'Not' ? undefined : (g, [x]) => ({ name: g.node(kind, [x.name]), perm: x.perm }),
  });

export const sqrt = unary('Sqrt', 'Square root.', Math.sqrt, (tf, x) => tf.sqrt(x));
export const neg = unary('Neg', 'Negation.', (x) => -x, (tf, x) => tf.neg(x));
export const abs = unary('Abs', 'Absolute value.', Math.abs, (tf, x) => tf.abs(x));
export const log = unary('Log', 'Natural logarithm.', Math.log, (tf, x) => tf.log(x));
export const reciprocal = unary('Reciprocal', '1 / x.', (x) => 1 / x, (tf, x) => tf.reciprocal(x));
export const floor = unary('Floor', 'Rounds down.', Math.floor, (tf, x) => tf.floor(x));
export const ceil = unary('Ceil', 'Rounds up.', Math.ceil, (tf, x) => tf.ceil(x));
export const not = unary('Not', 'Logical not (1 where the input is 0).', (x) => (x ? 0 : 1), (tf, x) => tf.logicalNot(tf.cast(x, 'bool')));
// Erf has no closed form to fold with, and the shape arithmetic exporters emit never uses it.
export const erf = defineOp<Record<string, never>>({
  kind: 'Erf',
  family: 'activation',
  summary: 'The error function (exported GELU is x·½·(1 + erf(x/√2))); 1 FLOP per element.',
  attrs: {},
  arity: { min: 1, max: 1 },
  label: () => 'erf',
  shape: sameShape,
  flops: (_, out) => numel(out),
  run: (tf, [x]) => tf.erf(x),
});

/** A broadcasting op of exactly `arity` inputs whose values fold through `f` (undefined: not folded). */
const broadcasting = (kind: string, summary: string, symbol: string, arity: number, f: (...xs: number[]) => number | undefined, run: (tf: typeof tfc, xs: readonly tfc.Tensor[]) => tfc.Tensor, onnxName?: string): OpDef<Record<string, never>> =>
  defineOp<Record<string, never>>({
    kind,
    family: 'merge',
    summary: `${summary} Numpy broadcasting; 1 FLOP per output element.`,
    attrs: {},
    arity: { min: arity, max: arity },
    label: () => symbol,
    shape: (inputs) => broadcastShapes(inputs, kind),
    fold: (values, inputs, out) => {
      const folded = foldBroadcast(values, inputs, out, (...xs) => f(...xs) ?? NaN);
      return folded?.some(Number.isNaN) ? undefined : folded;
    },
    flops: (_, out) => numel(out),
    run: (tf, xs) => run(tf, xs),
    onnx: onnxName ? (g, inputs, _, { inputShapes }) => {
      const { names, perm } = g.aligned(inputs, inputShapes);
      return { name: g.node(onnxName, names), perm };
    } : undefined,
  });

/**
 * Folded only where integer and true division agree (ONNX divides int64 shape values by truncation,
 * floats exactly, and a value carries no dtype here): a quotient of integers that is not whole stays unknown.
 */
const exactQuotient = (p: number, q: number): number | undefined => {
  const quotient = p / q;
  return Number.isInteger(p) && Number.isInteger(q) && !Number.isInteger(quotient) ? undefined : quotient;
};

export const divide = broadcasting('Divide', 'Element-wise quotient.', '÷', 2, exactQuotient, (tf, [p, q]) => tf.div(p, q), 'Div');
export const power = broadcasting('Power', 'Element-wise power.', '^', 2, Math.pow, (tf, [p, q]) => tf.pow(p, q), 'Pow');
export const equal = broadcasting('Equal', 'Element-wise equality (1 or 0).', '=', 2, (p, q) => (p === q ? 1 : 0), (tf, [p, q]) => tf.equal(p, q));
export const less = broadcasting('Less', 'Element-wise p < q (1 or 0).', '<', 2, (p, q) => (p < q ? 1 : 0), (tf, [p, q]) => tf.less(p, q));
export const greater = broadcasting('Greater', 'Element-wise p > q (1 or 0).', '>', 2, (p, q) => (p > q ? 1 : 0), (tf, [p, q]) => tf.greater(p, q));
export const where = broadcasting('Where', 'Picks x where the condition holds, else y.', 'where', 3, (c, x, y) => (c ? x : y), (tf, [c, x, y]) => tf.where(tf.cast(c, 'bool'), x, y));

export default [sqrt, neg, abs, log, reciprocal, floor, ceil, not, erf, divide, power, equal, less, greater, where];
