import { float, ints, nullable, oneOf } from './attrs';
import { defineOp, ShapeError } from './op';
import { numel } from './tensor-math';

// Activation functions, as a standalone `Activation` layer, as the dedicated layers Keras also has
// (ReLU, LeakyReLU, PReLU, ELU, Softmax), and fused into Conv/Dense through their `activation` attribute.

/**
 * FLOPs per element of each activation function. A convention, not a measurement: one per
 * comparison, add, multiply or divide; exp/tanh/erf count as one transcendental op each.
 */
export const ACTIVATION_FLOPS = {
  linear: 0,
  relu: 1, // max(x, 0)
  relu6: 2, // min(max(x, 0), 6)
  leaky_relu: 2, // compare, multiply
  elu: 3, // compare, exp, subtract (multiply by alpha folded)
  selu: 4, // elu + scale
  sigmoid: 4, // negate, exp, add, divide
  hard_sigmoid: 3, // multiply-add, clip
  tanh: 1,
  swish: 5, // sigmoid + multiply
  silu: 5,
  hard_swish: 5, // hard_sigmoid + multiply... plus the shift
  hard_silu: 5,
  gelu: 8, // tanh approximation: cube, 3 mul/add, tanh, add, 2 mul
  mish: 8, // softplus, tanh, multiply
  softmax: 3, // exp, sum, divide (max-subtraction for stability not counted)
  log_softmax: 3,
  softplus: 3, // exp, add, log
  softsign: 3, // abs, add, divide
  exponential: 1,
} as const;

export type ActivationName = keyof typeof ACTIVATION_FLOPS;
export const ACTIVATIONS = Object.keys(ACTIVATION_FLOPS) as ActivationName[];

/** The activation attribute shared by Activation, Conv and Dense; Keras writes aliases we accept too. */
export const activationAttr = (def: ActivationName) => {
  const base = oneOf(ACTIVATIONS, def);
  const aliases: Record<string, ActivationName> = { hardswish: 'hard_swish', hardsigmoid: 'hard_sigmoid', leakyrelu: 'leaky_relu', none: 'linear' };
  return {
    ...base,
    parse: (raw: unknown) => {
      if (raw === null || raw === undefined) return 'linear' as ActivationName;
      // Keras 3 may serialise an activation as {class_name, config}; older files use a plain string.
      const name = typeof raw === 'object' && raw !== null && 'config' in raw ? (raw as { config: { name?: unknown } }).config.name ?? (raw as { class_name?: unknown }).class_name : raw;
      const key = typeof name === 'string' ? name.toLowerCase() : name;
      return base.parse(typeof key === 'string' && key in aliases ? aliases[key] : key);
    },
  };
};

/** Elementwise cost of a fused activation over an output of this size. */
export const activationCost = (activation: ActivationName, elements: number): number => ACTIVATION_FLOPS[activation] * elements;

const identityShape = ([x]: readonly (readonly (number | null)[])[]) => x;

export const activation = defineOp<{ activation: ActivationName }>({
  kind: 'Activation',
  family: 'activation',
  summary: 'Applies an activation function elementwise.',
  attrs: { activation: activationAttr('linear') },
  arity: { min: 1, max: 1 },
  label: (a) => a.activation,
  shape: identityShape,
  flops: (_, out, a) => activationCost(a.activation, numel(out)),
});

export const relu = defineOp<{ maxValue: number | null; negativeSlope: number; threshold: number }>({
  kind: 'ReLU',
  family: 'activation',
  summary: 'Rectified linear unit, optionally capped (max_value 6 is ReLU6) and leaky.',
  attrs: { maxValue: nullable(float()), negativeSlope: float(0), threshold: float(0) },
  arity: { min: 1, max: 1 },
  label: (a) => (a.maxValue === null ? 'relu' : `relu${a.maxValue}`),
  shape: identityShape,
  flops: (_, out, a) => numel(out) * ((a.maxValue === null ? 1 : 2) + (a.negativeSlope ? 1 : 0)),
});

export const leakyRelu = defineOp<{ alpha: number }>({
  kind: 'LeakyReLU',
  family: 'activation',
  summary: 'max(x, alpha·x).',
  // Keras 2 and TF.js call the slope `alpha`; Keras 3 calls it `negative_slope` (mapped by the format).
  attrs: { alpha: float(0.3) },
  arity: { min: 1, max: 1 },
  label: (a) => `leaky ${a.alpha}`,
  shape: identityShape,
  flops: (_, out) => ACTIVATION_FLOPS.leaky_relu * numel(out),
});

export const elu = defineOp<{ alpha: number }>({
  kind: 'ELU',
  family: 'activation',
  summary: 'Exponential linear unit.',
  attrs: { alpha: float(1) },
  arity: { min: 1, max: 1 },
  label: () => 'elu',
  shape: identityShape,
  flops: (_, out) => ACTIVATION_FLOPS.elu * numel(out),
});

export const softmax = defineOp<{ axis: readonly number[] }>({
  kind: 'Softmax',
  family: 'activation',
  summary: 'Softmax along an axis (the last by default).',
  attrs: { axis: ints([-1]) },
  arity: { min: 1, max: 1 },
  label: () => 'softmax',
  shape: identityShape,
  flops: (_, out) => ACTIVATION_FLOPS.softmax * numel(out),
});

export const prelu = defineOp<{ sharedAxes: readonly number[] | null }>({
  kind: 'PReLU',
  family: 'activation',
  summary: 'Leaky ReLU with a learned slope per element (shared along `shared_axes`).',
  attrs: { sharedAxes: nullable(ints()) },
  arity: { min: 1, max: 1 },
  label: () => 'prelu',
  shape: identityShape,
  weights: ([x], a) => {
    const alpha = x.slice(1).map((d, i) => {
      if ((a.sharedAxes ?? []).includes(i + 1)) return 1;
      if (d === null) throw new ShapeError(`PReLU needs known dimensions for its alpha unless they are in shared_axes; axis ${i + 1} is unknown`);
      return d;
    });
    return [{ name: 'alpha', shape: alpha, trainable: true }];
  },
  flops: (_, out) => 2 * numel(out),
});

export default [activation, relu, leakyRelu, elu, softmax, prelu];
