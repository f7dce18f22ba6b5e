import type * as tfc from '@tensorflow/tfjs-core';
import { bool, int } from './attrs';
import { activationAttr, activationCost, applyActivation, fusedActivation, type ActivationName } from './activation';
import { defineOp, ShapeError } from './op';
import { channels, formatShape, numel, positive } from './tensor-math';

export const dense = defineOp<{ units: number; useBias: boolean; activation: ActivationName }>({
  kind: 'Dense',
  family: 'dense',
  summary: 'Fully connected layer over the last axis.',
  attrs: { units: int(), useBias: bool(true), activation: activationAttr('linear') },
  arity: { min: 1, max: 1 },
  label: (a) => `${a.units}${a.activation !== 'linear' ? `, ${a.activation}` : ''}`,
  shape: ([x], a) => {
    if (x.length < 2) throw new ShapeError(`Dense needs an input with a batch and a feature axis, got ${formatShape(x)}`);
    channels(x, 'Dense');
    return [...x.slice(0, -1), positive(a.units, 'units')];
  },
  // Keras applies Dense to the last axis of any tensor; on an image that is almost always a missing Flatten.
  warn: ([x]) =>
    x.length > 2
      ? `Dense on a ${x.length}-D input ${formatShape(x)} acts on the last axis only (${x[x.length - 1]} features per position); did you mean to Flatten or pool first?`
      : undefined,
  weights: ([x], a) => [
    { name: 'kernel', shape: [channels(x, 'Dense'), a.units], trainable: true },
    ...(a.useBias ? [{ name: 'bias', shape: [a.units], trainable: true }] : []),
  ],
  macs: ([x], out) => numel(out) * channels(x, 'Dense'),
  flops: ([x], out, a) => 2 * numel(out) * channels(x, 'Dense') + (a.useBias ? numel(out) : 0) + activationCost(a.activation, numel(out)),
  // On the last axis of any rank: fold the leading axes into one, multiply, unfold.
  run: (tf, [x], w, a) => {
    const cin = x.shape[x.rank - 1];
    const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, cin])) as tfc.Tensor2D;
    const bias = a.useBias ? w.bias : undefined;
    const fused = fusedActivation(a.activation);
    let y: tfc.Tensor = fused ? tf.fused.matMul({ a: x2, b: w.kernel as tfc.Tensor2D, bias, activation: fused }) : tf.matMul(x2, w.kernel as tfc.Tensor2D);
    if (!fused) y = applyActivation(tf, a.activation, bias ? tf.add(y, bias) : y);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), a.units]);
  },
});

export default [dense];
