import type * as tfc from '@tensorflow/tfjs-core';
import { bool, float, int, ints } from './attrs';
import { defineOp, ShapeError } from './op';
import { channels, formatShape, numel, positive, requireRank } from './tensor-math';

// Normalisations. Batch norm at inference folds into one multiply-add per element; the others
// compute their statistics on the fly. Keras counts BN's moving mean and variance as
// non-trainable parameters (PyTorch keeps them as buffers): we report them apart, as Keras does.

/** Resolves a Keras axis (negative or positive) against the input rank and checks it is the channel axis. */
function channelAxis(x: readonly (number | null)[], axis: readonly number[], what: string): number {
  const resolved = axis.map((a) => (a < 0 ? x.length + a : a));
  if (resolved.length !== 1 || resolved[0] !== x.length - 1) {
    throw new ShapeError(`${what} over axis ${JSON.stringify(axis)} is not supported yet; CNN Lens normalises over the last (channel) axis of ${formatShape(x)}`);
  }
  return channels(x, what);
}

export const batchNormalization = defineOp<{ axis: readonly number[]; epsilon: number; momentum: number; center: boolean; scale: boolean }>({
  kind: 'BatchNormalization',
  family: 'norm',
  summary: 'Normalises each channel with running statistics (inference), then scales and shifts.',
  attrs: { axis: ints([-1]), epsilon: float(1e-3), momentum: float(0.99), center: bool(true), scale: bool(true) },
  arity: { min: 1, max: 1 },
  label: () => 'batch norm',
  shape: ([x], a) => {
    channelAxis(x, a.axis, 'BatchNormalization');
    return x;
  },
  weights: ([x], a) => {
    const c = [channelAxis(x, a.axis, 'BatchNormalization')];
    return [
      ...(a.scale ? [{ name: 'gamma', shape: c, trainable: true }] : []),
      ...(a.center ? [{ name: 'beta', shape: c, trainable: true }] : []),
      { name: 'moving_mean', shape: c, trainable: false },
      { name: 'moving_variance', shape: c, trainable: false },
    ];
  },
  flops: (_, out) => 2 * numel(out),
  // Inference: (x − moving_mean) / √(moving_variance + ε) · γ + β, without γ or β when scale or center is off.
  run: (tf, [x], w, a) => tf.batchNorm(x, w.moving_mean as tfc.Tensor1D, w.moving_variance as tfc.Tensor1D, a.center ? (w.beta as tfc.Tensor1D) : undefined, a.scale ? (w.gamma as tfc.Tensor1D) : undefined, a.epsilon),
});

export const localResponseNormalization = defineOp<{ depthRadius: number; bias: number; alpha: number; beta: number }>({
  kind: 'LocalResponseNormalization',
  family: 'norm',
  // TensorFlow's parameterisation: Caffe's local_size n is 2·depth_radius+1 and its alpha is alpha·n.
  summary: 'AlexNet’s cross-channel normalisation: x / (bias + alpha·Σ x²)^beta over 2·depth_radius+1 neighbouring channels.',
  attrs: { depthRadius: int(5), bias: float(1), alpha: float(1), beta: float(0.5) },
  arity: { min: 1, max: 1 },
  label: (a) => `LRN ${2 * a.depthRadius + 1}`,
  shape: ([x], a) => {
    requireRank(x, 4, 'LocalResponseNormalization');
    if (a.depthRadius < 0) throw new ShapeError(`depth_radius must be 0 or more, got ${a.depthRadius}`);
    return x;
  },
  // Per element: a window of 2r+1 squares and adds, then bias + alpha·sum, a power and a divide.
  flops: (_, out, a) => numel(out) * (2 * (2 * a.depthRadius + 1) + 4),
  // TF.js takes TensorFlow's parameterisation as it is.
  run: (tf, [x], _, a) => tf.localResponseNormalization(x as tfc.Tensor4D, a.depthRadius, a.bias, a.alpha, a.beta),
});

export const instanceNormalization = defineOp<{ axis: readonly number[]; epsilon: number; center: boolean; scale: boolean }>({
  kind: 'InstanceNormalization',
  family: 'norm',
  summary: 'Normalises each channel of each image over its spatial positions (Ulyanov et al.; style transfer).',
  attrs: { axis: ints([-1]), epsilon: float(1e-3), center: bool(true), scale: bool(true) },
  arity: { min: 1, max: 1 },
  label: () => 'instance norm',
  shape: ([x], a) => {
    requireRank(x, 4, 'InstanceNormalization');
    positive(channelAxis(x, a.axis, 'InstanceNormalization'), 'channels');
    return x;
  },
  weights: ([x], a) => {
    const c = [channelAxis(x, a.axis, 'InstanceNormalization')];
    return [...(a.scale ? [{ name: 'gamma', shape: c, trainable: true }] : []), ...(a.center ? [{ name: 'beta', shape: c, trainable: true }] : [])];
  },
  // Mean (1), variance (2), normalise (2), scale and shift (2) per element.
  flops: (_, out) => 7 * numel(out),
  // Statistics per image and channel over H and W (biased variance), then γ and β per channel.
  run: (tf, [x], w, a) => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, a.epsilon)));
    if (a.scale) y = tf.mul(y, w.gamma);
    if (a.center) y = tf.add(y, w.beta);
    return y;
  },
});

export default [batchNormalization, localResponseNormalization, instanceNormalization];
