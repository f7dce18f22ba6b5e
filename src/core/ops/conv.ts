import type * as tfc from '@tensorflow/tfjs-core';
import type { TensorShape } from '../ir';
import { bool, int, nullable, oneOf, pair } from './attrs';
import { activationAttr, activationCost, applyActivation, fusedActivation, type ActivationName } from './activation';
import { defineOp, ShapeError } from './op';
import { channels, numel, positive, requirePositive, requireRank, transposedOut, windowOut, type Padding } from './tensor-math';

// 2-D convolutions (NHWC): dense and grouped, depthwise, separable and transposed.

type Pair = readonly [number, number];
interface Window {
  kernelSize: Pair;
  strides: Pair;
  padding: Padding;
  dilationRate: Pair;
  useBias: boolean;
  activation: ActivationName;
  dataFormat: 'channels_last' | 'channels_first';
}

const windowAttrs = {
  kernelSize: pair(),
  strides: pair(1),
  padding: oneOf(['valid', 'same'] as const, 'valid'),
  dilationRate: pair(1),
  useBias: bool(true),
  activation: activationAttr('linear'),
  dataFormat: oneOf(['channels_last', 'channels_first'] as const, 'channels_last'),
};

/** Checks the input and returns its channel count; the rule every 2-D convolution shares. */
function convInput(x: TensorShape, a: Window, what: string): number {
  if (a.dataFormat !== 'channels_last') throw new ShapeError(`${what}: data_format channels_first is not supported yet; CNN Lens reads NHWC (channels_last) models`);
  requireRank(x, 4, what);
  a.kernelSize.forEach((k) => positive(k, 'kernel_size'));
  a.strides.forEach((s) => positive(s, 'strides'));
  return channels(x, what);
}

/** Output shape of a sliding window over H and W with `outChannels` channels. */
function slide(x: TensorShape, a: Window, outChannels: number, what: string): TensorShape {
  const out = [x[0], ...[1, 2].map((i) => windowOut(x[i], a.kernelSize[i - 1], a.strides[i - 1], a.dilationRate[i - 1], a.padding)), outChannels];
  requirePositive(out, x, `${what} window ${a.kernelSize.join('×')} (strides ${a.strides.join('×')}, padding ${a.padding})`);
  return out;
}

const windowLabel = (a: Window): string =>
  `${a.kernelSize.join('×')}${a.strides[0] !== 1 || a.strides[1] !== 1 ? ` / ${a.strides[0] === a.strides[1] ? a.strides[0] : a.strides.join('×')}` : ''}${a.dilationRate[0] !== 1 ? ` d${a.dilationRate[0]}` : ''}`;

/** Adds the bias (when there is one) and applies the activation unless the kernel already fused them. */
function finish(tf: typeof tfc, y: tfc.Tensor, bias: tfc.Tensor | undefined, a: Window): tfc.Tensor {
  const biased = a.useBias && bias ? tf.add(y, bias) : y;
  return applyActivation(tf, a.activation, biased);
}

const biasAndActivation = (out: TensorShape, a: Window): number => (a.useBias ? numel(out) : 0) + activationCost(a.activation, numel(out));

export const conv2d = defineOp<Window & { filters: number; groups: number }>({
  kind: 'Conv2D',
  family: 'conv',
  summary: '2-D convolution; `groups` splits the channels into independent convolutions (AlexNet’s two towers).',
  attrs: { filters: int(), groups: int(1), ...windowAttrs },
  arity: { min: 1, max: 1 },
  label: (a) => `${windowLabel(a)}, ${a.filters}${a.groups > 1 ? ` g${a.groups}` : ''}`,
  shape: ([x], a) => {
    const cin = convInput(x, a, 'Conv2D');
    positive(a.filters, 'filters');
    positive(a.groups, 'groups');
    if (cin % a.groups !== 0) throw new ShapeError(`groups=${a.groups} does not divide the ${cin} input channels`);
    if (a.filters % a.groups !== 0) throw new ShapeError(`groups=${a.groups} does not divide filters=${a.filters}`);
    return slide(x, a, a.filters, 'Conv2D');
  },
  weights: ([x], a) => [
    { name: 'kernel', shape: [...a.kernelSize, channels(x, 'Conv2D') / a.groups, a.filters], trainable: true },
    ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : []),
  ],
  macs: ([x], out, a) => numel(out) * a.kernelSize[0] * a.kernelSize[1] * (channels(x, 'Conv2D') / a.groups),
  flops: ([x], out, a) => 2 * numel(out) * a.kernelSize[0] * a.kernelSize[1] * (channels(x, 'Conv2D') / a.groups) + biasAndActivation(out, a),
  // TF.js's conv2d has no groups: split the channels (and the filters), convolve each group, concatenate.
  run: (tf, [x], w, a) => {
    const x4 = x as tfc.Tensor4D;
    const kernel = w.kernel as tfc.Tensor4D;
    const bias = a.useBias ? (w.bias as tfc.Tensor1D) : undefined;
    if (a.groups === 1) {
      const fused = fusedActivation(a.activation);
      if (fused) return tf.fused.conv2d({ x: x4, filter: kernel, strides: a.strides as [number, number], pad: a.padding, dilations: a.dilationRate as [number, number], bias, activation: fused });
      return finish(tf, tf.conv2d(x4, kernel, a.strides as [number, number], a.padding, 'NHWC', a.dilationRate as [number, number]), bias, a);
    }
    const xs = tf.split(x4, a.groups, 3) as tfc.Tensor4D[];
    const ks = tf.split(kernel, a.groups, 3);
    const ys = xs.map((xi, g) => tf.conv2d(xi, ks[g] as tfc.Tensor4D, a.strides as [number, number], a.padding, 'NHWC', a.dilationRate as [number, number]));
    return finish(tf, tf.concat(ys, 3), bias, a);
  },
});

export const depthwiseConv2d = defineOp<Window & { depthMultiplier: number }>({
  kind: 'DepthwiseConv2D',
  family: 'conv',
  summary: 'One k×k filter per input channel (times the depth multiplier); no mixing across channels.',
  attrs: { depthMultiplier: int(1), ...windowAttrs },
  arity: { min: 1, max: 1 },
  label: (a) => `dw ${windowLabel(a)}${a.depthMultiplier !== 1 ? ` ×${a.depthMultiplier}` : ''}`,
  shape: ([x], a) => slide(x, a, convInput(x, a, 'DepthwiseConv2D') * positive(a.depthMultiplier, 'depth_multiplier'), 'DepthwiseConv2D'),
  weights: ([x], a) => {
    const cin = channels(x, 'DepthwiseConv2D');
    return [
      { name: 'depthwise_kernel', shape: [...a.kernelSize, cin, a.depthMultiplier], trainable: true },
      ...(a.useBias ? [{ name: 'bias', shape: [cin * a.depthMultiplier], trainable: true }] : []),
    ];
  },
  macs: (_, out, a) => numel(out) * a.kernelSize[0] * a.kernelSize[1],
  flops: (_, out, a) => 2 * numel(out) * a.kernelSize[0] * a.kernelSize[1] + biasAndActivation(out, a),
  // Keras's depthwise kernel [kh, kw, cin, multiplier] is TF.js's filter layout as it is.
  run: (tf, [x], w, a) => {
    const bias = a.useBias ? (w.bias as tfc.Tensor1D) : undefined;
    const fused = fusedActivation(a.activation);
    const args = [x as tfc.Tensor4D, w.depthwise_kernel as tfc.Tensor4D, a.strides as [number, number], a.padding, 'NHWC', a.dilationRate as [number, number]] as const;
    if (fused) return tf.fused.depthwiseConv2d({ x: args[0], filter: args[1], strides: args[2], pad: args[3], dataFormat: 'NHWC', dilations: args[5], bias, activation: fused });
    return finish(tf, tf.depthwiseConv2d(...args), bias, a);
  },
});

export const separableConv2d = defineOp<Window & { filters: number; depthMultiplier: number }>({
  kind: 'SeparableConv2D',
  family: 'conv',
  summary: 'A depthwise k×k convolution followed by a pointwise 1×1 convolution, in one layer.',
  attrs: { filters: int(), depthMultiplier: int(1), ...windowAttrs },
  arity: { min: 1, max: 1 },
  label: (a) => `sep ${windowLabel(a)}, ${a.filters}`,
  shape: ([x], a) => {
    convInput(x, a, 'SeparableConv2D');
    positive(a.depthMultiplier, 'depth_multiplier');
    return slide(x, a, positive(a.filters, 'filters'), 'SeparableConv2D');
  },
  weights: ([x], a) => {
    const mid = channels(x, 'SeparableConv2D') * a.depthMultiplier;
    return [
      { name: 'depthwise_kernel', shape: [...a.kernelSize, channels(x, 'SeparableConv2D'), a.depthMultiplier], trainable: true },
      { name: 'pointwise_kernel', shape: [1, 1, mid, a.filters], trainable: true },
      ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : []),
    ];
  },
  macs: ([x], out, a) => {
    const mid = channels(x, 'SeparableConv2D') * a.depthMultiplier;
    const positions = numel(out) / a.filters;
    return positions * mid * (a.kernelSize[0] * a.kernelSize[1] + a.filters);
  },
  flops: ([x], out, a) => {
    const mid = channels(x, 'SeparableConv2D') * a.depthMultiplier;
    return (2 * numel(out) / a.filters) * mid * (a.kernelSize[0] * a.kernelSize[1] + a.filters) + biasAndActivation(out, a);
  },
  run: (tf, [x], w, a) => {
    const y = tf.separableConv2d(x as tfc.Tensor4D, w.depthwise_kernel as tfc.Tensor4D, w.pointwise_kernel as tfc.Tensor4D, a.strides as [number, number], a.padding, a.dilationRate as [number, number], 'NHWC');
    return finish(tf, y, a.useBias ? w.bias : undefined, a);
  },
});

export const conv2dTranspose = defineOp<Window & { filters: number; outputPadding: Pair | null }>({
  kind: 'Conv2DTranspose',
  family: 'conv',
  summary: 'Transposed ("fractionally strided") convolution: upsamples by the stride.',
  attrs: { filters: int(), outputPadding: nullable(pair()), ...windowAttrs },
  arity: { min: 1, max: 1 },
  // Johnson et al. write a stride-2 transposed convolution as "stride ½".
  label: (a) => `${a.kernelSize.join('×')}${a.strides[0] === 1 ? '' : ` / 1/${a.strides[0]}`}, ${a.filters}`.replace('1/2', '½'),
  shape: ([x], a) => {
    convInput(x, a, 'Conv2DTranspose');
    positive(a.filters, 'filters');
    const out = [x[0], ...[1, 2].map((i) => {
      const k = a.dilationRate[i - 1] * (a.kernelSize[i - 1] - 1) + 1;
      const s = a.strides[i - 1];
      if (a.outputPadding === null) return transposedOut(x[i], a.kernelSize[i - 1], s, a.dilationRate[i - 1], a.padding);
      const size = x[i];
      if (size === null) return null;
      const pad = a.padding === 'same' ? Math.floor(k / 2) : 0;
      return (size - 1) * s + k - 2 * pad + a.outputPadding[i - 1];
    }), a.filters];
    requirePositive(out, x, `Conv2DTranspose window ${a.kernelSize.join('×')}`);
    return out;
  },
  weights: ([x], a) => [
    { name: 'kernel', shape: [...a.kernelSize, a.filters, channels(x, 'Conv2DTranspose')], trainable: true },
    ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : []),
  ],
  // Counted on the input grid (every input value meets k·k·filters weights), as torchvision,
  // fvcore and Netscope do; ptflops counts the output grid, which is stride² larger.
  macs: ([x], _, a) => numel(x) * a.kernelSize[0] * a.kernelSize[1] * a.filters,
  flops: ([x], out, a) => 2 * numel(x) * a.kernelSize[0] * a.kernelSize[1] * a.filters + biasAndActivation(out, a),
  // Keras's kernel [kh, kw, filters, cin] is TF.js's [h, w, outDepth, inDepth]; the output size is this op's own
  // shape rule (Keras's deconv_output_length, output_padding included), as TensorFlow passes it to the gradient kernel.
  run: (tf, [x], w, a) => {
    if (a.dilationRate[0] !== 1 || a.dilationRate[1] !== 1) throw new Error(`Conv2DTranspose with dilation_rate ${a.dilationRate.join('×')} has no TensorFlow.js kernel`);
    const out = conv2dTranspose.shape([x.shape], a, []) as [number, number, number, number];
    const y = tf.conv2dTranspose(x as tfc.Tensor4D, w.kernel as tfc.Tensor4D, out, a.strides as [number, number], a.padding);
    return finish(tf, y, a.useBias ? w.bias : undefined, a);
  },
});

export default [conv2d, depthwiseConv2d, separableConv2d, conv2dTranspose];
