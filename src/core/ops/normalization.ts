import type * as tfc from '@tensorflow/tfjs-core';
import { identityPerm, physicalAxis, type OnnxEmitter, type PlainTensor } from '../engine/onnx-emitter';
import { bool, float, int, ints } from './attrs';
import { defineOp, ShapeError } from './op';
import type { TensorShape } from '../ir';
import { channels, formatShape, numel, positive, requireRank, resolveAxis } from './tensor-math';
import { channelAxisOf, layoutAttr, type Layout } from './window';

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

/** A per-channel weight, or `fill` for each of `c` channels where the layer has none (scale or center off). */
const orFill = (t: PlainTensor | undefined, c: number, fill: number): PlainTensor => t ?? { shape: [c], data: new Float32Array(c).fill(fill) };

/** γ and β as ONNX's normalisation ops take them (both required there): ones and zeros where the layer has none. */
function onnxScaleShift(g: OnnxEmitter, w: Readonly<Record<string, PlainTensor>>, a: { scale: boolean; center: boolean }, c: number): [string, string] {
  return [a.scale ? g.weight(w.gamma, 'gamma') : g.constant(orFill(undefined, c, 1), 'gamma'), a.center ? g.weight(w.beta, 'beta') : g.constant(orFill(undefined, c, 0), 'beta')];
}

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
  // ONNX's BatchNormalization where the channels are stored at axis 1 (after a convolution: fused into
  // it by ONNX Runtime); elsewhere the same arithmetic folded into one multiply-add along the stored axis.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const axis = featureAxis(shape, a.axis, 'BatchNormalization');
    const c = shape[axis] as number;
    const stored = physicalAxis(x.perm, axis);
    if (stored === 1) {
      const [scale, shift] = onnxScaleShift(g, w, a, c);
      return { name: g.node('BatchNormalization', [x.name, scale, shift, g.weight(w.moving_mean, 'moving_mean'), g.weight(w.moving_variance, 'moving_variance')], { epsilon: { float: a.epsilon } }), perm: x.perm };
    }
    const gamma = orFill(a.scale ? w.gamma : undefined, c, 1).data;
    const beta = orFill(a.center ? w.beta : undefined, c, 0).data;
    const scale = Float32Array.from(gamma, (v, i) => v / Math.sqrt(w.moving_variance.data[i] + a.epsilon));
    const shift = Float32Array.from(beta, (v, i) => v - w.moving_mean.data[i] * scale[i]);
    const along = x.perm.map((_, i) => (i === stored ? c : 1));
    const y = g.node('Add', [g.node('Mul', [x.name, g.constant({ shape: along, data: scale }, 'scale')]), g.constant({ shape: along, data: shift }, 'shift')]);
    return { name: y, perm: x.perm };
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
  // ONNX's LRN is Caffe's parameterisation over channels first: size n = 2·depth_radius + 1, alpha·n.
  onnx: (g, [x], a) => {
    const { name, perm } = g.channelsFirst(x, channelAxisOf(4, a.dataFormat));
    const size = 2 * a.depthRadius + 1;
    return { name: g.node('LRN', [name], { size: { int: size }, alpha: { float: a.alpha * size }, beta: { float: a.beta }, bias: { float: a.bias } }), perm };
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
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const axis = featureAxis(shape, a.axis, 'InstanceNormalization');
    const { name, perm } = g.channelsFirst(x, axis);
    return { name: g.node('InstanceNormalization', [name, ...onnxScaleShift(g, w, a, shape[axis] as number)], { epsilon: { float: a.epsilon } }), perm };
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
  // In the IR's layout: ONNX's LayerNormalization (opset 17) where the axes are the trailing ones,
  // else the statistics written out as above, γ and β shaped to broadcast.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const axes = normalisedAxes(shape, a.axis);
    const input = g.logical(x);
    const perm = identityPerm(shape.length);
    const trailing = axes.every((d, k) => d === shape.length - axes.length + k);
    if (trailing && g.opset >= 17) {
      const normalised = axes.map((d) => shape[d] as number);
      const ones = new Float32Array(normalised.reduce((p, d) => p * d, 1)).fill(1);
      const scale = a.scale ? g.weight(w.gamma, 'gamma') : g.constant({ shape: normalised, data: ones }, 'gamma');
      return { name: g.node('LayerNormalization', [input, scale, ...(a.center ? [g.weight(w.beta, 'beta')] : [])], { axis: { int: axes[0] }, epsilon: { float: a.epsilon } }), perm };
    }
    const centred = g.node('Sub', [input, g.reduce('ReduceMean', input, axes, true)]);
    const variance = g.reduce('ReduceMean', g.node('Mul', [centred, centred]), axes, true);
    let y = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, g.scalar(a.epsilon, 'epsilon')])])]);
    const along = shape.map((d, i) => (axes.includes(i) ? (d as number) : 1));
    if (a.scale) y = g.node('Mul', [y, g.weight(w.gamma, 'gamma', undefined, along)]);
    if (a.center) y = g.node('Add', [y, g.weight(w.beta, 'beta', undefined, along)]);
    return { name: y, perm };
  },
});

/** Caffe's Scale layer: a learned factor (and, with a bias, shift) per channel; after a Caffe BatchNorm it is BN's γ and β. */
export const scale = defineOp<{ axis: number; useBias: boolean }>({
  kind: 'Scale',
  family: 'norm',
  summary: 'x·γ (+ β) with one learned γ (and β) per channel: the scale and shift Caffe keeps apart from its BatchNorm.',
  attrs: { axis: int(1), useBias: bool(false) },
  arity: { min: 1, max: 1 },
  label: (a) => (a.useBias ? 'scale + shift' : 'scale'),
  shape: ([x], a) => {
    featureAxis(x, [a.axis], 'Scale');
    return x;
  },
  weights: ([x], a) => {
    const c = [channels(x, 'Scale', featureAxis(x, [a.axis], 'Scale'))];
    return [{ name: 'gamma', shape: c, trainable: true }, ...(a.useBias ? [{ name: 'beta', shape: c, trainable: true }] : [])];
  },
  flops: (_, out, a) => (a.useBias ? 2 : 1) * numel(out),
  run: (tf, [x], w, a) => {
    const axis = featureAxis(x.shape, [a.axis], 'Scale');
    const y = tf.mul(x, alongAxis(tf, w.gamma, x, axis));
    return a.useBias ? tf.add(y, alongAxis(tf, w.beta, x, axis)) : y;
  },
});

/** Caffe's LRN with norm_region WITHIN_CHANNEL: each value over the sum of squares of a size×size window of its own channel. */
export const spatialResponseNormalization = defineOp<{ size: number; alpha: number; beta: number; bias: number }>({
  kind: 'SpatialResponseNormalization',
  family: 'norm',
  summary: 'x / (bias + alpha/size²·Σ x²)^beta over a size×size window of the same channel (Caffe’s LRN WITHIN_CHANNEL).',
  attrs: { size: int(5), alpha: float(1), beta: float(0.75), bias: float(1) },
  arity: { min: 1, max: 1 },
  label: (a) => `LRN ${a.size}×${a.size}`,
  shape: ([x], a) => {
    requireRank(x, 4, 'SpatialResponseNormalization');
    if (a.size < 1 || a.size % 2 !== 1) throw new ShapeError(`local_size must be odd and positive, got ${a.size}`);
    return x;
  },
  // Per element: a window of size² squares and adds, then bias + alpha·sum, a power and a divide.
  flops: (_, out, a) => numel(out) * (2 * a.size * a.size + 4),
});

export default [batchNormalization, localResponseNormalization, instanceNormalization, layerNormalization, scale, spatialResponseNormalization];
