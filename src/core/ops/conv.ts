import type * as tfc from '@tensorflow/tfjs-core';
import type { Dim, TensorShape } from '../ir';
import { bool, int, nullable, pair } from './attrs';
import type { OnnxEmitter, OnnxValue, PlainTensor } from '../engine/onnx-emitter';
import { activationAttr, activationCost, applyActivation, fusedActivation, onnxActivation, type ActivationName } from './activation';
import { defineOp, ShapeError, type Operand } from './op';
import { channels, formatShape, numel, positive, requireRank } from './tensor-math';
import { channelAxisOf, checkPads, describePadding, layoutAttr, onnxWindow, paddingAttr, padsAttr, slideShape, spatialAxesOf, tfjsPadding, type Geometry, type Layout, type Padding } from './window';

// 2-D convolutions: dense and grouped, depthwise, separable and transposed, channels last (Keras)
// or first (ONNX: Conv and ConvTranspose map here), with rule-based or explicit padding. Weights
// are declared in the layout's own convention: Keras [kh, kw, in, out], ONNX/PyTorch [out, in, kh, kw].

type Pair = readonly [number, number];
interface Window {
  kernelSize: Pair;
  strides: Pair;
  padding: Padding;
  pads: readonly number[];
  dilationRate: Pair;
  useBias: boolean;
  activation: ActivationName;
  dataFormat: Layout;
}

const windowAttrs = {
  kernelSize: pair(),
  strides: pair(1),
  padding: paddingAttr,
  pads: padsAttr,
  dilationRate: pair(1),
  useBias: bool(true),
  activation: activationAttr('linear'),
  dataFormat: layoutAttr,
};

/** ONNX passes the kernel and the bias as inputs 1 and 2; Keras nodes have only the data input. */
const convOperands: readonly Operand[] = ['data', { weight: 'kernel' }, { weight: 'bias' }];

const geometry = (a: Window): Geometry => ({ kernel: a.kernelSize, strides: a.strides, dilation: a.dilationRate, padding: a.padding, pads: a.pads });

/** Checks the input and the window and returns the input's channel count; the rule every 2-D convolution shares. */
function convInput(x: TensorShape, a: Window, what: string): number {
  requireRank(x, 4, what);
  a.kernelSize.forEach((k) => positive(k, 'kernel_size'));
  a.strides.forEach((s) => positive(s, 'strides'));
  a.dilationRate.forEach((d) => positive(d, 'dilation_rate'));
  checkPads(geometry(a), what);
  return channels(x, what, channelAxisOf(4, a.dataFormat));
}

/** Output shape of a sliding window over H and W with `outChannels` channels. */
const slide = (x: TensorShape, a: Window, outChannels: number, what: string): TensorShape =>
  slideShape(x, a.dataFormat, geometry(a), outChannels, `${what} window ${a.kernelSize.join('×')} (strides ${a.strides.join('×')}, padding ${describePadding(geometry(a))})`);

/** A kernel shape from its parts, in the layout's convention. */
const kernelShape = (a: Window, inPerGroup: number, out: number): number[] =>
  a.dataFormat === 'channels_first' ? [out, inPerGroup, ...a.kernelSize] : [...a.kernelSize, inPerGroup, out];

const windowLabel = (a: Window): string =>
  `${a.kernelSize.join('×')}${a.strides[0] !== 1 || a.strides[1] !== 1 ? ` / ${a.strides[0] === a.strides[1] ? a.strides[0] : a.strides.join('×')}` : ''}${a.dilationRate[0] !== 1 ? ` d${a.dilationRate[0]}` : ''}`;

/** Adds the bias (when there is one) and applies the activation unless the kernel already fused them. */
function finish(tf: typeof tfc, y: tfc.Tensor, bias: tfc.Tensor | undefined, a: Window): tfc.Tensor {
  const biased = a.useBias && bias ? tf.add(y, bias) : y;
  return applyActivation(tf, a.activation, biased);
}

/** Keras's kernels [kh, kw, in, out] (transposed: [kh, kw, out, in]) as ONNX's [out, in, kh, kw] (transposed: [in, out, kh, kw]). */
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** A convolution's data input channels first (ONNX's Conv reads NCHW), with its spatial sizes; the output is stored the same way. */
function onnxConvInput(g: OnnxEmitter, x: OnnxValue, shape: TensorShape, a: Window): { name: string; perm: number[]; size: number[] } {
  const { name, perm } = g.channelsFirst(x, channelAxisOf(4, a.dataFormat));
  return { name, perm, size: spatialAxesOf(4, a.dataFormat).map((i) => shape[i] as number) };
}

/** A convolution's kernel as ONNX lays it out: re-laid out once for Keras's layout, as it is for ONNX's own. */
const onnxKernel = (g: OnnxEmitter, t: PlainTensor, label: string, a: Window): string => (a.dataFormat === 'channels_first' ? g.weight(t, label) : g.weight(t, label, HWIO_TO_OIHW));

/** A Keras depthwise kernel [kh, kw, cin, multiplier] as ONNX's grouped [cin·multiplier, 1, kh, kw] (output channel c·multiplier + m, as Keras orders them). */
function onnxDepthwiseKernel(g: OnnxEmitter, t: PlainTensor, a: Window): string {
  if (a.dataFormat === 'channels_first') return g.weight(t, 'depthwise_kernel');
  const [kh, kw, cin, multiplier] = t.shape;
  return g.weight(t, 'depthwise_kernel', [2, 3, 0, 1], [cin * multiplier, 1, kh, kw]);
}

/** Conv's attributes for this window over an input of spatial sizes `size`. */
const convAttrs = (a: Window, size: readonly number[], groups: number) => ({ ...onnxWindow(geometry(a), size), dilations: { ints: a.dilationRate }, group: { int: groups } });

const biasAndActivation = (out: TensorShape, a: Window): number => (a.useBias ? numel(out) : 0) + activationCost(a.activation, numel(out));

export const conv2d = defineOp<Window & { filters: number; groups: number }>({
  kind: 'Conv2D',
  family: 'conv',
  summary: '2-D convolution; `groups` splits the channels into independent convolutions (AlexNet’s two towers).',
  attrs: { filters: int(), groups: int(1), ...windowAttrs },
  arity: { min: 1, max: 3 },
  operands: convOperands,
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
    { name: 'kernel', shape: kernelShape(a, convInput(x, a, 'Conv2D') / a.groups, a.filters), trainable: true },
    ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : []),
  ],
  macs: ([x], out, a) => numel(out) * a.kernelSize[0] * a.kernelSize[1] * (convInput(x, a, 'Conv2D') / a.groups),
  flops: ([x], out, a) => 2 * numel(out) * a.kernelSize[0] * a.kernelSize[1] * (convInput(x, a, 'Conv2D') / a.groups) + biasAndActivation(out, a),
  // TF.js's conv2d has no groups: split the channels (and the filters), convolve each group, concatenate.
  run: (tf, [x], w, a) => {
    const padding = tfjsPadding(a.dataFormat, geometry(a), 'Conv2D');
    const x4 = x as tfc.Tensor4D;
    const kernel = w.kernel as tfc.Tensor4D;
    const bias = a.useBias ? (w.bias as tfc.Tensor1D) : undefined;
    if (a.groups === 1) {
      const fused = fusedActivation(a.activation);
      if (fused) return tf.fused.conv2d({ x: x4, filter: kernel, strides: a.strides as [number, number], pad: padding, dilations: a.dilationRate as [number, number], bias, activation: fused });
      return finish(tf, tf.conv2d(x4, kernel, a.strides as [number, number], padding, 'NHWC', a.dilationRate as [number, number]), bias, a);
    }
    const xs = tf.split(x4, a.groups, 3) as tfc.Tensor4D[];
    const ks = tf.split(kernel, a.groups, 3);
    const ys = xs.map((xi, g) => tf.conv2d(xi, ks[g] as tfc.Tensor4D, a.strides as [number, number], padding, 'NHWC', a.dilationRate as [number, number]));
    return finish(tf, tf.concat(ys, 3), bias, a);
  },
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const input = onnxConvInput(g, x, shape, a);
    const y = g.node('Conv', [input.name, onnxKernel(g, w.kernel, 'kernel', a), ...(a.useBias ? [g.weight(w.bias, 'bias')] : [])], convAttrs(a, input.size, a.groups));
    return onnxActivation(g, a.activation, { name: y, perm: input.perm });
  },
});

export const depthwiseConv2d = defineOp<Window & { depthMultiplier: number }>({
  kind: 'DepthwiseConv2D',
  family: 'conv',
  summary: 'One k×k filter per input channel (times the depth multiplier); no mixing across channels.',
  attrs: { depthMultiplier: int(1), ...windowAttrs },
  arity: { min: 1, max: 3 },
  operands: ['data', { weight: 'depthwise_kernel' }, { weight: 'bias' }],
  label: (a) => `dw ${windowLabel(a)}${a.depthMultiplier !== 1 ? ` ×${a.depthMultiplier}` : ''}`,
  shape: ([x], a) => slide(x, a, convInput(x, a, 'DepthwiseConv2D') * positive(a.depthMultiplier, 'depth_multiplier'), 'DepthwiseConv2D'),
  weights: ([x], a) => {
    const cin = convInput(x, a, 'DepthwiseConv2D');
    // Channels first stores it as a grouped convolution does: [cin·multiplier, 1, kh, kw].
    const kernel = a.dataFormat === 'channels_first' ? kernelShape(a, 1, cin * a.depthMultiplier) : [...a.kernelSize, cin, a.depthMultiplier];
    return [
      { name: 'depthwise_kernel', shape: kernel, trainable: true },
      ...(a.useBias ? [{ name: 'bias', shape: [cin * a.depthMultiplier], trainable: true }] : []),
    ];
  },
  macs: (_, out, a) => numel(out) * a.kernelSize[0] * a.kernelSize[1],
  flops: (_, out, a) => 2 * numel(out) * a.kernelSize[0] * a.kernelSize[1] + biasAndActivation(out, a),
  // Keras's depthwise kernel [kh, kw, cin, multiplier] is TF.js's filter layout as it is.
  run: (tf, [x], w, a) => {
    const padding = tfjsPadding(a.dataFormat, geometry(a), 'DepthwiseConv2D');
    const bias = a.useBias ? (w.bias as tfc.Tensor1D) : undefined;
    const fused = fusedActivation(a.activation);
    const args = [x as tfc.Tensor4D, w.depthwise_kernel as tfc.Tensor4D, a.strides as [number, number], padding, 'NHWC', a.dilationRate as [number, number]] as const;
    if (fused) return tf.fused.depthwiseConv2d({ x: args[0], filter: args[1], strides: args[2], pad: args[3], dataFormat: 'NHWC', dilations: args[5], bias, activation: fused });
    return finish(tf, tf.depthwiseConv2d(...args), bias, a);
  },
  // A grouped Conv with one group per input channel.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const input = onnxConvInput(g, x, shape, a);
    const cin = shape[channelAxisOf(4, a.dataFormat)] as number;
    const y = g.node('Conv', [input.name, onnxDepthwiseKernel(g, w.depthwise_kernel, a), ...(a.useBias ? [g.weight(w.bias, 'bias')] : [])], convAttrs(a, input.size, cin));
    return onnxActivation(g, a.activation, { name: y, perm: input.perm });
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
    const cin = convInput(x, a, 'SeparableConv2D');
    const mid = cin * a.depthMultiplier;
    const depthwise = a.dataFormat === 'channels_first' ? kernelShape(a, 1, mid) : [...a.kernelSize, cin, a.depthMultiplier];
    return [
      { name: 'depthwise_kernel', shape: depthwise, trainable: true },
      { name: 'pointwise_kernel', shape: a.dataFormat === 'channels_first' ? [a.filters, mid, 1, 1] : [1, 1, mid, a.filters], trainable: true },
      ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : []),
    ];
  },
  macs: ([x], out, a) => {
    const mid = convInput(x, a, 'SeparableConv2D') * a.depthMultiplier;
    const positions = numel(out) / a.filters;
    return positions * mid * (a.kernelSize[0] * a.kernelSize[1] + a.filters);
  },
  flops: ([x], out, a) => {
    const mid = convInput(x, a, 'SeparableConv2D') * a.depthMultiplier;
    return (2 * numel(out) / a.filters) * mid * (a.kernelSize[0] * a.kernelSize[1] + a.filters) + biasAndActivation(out, a);
  },
  run: (tf, [x], w, a) => {
    const padding = tfjsPadding(a.dataFormat, geometry(a), 'SeparableConv2D');
    const y = tf.separableConv2d(x as tfc.Tensor4D, w.depthwise_kernel as tfc.Tensor4D, w.pointwise_kernel as tfc.Tensor4D, a.strides as [number, number], padding, a.dilationRate as [number, number], 'NHWC');
    return finish(tf, y, a.useBias ? w.bias : undefined, a);
  },
  // Two Convs: the depthwise one (one group per input channel, no bias), then a 1×1 over all channels with the bias.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const input = onnxConvInput(g, x, shape, a);
    const cin = shape[channelAxisOf(4, a.dataFormat)] as number;
    const depthwise = g.node('Conv', [input.name, onnxDepthwiseKernel(g, w.depthwise_kernel, a)], convAttrs(a, input.size, cin));
    const pointwise = g.node('Conv', [depthwise, onnxKernel(g, w.pointwise_kernel, 'pointwise_kernel', a), ...(a.useBias ? [g.weight(w.bias, 'bias')] : [])], { kernel_shape: { ints: [1, 1] } });
    return onnxActivation(g, a.activation, { name: pointwise, perm: input.perm });
  },
});

type Transposed = Window & { filters: number; groups: number; outputPadding: Pair | null; outputShape: Pair | null };

/**
 * Output length of a transposed convolution along spatial axis `i`. Keras's deconv_output_length for
 * 'valid' and 'same' (output_padding, when given, as Keras applies it); ONNX's rule for explicit pads,
 * stride·(in − 1) + output_padding + dilated kernel − pads; ONNX's output_shape, when given, wins.
 */
function transposedLength(size: Dim, a: Transposed, i: 0 | 1): Dim {
  if (a.outputShape) return a.outputShape[i];
  if (size === null) return null;
  const s = a.strides[i];
  const k = a.dilationRate[i] * (a.kernelSize[i] - 1) + 1;
  const extra = a.outputPadding?.[i];
  switch (a.padding) {
    case 'same':
    case 'same_lower':
      return extra === undefined ? size * s : (size - 1) * s + k - 2 * Math.floor(k / 2) + extra;
    case 'valid':
      return extra === undefined ? size * s + Math.max(k - s, 0) : (size - 1) * s + k + extra;
    case 'explicit':
      return (size - 1) * s + k - a.pads[i] - a.pads[i + 2] + (extra ?? 0);
  }
}

export const conv2dTranspose = defineOp<Transposed>({
  kind: 'Conv2DTranspose',
  family: 'conv',
  summary: 'Transposed ("fractionally strided") convolution: upsamples by the stride; `groups` as for Conv2D.',
  attrs: { filters: int(), groups: int(1), outputPadding: nullable(pair()), outputShape: nullable(pair()), ...windowAttrs },
  arity: { min: 1, max: 3 },
  operands: convOperands,
  // Johnson et al. write a stride-2 transposed convolution as "stride ½".
  label: (a) => `${a.kernelSize.join('×')}${a.strides[0] === 1 ? '' : ` / 1/${a.strides[0]}`}, ${a.filters}`.replace('1/2', '½'),
  shape: ([x], a) => {
    const cin = convInput(x, a, 'Conv2DTranspose');
    positive(a.filters, 'filters');
    positive(a.groups, 'groups');
    if (cin % a.groups !== 0) throw new ShapeError(`groups=${a.groups} does not divide the ${cin} input channels`);
    if (a.filters % a.groups !== 0) throw new ShapeError(`groups=${a.groups} does not divide filters=${a.filters}`);
    const [h, w] = spatialAxesOf(4, a.dataFormat);
    const spatial = [transposedLength(x[h], a, 0), transposedLength(x[w], a, 1)];
    const out = a.dataFormat === 'channels_first' ? [x[0], a.filters, ...spatial] : [x[0], ...spatial, a.filters];
    if (spatial.some((d) => d !== null && d < 1)) throw new ShapeError(`Conv2DTranspose window ${a.kernelSize.join('×')} does not fit the input ${formatShape(x)}: the output would be ${formatShape(out)}`);
    return out;
  },
  // Keras [kh, kw, filters, cin]; ONNX [cin, filters/groups, kh, kw].
  weights: ([x], a) => {
    const cin = convInput(x, a, 'Conv2DTranspose');
    const kernel = a.dataFormat === 'channels_first' ? [cin, a.filters / a.groups, ...a.kernelSize] : [...a.kernelSize, a.filters / a.groups, cin];
    return [{ name: 'kernel', shape: kernel, trainable: true }, ...(a.useBias ? [{ name: 'bias', shape: [a.filters], trainable: true }] : [])];
  },
  // Counted on the input grid (every input value meets k·k·filters/groups weights), as torchvision,
  // fvcore and Netscope do; ptflops counts the output grid, which is stride² larger.
  macs: ([x], _, a) => numel(x) * a.kernelSize[0] * a.kernelSize[1] * (a.filters / a.groups),
  flops: ([x], out, a) => 2 * numel(x) * a.kernelSize[0] * a.kernelSize[1] * (a.filters / a.groups) + biasAndActivation(out, a),
  // Keras's kernel [kh, kw, filters, cin] is TF.js's [h, w, outDepth, inDepth]; the output size is this op's own
  // shape rule (Keras's deconv_output_length, output_padding included), as TensorFlow passes it to the gradient kernel.
  run: (tf, [x], w, a) => {
    const padding = tfjsPadding(a.dataFormat, geometry(a), 'Conv2DTranspose');
    if (a.dilationRate[0] !== 1 || a.dilationRate[1] !== 1) throw new Error(`Conv2DTranspose with dilation_rate ${a.dilationRate.join('×')} has no TensorFlow.js kernel`);
    if (a.groups !== 1 || a.outputShape) throw new Error('Conv2DTranspose with groups or output_shape has no TensorFlow.js kernel');
    const out = conv2dTranspose.shape([x.shape], a, []) as [number, number, number, number];
    const y = tf.conv2dTranspose(x as tfc.Tensor4D, w.kernel as tfc.Tensor4D, out, a.strides as [number, number], padding);
    return finish(tf, y, a.useBias ? w.bias : undefined, a);
  },
  // ONNX's ConvTranspose makes stride·(in − 1) + dilated kernel − pads + output_padding: the pads and
  // output_padding that give this op's own output size, split as the convolution it transposes pads.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape], outputShape }) => {
    const input = onnxConvInput(g, x, shape, a);
    const out = spatialAxesOf(4, a.dataFormat).map((i) => outputShape[i] as number);
    const begin: number[] = [];
    const end: number[] = [];
    const extra: number[] = [];
    input.size.forEach((size, i) => {
      const made = (size - 1) * a.strides[i] + a.dilationRate[i] * (a.kernelSize[i] - 1) + 1;
      if (a.padding === 'explicit') {
        [begin[i], end[i]] = [a.pads[i], a.pads[i + 2]];
        extra[i] = out[i] - (made - begin[i] - end[i]);
        return;
      }
      const total = made - out[i];
      begin[i] = total < 0 ? 0 : a.padding === 'same_lower' ? Math.ceil(total / 2) : Math.floor(total / 2);
      end[i] = Math.max(total, 0) - begin[i];
      extra[i] = Math.max(-total, 0);
    });
    const attrs = {
      kernel_shape: { ints: a.kernelSize },
      strides: { ints: a.strides },
      dilations: { ints: a.dilationRate },
      pads: { ints: [...begin, ...end] },
      group: { int: a.groups },
      ...(extra.some((e) => e > 0) ? { output_padding: { ints: extra } } : {}),
    };
    const y = g.node('ConvTranspose', [input.name, onnxKernel(g, w.kernel, 'kernel', a), ...(a.useBias ? [g.weight(w.bias, 'bias')] : [])], attrs);
    return onnxActivation(g, a.activation, { name: y, perm: input.perm });
  },
});

export default [conv2d, depthwiseConv2d, separableConv2d, conv2dTranspose];
