import type * as tfc from '@tensorflow/tfjs-core';
import type { TensorShape } from '../ir';
import { physicalAxis, type OnnxEmitter } from '../engine/onnx-emitter';
import { activationAttr, activationCost, applyActivation, onnxActivation, type ActivationName } from './activation';
import { int } from './attrs';
import { defineOp, ShapeError } from './op';
import { broadcastShapes, formatShape, numel } from './tensor-math';
import { foldable, foldBroadcast } from './values';

// Element-wise merges (residual Add, gating Multiply, …) and Concatenate (Inception modules). The
// merges take a fused activation, as TFLite's ADD, SUB and MUL carry one (Keras's never set it).

/** Broadcasts numpy-style (ONNX's rule; for equal ranks it is Keras's: each dimension equal or 1). */
function broadcast(inputs: readonly TensorShape[], what: string): TensorShape {
  if (inputs.length < 2) throw new ShapeError(`${what} needs at least 2 inputs, got ${inputs.length}`);
  return broadcastShapes(inputs, what);
}

type Combine = (tf: typeof tfc, a: tfc.Tensor, b: tfc.Tensor) => tfc.Tensor;
const COMBINE: Readonly<Record<string, Combine>> = {
  Add: (tf, a, b) => tf.add(a, b),
  Subtract: (tf, a, b) => tf.sub(a, b),
  Multiply: (tf, a, b) => tf.mul(a, b),
  Average: (tf, a, b) => tf.add(a, b),
  Maximum: (tf, a, b) => tf.maximum(a, b),
  Minimum: (tf, a, b) => tf.minimum(a, b),
};

/** How each merge folds values (shape arithmetic: ONNX Add/Sub/Mul of shape vectors). */
const FOLD: Readonly<Record<string, (...xs: number[]) => number>> = {
  Add: (...xs) => xs.reduce((p, q) => p + q),
  Subtract: (...xs) => xs.reduce((p, q) => p - q),
  Multiply: (...xs) => xs.reduce((p, q) => p * q),
  Average: (...xs) => xs.reduce((p, q) => p + q) / xs.length,
  Maximum: (...xs) => Math.max(...xs),
  Minimum: (...xs) => Math.min(...xs),
};

/** Each merge as ONNX: a variadic op, or a binary one applied left to right. */
const ONNX_MERGE: Readonly<Record<string, { readonly op: string; readonly variadic: boolean }>> = {
  Add: { op: 'Add', variadic: false },
  Subtract: { op: 'Sub', variadic: false },
  Multiply: { op: 'Mul', variadic: false },
  Average: { op: 'Mean', variadic: true },
  Maximum: { op: 'Max', variadic: true },
  Minimum: { op: 'Min', variadic: true },
};

/** `inputs` merged in ONNX: Add of more than two becomes Sum; the others as ONNX_MERGE says. */
function onnxMerge(g: OnnxEmitter, kind: string, inputs: readonly string[]): string {
  const { op, variadic } = ONNX_MERGE[kind];
  if (variadic) return g.node(op, inputs);
  if (kind === 'Add' && inputs.length > 2) return g.node('Sum', inputs);
  return inputs.slice(1).reduce((acc, x) => g.node(op, [acc, x]), inputs[0]);
}

const elementwise = (kind: string, summary: string, symbol: string, flopsPerPair: number) =>
  defineOp<{ activation: ActivationName }>({
    kind,
    family: 'merge',
    summary,
    attrs: { activation: activationAttr('linear') },
    arity: { min: 2, max: Infinity },
    label: (a) => (a.activation === 'linear' ? symbol : `${symbol} ${a.activation}`),
    shape: (inputs) => broadcast(inputs, kind),
    fold: (values, inputs, out, a) => (a.activation === 'linear' ? foldBroadcast(values, inputs, out, FOLD[kind]) : undefined),
    flops: (inputs, out, a) => (inputs.length - 1) * flopsPerPair * numel(out) + (kind === 'Average' ? numel(out) : 0) + activationCost(a.activation, numel(out)),
    // Left to right, broadcasting as the shape rule allows; Subtract takes exactly two inputs in Keras.
    run: (tf, inputs, _, a) => {
      const combined = inputs.slice(1).reduce((acc, t) => COMBINE[kind](tf, acc, t), inputs[0]);
      return applyActivation(tf, a.activation, kind === 'Average' ? tf.div(combined, inputs.length) : combined);
    },
    onnx: (g, inputs, a, { inputShapes }) => {
      const { names, perm } = g.aligned(inputs, inputShapes);
      return onnxActivation(g, a.activation, { name: onnxMerge(g, kind, names), perm });
    },
  });

export const add = elementwise('Add', 'Element-wise sum (residual connections).', '+', 1);
export const subtract = elementwise('Subtract', 'Element-wise difference of two inputs.', '−', 1);
export const multiply = elementwise('Multiply', 'Element-wise product (gating, squeeze-and-excitation).', '×', 1);
export const average = elementwise('Average', 'Element-wise mean.', 'mean', 1);
export const maximum = elementwise('Maximum', 'Element-wise maximum.', 'max', 1);
export const minimum = elementwise('Minimum', 'Element-wise minimum.', 'min', 1);

export const concatenate = defineOp<{ axis: number }>({
  kind: 'Concatenate',
  family: 'merge',
  summary: 'Joins inputs along an axis (channels by default; ONNX Concat of shape vectors folds).',
  attrs: { axis: int(-1) },
  arity: { min: 1, max: Infinity },
  label: (a) => (a.axis === -1 ? 'concat' : `concat @${a.axis}`),
  shape: (inputs, a) => {
    const rank = inputs[0].length;
    const axis = a.axis < 0 ? rank + a.axis : a.axis;
    // Axis 0 is the batch of an image tensor but the only axis of the shape vectors exporters concatenate.
    if (axis < 0 || axis >= rank) throw new ShapeError(`axis ${a.axis} is out of range for ${rank}-D inputs`);
    if (inputs.some((s) => s.length !== rank)) throw new ShapeError(`Concatenate inputs have different ranks: ${inputs.map(formatShape).join(', ')}`);
    return inputs[0].map((d, i) => {
      if (i === axis) return inputs.some((s) => s[i] === null) ? null : inputs.reduce((sum, s) => sum + (s[i] as number), 0);
      const known = inputs.map((s) => s[i]).filter((v): v is number => v !== null);
      if (new Set(known).size > 1) {
        throw new ShapeError(`Concatenate on axis ${a.axis} needs the other axes to match, but inputs ${inputs.map(formatShape).join(', ')} differ at axis ${i} (${known.join(' vs ')})`);
      }
      return known[0] ?? d;
    });
  },
  // Values of 1-D inputs (shape vectors) join end to end.
  fold: (values, inputs, out) => (foldable(out) && out.length === 1 && inputs.every((_, i) => values[i] !== undefined) ? inputs.flatMap((_, i) => values[i]!) : undefined),
  flops: () => 0,
  run: (tf, inputs, _, a) => (inputs.length === 1 ? inputs[0] : tf.concat([...inputs], a.axis)),
  onnx: (g, inputs, a, { inputShapes }) => {
    if (inputs.length === 1) return inputs[0];
    const { names, perm } = g.aligned(inputs, inputShapes);
    return { name: g.node('Concat', names, { axis: { int: physicalAxis(perm, a.axis) } }), perm };
  },
});

export default [add, subtract, multiply, average, maximum, minimum, concatenate];
