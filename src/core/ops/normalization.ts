import type * as tfc from '@tensorflow/tfjs-core';
import { bool, float, int, ints } from './attrs';
import { defineOp, ShapeError } from './op';
import type { TensorShape } from '../ir';
import { channels, formatShape, numel, positive, requireRank, resolveAxis } from './tensor-math';
import { layoutAttr, type Layout } from './window';

// Normalisations, over the channel axis of either layout. Batch norm at inference folds into one multiply-add per element; the others
// compute their statistics on the fly. Keras counts BN's moving mean and variance as
// non-trainable parameters (PyTorch keeps them as buffers): we report them apart, as Keras does.

/** Resolves a one-axis `axis` (negative or positive; the channel axis of either layout) and returns it. */
function featureAxis(x: TensorShape, axis: readonly number[], what: string): number {
  if (axis.length !== 1) throw new ShapeError(`${what} over axes ${JSON.stringify(axis)} is not supported; CNN Lens normalises over one channel axis`);
  const resolved = resolveAxis(axis[0], x.length, what);
  if (resolved === 0) throw new ShapeError(`${what} cannot take its statistics per batch item (axis 0 of ${formatShape(x)})`);
  return resolved;
}

/** A per-channel vector shaped to broadcast against `x` along `axis` (TF.js broadcasts from the last axis only). */
const alongAxis = (tf: typeof tfc, v: tfc.Tensor, x: tfc.Tensor, axis: number): tfc.Tensor =>
  axis === x.rank - 1 ? v : tf.reshape(v, x.shape.map((d, i) => (i === axis ? d : 1)));

export const batchNormalization = defineOp<{ axis: readonly number[]; epsilon: number; momentum: number; center: boolean; scale: boolean }>({
  kind: 'BatchNormalization',
  family: 'norm',
  summary: 'Normalises each channel with running statistics (inference), then scales and shifts.',
  attrs: { axis: ints([-1]), epsilon: float(1e-3), momentum: float(0.99), center: bool(true), scale: bool(true) },
  arity: { min: 1, max: 5 },
  // ONNX: X, scale, B, input_mean, input_var.
  operands: ['data', { weight: 'gamma' }, { weight: 'beta' }, { weight: 'moving_mean' }, { weight: 'moving_variance' }],
  label: () => 'batch norm',
  shape: ([x], a) => {
    featureAxis(x, a.axis, 'BatchNormalization');
    return x;
  },
  weights: ([x], a) => {
    const c = [channels(x, 'BatchNormalization', featureAxis(x, a.axis, 'BatchNormalization'))];
    return [
      ...(a.scale ? [{ name: 'gamma', shape: c, trainable: true }] : []),
      ...(a.center ? [{ name: 'beta', shape: c, trainable: true }] : []),
      { name: 'moving_mean', shape: c, trainable: false },
      { name: 'moving_variance', shape: c, trainable: false },
    ];
  },
  flops: (_, out) => 2 * numel(out),
  // Inference: (x − moving_mean) / √(moving_variance + ε) · γ + β, without γ or β when scale or center is off.
  run: (tf, [x], w, a) => {
    const axis = featureAxis(x.shape, a.axis, 'BatchNormalization');
    const v = (t: tfc.Tensor) => alongAxis(tf, t, x, axis);
    return tf.batchNorm(x, v(w.moving_mean), v(w.moving_variance), a.center ? v(w.beta) : undefined, a.scale ? v(w.gamma) : undefined, a.epsilon);
  },
});

export const localResponseNormalization = defineOp<{ depthRadius: number; bias: number; alpha: number; beta: number; dataFormat: Layout }>({
  kind: 'LocalResponseNormalization',
  family: 'norm',
  // TensorFlow's parameterisation: Caffe's local_size n is 2·depth_radius+1 and its alpha is alpha·n.
  summary: 'AlexNet’s cross-channel normalisation: x / (bias + alpha·Σ x²)^beta over 2·depth_radius+1 neighbouring channels.',
  attrs: { depthRadius: int(5), bias: float(1), alpha: float(1), beta: float(0.5), dataFormat: layoutAttr },
  arity: { min: 1, max: 1 },
  label: (a) => `LRN ${2 * a.depthRadius + 1}`,
  shape: ([x], a) => {
    requireRank(x, 4, 'LocalResponseNormalization');
    if (a.depthRadius < 0) throw new ShapeError(`depth_radius must be 0 or more, got ${a.depthRadius}`);
    return x;
  },
  // Per element: a window of 2r+1 squares and adds, then bias + alpha·sum, a power and a divide.
  flops: (_, out, a) => numel(out) * (2 * (2 * a.depthRadius + 1) + 4),
  // TF.js takes TensorFlow's parameterisation as it is, over the last axis only.
  run: (tf, [x], _, a) => {
    if (a.dataFormat !== 'channels_last') throw new Error('LocalResponseNormalization in channels_first layout has no TensorFlow.js kernel (ONNX models run through ONNX Runtime)');
    return tf.localResponseNormalization(x as tfc.Tensor4D, a.depthRadius, a.bias, a.alpha, a.beta);
  },
});

export const instanceNormalization = defineOp<{ axis: readonly number[]; epsilon: number; center: boolean; scale: boolean }>({
  kind: 'InstanceNormalization',
  family: 'norm',
  summary: 'Normalises each channel of each image over its spatial positions (Ulyanov et al.; style transfer).',
  attrs: { axis: ints([-1]), epsilon: float(1e-3), center: bool(true), scale: bool(true) },
  arity: { min: 1, max: 3 },
  // ONNX: input, scale, B.
  operands: ['data', { weight: 'gamma' }, { weight: 'beta' }],
  label: () => 'instance norm',
  shape: ([x], a) => {
    if (x.length < 3) throw new ShapeError(`InstanceNormalization needs an input with spatial axes, got ${formatShape(x)}`);
    positive(channels(x, 'InstanceNormalization', featureAxis(x, a.axis, 'InstanceNormalization')), 'channels');
    return x;
  },
  weights: ([x], a) => {
    const c = [channels(x, 'InstanceNormalization', featureAxis(x, a.axis, 'InstanceNormalization'))];
    return [...(a.scale ? [{ name: 'gamma', shape: c, trainable: true }] : []), ...(a.center ? [{ name: 'beta', shape: c, trainable: true }] : [])];
  },
  // Mean (1), variance (2), normalise (2), scale and shift (2) per element.
  flops: (_, out) => 7 * numel(out),
  // Statistics per image and channel over the other axes (biased variance), then γ and β per channel.
  run: (tf, [x], w, a) => {
    const axis = featureAxis(x.shape, a.axis, 'InstanceNormalization');
    const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).filter((i) => i !== 0 && i !== axis), true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, a.epsilon)));
    if (a.scale) y = tf.mul(y, alongAxis(tf, w.gamma, x, axis));
    if (a.center) y = tf.add(y, alongAxis(tf, w.beta, x, axis));
    return y;
  },
});

/** The axes a LayerNormalization normalises over, resolved and checked. */
function normalisedAxes(x: TensorShape, axis: readonly number[]): number[] {
  // The batch axis may be among them (ONNX's axis 0): then the whole tensor shares one mean.
  return [...new Set(axis.map((d) => resolveAxis(d, x.length, 'LayerNormalization')))].sort((p, q) => p - q);
}

export const layerNormalization = defineOp<{ axis: readonly number[]; epsilon: number; center: boolean; scale: boolean }>({
  kind: 'LayerNormalization',
  family: 'norm',
  // Keras names the normalised axes; ONNX's `axis` (the first of them) maps to axis…rank−1.
  summary: 'Normalises each item over the `axis` axes (its features), then scales and shifts; γ and β have those axes\' shape.',
  attrs: { axis: ints([-1]), epsilon: float(1e-3), center: bool(true), scale: bool(true) },
  arity: { min: 1, max: 3 },
  // ONNX: X, Scale, B.
  operands: ['data', { weight: 'gamma' }, { weight: 'beta' }],
  label: () => 'layer norm',
  shape: ([x], a) => {
    normalisedAxes(x, a.axis);
    return x;
  },
  weights: ([x], a) => {
    const shape = normalisedAxes(x, a.axis).map((i) => channels(x, 'LayerNormalization', i));
    return [...(a.scale ? [{ name: 'gamma', shape, trainable: true }] : []), ...(a.center ? [{ name: 'beta', shape, trainable: true }] : [])];
  },
  // As InstanceNormalization: mean (1), variance (2), normalise (2), scale and shift (2) per element.
  flops: (_, out) => 7 * numel(out),
  run: (tf, [x], w, a) => {
    const axes = normalisedAxes(x.shape, a.axis);
    const { mean, variance } = tf.moments(x, axes, true);
    const along = (t: tfc.Tensor) => tf.reshape(t, x.shape.map((d, i) => (axes.includes(i) ? d : 1)));
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, a.epsilon)));
    if (a.scale) y = tf.mul(y, along(w.gamma));
    if (a.center) y = tf.add(y, along(w.beta));
    return y;
  },
});

export default [batchNormalization, localResponseNormalization, instanceNormalization, layerNormalization];
