import type * as tfc from '@tensorflow/tfjs-core';
import { physicalAxis, type OnnxEmitter, type OnnxValue } from '../engine/onnx-emitter';
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

/**
 * Applies an activation function by name, as Keras defines it. Notes where definitions differ:
 * hard_sigmoid is Keras 2's and TF.js's clip(0.2·x + 0.5, 0, 1) (Keras 3 uses relu6(x + 3) / 6);
 * gelu is the exact erf form (Keras's default, approximate=False); leaky_relu uses Keras 3's slope 0.2;
 * softmax and log_softmax act on the last axis.
 */
export function applyActivation(tf: typeof tfc, name: ActivationName, x: tfc.Tensor): tfc.Tensor {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, 0.2);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hard_sigmoid':
      return tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
    case 'tanh':
      return tf.tanh(x);
    case 'swish':
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'hard_swish':
    case 'hard_silu':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case 'mish':
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case 'softmax':
      return tf.softmax(x);
    case 'log_softmax':
      return tf.logSoftmax(x);
    case 'softplus':
      return tf.softplus(x);
    case 'softsign':
      return tf.div(x, tf.add(1, tf.abs(x)));
    case 'exponential':
      return tf.exp(x);
    default:
      throw new Error(`activation "${String(name)}" has no kernel`);
  }
}

/**
 * An activation function as ONNX nodes, on a value stored in any layout (all are element-wise but
 * softmax, whose last IR axis is found in the stored layout). The same definitions as
 * applyActivation; the opset's own HardSwish (14), Mish (18) and Gelu (20) where it has them.
 */
export function onnxActivation(g: OnnxEmitter, name: ActivationName, x: OnnxValue): OnnxValue {
  const v = x.name;
  const op = (opType: string, input: readonly string[] = [v], attrs = {}): string => g.node(opType, input, attrs);
  const out = (name: string): OnnxValue => ({ name, perm: x.perm });
  const lastAxis = { axis: { int: physicalAxis(x.perm, -1) } };
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return out(op('Relu'));
    case 'relu6':
      return out(op('Clip', [v, g.scalar(0, 'min'), g.scalar(6, 'max')]));
    case 'leaky_relu':
      return out(op('LeakyRelu', [v], { alpha: { float: 0.2 } }));
    case 'elu':
      return out(op('Elu'));
    case 'selu':
      return out(op('Selu'));
    case 'sigmoid':
      return out(op('Sigmoid'));
    case 'hard_sigmoid':
      return out(op('HardSigmoid', [v], { alpha: { float: 0.2 }, beta: { float: 0.5 } }));
    case 'tanh':
      return out(op('Tanh'));
    case 'swish':
    case 'silu':
      return out(op('Mul', [v, op('Sigmoid')]));
    case 'hard_swish':
    case 'hard_silu': // x·relu6(x + 3)/6 = x·clip(x/6 + 1/2, 0, 1)
      return out(g.opset >= 14 ? op('HardSwish') : op('Mul', [v, op('HardSigmoid', [v], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })]));
    case 'gelu':
      if (g.opset >= 20) return out(op('Gelu'));
      return out(op('Mul', [op('Mul', [v, g.scalar(0.5, 'half')]), op('Add', [g.scalar(1, 'one'), op('Erf', [op('Mul', [v, g.scalar(Math.SQRT1_2, 'sqrt_half')])])])]));
    case 'mish':
      return out(g.opset >= 18 ? op('Mish') : op('Mul', [v, op('Tanh', [op('Softplus')])]));
    case 'softmax':
      return out(op('Softmax', [v], lastAxis));
    case 'log_softmax':
      return out(op('LogSoftmax', [v], lastAxis));
    case 'softplus':
      return out(op('Softplus'));
    case 'softsign':
      return out(op('Softsign'));
    case 'exponential':
      return out(op('Exp'));
    default:
      throw new Error(`activation "${String(name)}" has no ONNX form`);
  }
}

/** The activations TF.js fuses into conv2d, depthwiseConv2d and matMul (same arithmetic, one pass). */
const FUSABLE: Partial<Record<ActivationName, 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid'>> = { linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', sigmoid: 'sigmoid' };
export const fusedActivation = (name: ActivationName) => FUSABLE[name];

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
  run: (tf, [x], _, a) => applyActivation(tf, a.activation, x),
  onnx: (g, [x], a) => onnxActivation(g, a.activation, x),
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
  // Keras: max_value for x ≥ max_value, x for threshold ≤ x < max_value, negative_slope·(x − threshold) below.
  run: (tf, [x], _, a) => {
    let y = a.threshold === 0 && a.negativeSlope === 0 ? tf.relu(x) : tf.where(tf.greaterEqual(x, a.threshold), x, a.negativeSlope === 0 ? tf.zerosLike(x) : tf.mul(tf.sub(x, a.threshold), a.negativeSlope));
    if (a.maxValue !== null) y = a.maxValue === 6 && a.threshold === 0 && a.negativeSlope === 0 ? tf.relu6(x) : tf.minimum(y, a.maxValue);
    return y;
  },
  onnx: (g, [x], a) => {
    const v = x.name;
    let y: string;
    if (a.threshold === 0 && a.negativeSlope === 0) y = a.maxValue === null ? g.node('Relu', [v]) : g.node('Clip', [v, g.scalar(0, 'min'), g.scalar(a.maxValue, 'max')]);
    else if (a.threshold === 0) y = g.node('LeakyRelu', [v], { alpha: { float: a.negativeSlope } });
    else {
      const threshold = g.scalar(a.threshold, 'threshold');
      const below = g.node('Mul', [g.node('Sub', [v, threshold]), g.scalar(a.negativeSlope, 'negative_slope')]);
      y = g.node('Where', [g.node('GreaterOrEqual', [v, threshold]), v, below]);
    }
    if (a.maxValue !== null && !(a.threshold === 0 && a.negativeSlope === 0)) y = g.node('Min', [y, g.scalar(a.maxValue, 'max')]);
    return { name: y, perm: x.perm };
  },
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
  run: (tf, [x], _, a) => tf.leakyRelu(x, a.alpha),
  onnx: (g, [x], a) => ({ name: g.node('LeakyRelu', [x.name], { alpha: { float: a.alpha } }), perm: x.perm }),
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
  run: (tf, [x], _, a) => (a.alpha === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(tf.minimum(x, 0)), 1), a.alpha))),
  onnx: (g, [x], a) => ({ name: g.node('Elu', [x.name], { alpha: { float: a.alpha } }), perm: x.perm }),
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
  run: (tf, [x], _, a) => {
    const axes = [...new Set(a.axis.map((d) => (d < 0 ? x.rank + d : d)))];
    if (axes.length === 1 && axes[0] === x.rank - 1) return tf.softmax(x);
    // TF.js's softmax only takes the last axis; the general form, stabilised by the maximum.
    const e = tf.exp(tf.sub(x, tf.max(x, axes, true)));
    return tf.div(e, tf.sum(e, axes, true));
  },
  // ONNX's Softmax takes one axis (opset 13); over several, the stabilised general form as above.
  onnx: (g, [x], a) => {
    const axes = [...new Set(a.axis.map((d) => physicalAxis(x.perm, d)))];
    if (axes.length === 1) return { name: g.node('Softmax', [x.name], { axis: { int: axes[0] } }), perm: x.perm };
    const e = g.node('Exp', [g.node('Sub', [x.name, g.reduce('ReduceMax', x.name, axes, true)])]);
    return { name: g.node('Div', [e, g.reduce('ReduceSum', e, axes, true)]), perm: x.perm };
  },
});

export const prelu = defineOp<{ sharedAxes: readonly number[] | null }>({
  kind: 'PReLU',
  family: 'activation',
  summary: 'Leaky ReLU with a learned slope per element (shared along `shared_axes`).',
  attrs: { sharedAxes: nullable(ints()) },
  arity: { min: 1, max: 2 },
  // ONNX: X, slope.
  operands: ['data', { weight: 'alpha' }],
  label: () => 'prelu',
  shape: identityShape,
  weights: ([x, slope], a) => {
    // ONNX passes the slope as input 1, in the shape it broadcasts from.
    if (slope) return slope.every((d) => d !== null) ? [{ name: 'alpha', shape: slope as number[], trainable: true }] : [];
    const alpha = x.slice(1).map((d, i) => {
      if ((a.sharedAxes ?? []).includes(i + 1)) return 1;
      if (d === null) throw new ShapeError(`PReLU needs known dimensions for its alpha unless they are in shared_axes; axis ${i + 1} is unknown`);
      return d;
    });
    return [{ name: 'alpha', shape: alpha, trainable: true }];
  },
  flops: (_, out) => 2 * numel(out),
  // relu(x) + alpha·min(x, 0); alpha has the input's shape without the batch (1 along shared axes) and broadcasts.
  run: (tf, [x], w) => tf.add(tf.relu(x), tf.mul(w.alpha, tf.minimum(x, 0))),
  // ONNX's PRelu broadcasts the slope onto X: α with the batch axis added, in X's stored layout.
  onnx: (g, [x], _, { weights: w }) => {
    const alpha = { shape: [1, ...w.alpha.shape], data: w.alpha.data };
    return { name: g.node('PRelu', [x.name, g.weight(alpha, 'alpha', x.perm)]), perm: x.perm };
  },
});

export const hardSigmoid = defineOp<{ alpha: number; beta: number }>({
  kind: 'HardSigmoid',
  family: 'activation',
  // ONNX's form; PyTorch's hardsigmoid exports alpha 1/6, Keras 2's hard_sigmoid is alpha 0.2.
  summary: 'clip(alpha·x + beta, 0, 1); FLOPs as hard_sigmoid (3 per element).',
  attrs: { alpha: float(0.2), beta: float(0.5) },
  arity: { min: 1, max: 1 },
  label: (a) => `hard sigmoid ${+a.alpha.toPrecision(4)}`,
  shape: identityShape,
  flops: (_, out) => ACTIVATION_FLOPS.hard_sigmoid * numel(out),
  run: (tf, [x], _, a) => tf.clipByValue(tf.add(tf.mul(x, a.alpha), a.beta), 0, 1),
});

export const clip = defineOp<{ min: number | null; max: number | null }>({
  kind: 'Clip',
  family: 'activation',
  summary: 'Clamps to [min, max] (either bound may be absent): 1 FLOP per element per bound.',
  attrs: { min: nullable(float()), max: nullable(float()) },
  arity: { min: 1, max: 1 },
  label: (a) => `clip ${a.min ?? '−∞'}…${a.max ?? '∞'}`,
  shape: identityShape,
  fold: ([x], _inputs, _out, a) => x?.map((v) => Math.min(Math.max(v, a.min ?? -Infinity), a.max ?? Infinity)),
  flops: (_, out, a) => numel(out) * ((a.min === null ? 0 : 1) + (a.max === null ? 0 : 1)),
  run: (tf, [x], _, a) => tf.clipByValue(x, a.min ?? -Infinity, a.max ?? Infinity),
});

export default [activation, relu, leakyRelu, elu, softmax, prelu, hardSigmoid, clip];
