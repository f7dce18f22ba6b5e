import { bool, int } from './attrs';
import { activationAttr, activationCost, type ActivationName } from './activation';
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
});

export default [dense];
