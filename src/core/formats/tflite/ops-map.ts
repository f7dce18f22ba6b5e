import type { AttrValue, Attrs } from '../../ir';
import type { TfliteOperator, TfliteTensor } from './read';

// TFLite's builtin operators onto the op table, NHWC throughout. Only the mapping lives here: every
// shape and cost rule is the op's own (src/core/ops). TFLite stores kernels in its own layouts —
// CONV_2D and TRANSPOSE_CONV [out, kh, kw, in] (OHWI), DEPTHWISE_CONV_2D [1, kh, kw, in·multiplier]
// (1HWO), FULLY_CONNECTED [units, in] — so shapes come from the weight tensors read in those
// layouts, and STORED_LAYOUTS says how the engine re-lays them out as the ops declare them (Keras's).

export interface TfliteInputView {
  readonly tensor: TfliteTensor;
  /** The tensor holds data in the file (a weight, a shape operand). */
  readonly constant: boolean;
  /** Values of small constant integer tensors (shapes, axes, paddings). */
  readonly values?: readonly number[];
}

export interface TfliteNodeView {
  readonly op: TfliteOperator;
  /** One per input position; null where an optional input is left out (-1). */
  readonly inputs: readonly (TfliteInputView | null)[];
  readonly outputs: readonly TfliteTensor[];
}

export type Mapped = { readonly op: string; readonly attrs: Attrs; readonly inputs: readonly number[]; readonly warning?: string } | { readonly unknown: string };
type Mapper = (v: TfliteNodeView) => Mapped;

const unknown = (reason: string): Mapped => ({ unknown: reason });
const map = (op: string, attrs: Record<string, AttrValue>, inputs: readonly number[], warning?: string): Mapped => ({ op, attrs, inputs, ...(warning ? { warning } : {}) });

const opt = (v: TfliteNodeView, name: string): AttrValue | undefined => v.op.options[name];
const num = (v: TfliteNodeView, name: string, def: number): number => (typeof opt(v, name) === 'number' ? (opt(v, name) as number) : def);
const shapeOf = (v: TfliteNodeView, i: number): readonly number[] | undefined => v.inputs[i]?.tensor.shape;
const present = (v: TfliteNodeView, i: number): boolean => !!v.inputs[i];

/** TFLite's fused activations as the op table's names. */
const ACTIVATIONS: Readonly<Record<string, string>> = { NONE: 'linear', RELU: 'relu', RELU6: 'relu6', TANH: 'tanh' };

function fused(v: TfliteNodeView): string | Mapped {
  const name = String(opt(v, 'fused_activation_function') ?? 'NONE');
  return ACTIVATIONS[name] ?? unknown(`${v.op.builtin} with the fused activation ${name}, which CNN Lens does not map`);
}

const window = (v: TfliteNodeView) => ({
  strides: [num(v, 'stride_h', 1), num(v, 'stride_w', 1)],
  dilationRate: [num(v, 'dilation_h_factor', 1), num(v, 'dilation_w_factor', 1)],
  padding: opt(v, 'padding') === 'VALID' ? 'valid' : 'same', // TFLite's SAME pads the extra row at the end, as TensorFlow's
  dataFormat: 'channels_last',
});

const conv2d: Mapper = (v) => {
  const w = shapeOf(v, 1);
  const x = shapeOf(v, 0);
  const activation = fused(v);
  if (typeof activation !== 'string') return activation;
  if (w?.length !== 4 || x?.length !== 4) return unknown(`CONV_2D whose input or filter is not 4-D (${x?.length ?? '?'}-D, ${w?.length ?? '?'}-D)`);
  const groups = w[3] > 0 && x[3] % w[3] === 0 ? x[3] / w[3] : 1; // a filter over a slice of the channels is grouped
  return map('Conv2D', { filters: w[0], kernelSize: [w[1], w[2]], groups, ...window(v), useBias: present(v, 2), activation }, present(v, 2) ? [0, 1, 2] : [0, 1]);
};

const depthwise: Mapper = (v) => {
  const w = shapeOf(v, 1);
  const x = shapeOf(v, 0);
  const activation = fused(v);
  if (typeof activation !== 'string') return activation;
  if (w?.length !== 4 || x?.length !== 4 || w[0] !== 1) return unknown('DEPTHWISE_CONV_2D whose filter is not [1, kh, kw, channels]');
  // The multiplier from the shapes: older converters leave depth_multiplier unset or wrong.
  if (x[3] <= 0 || w[3] % x[3] !== 0) return unknown(`DEPTHWISE_CONV_2D with ${w[3]} output channels over ${x[3]} input channels`);
  return map('DepthwiseConv2D', { depthMultiplier: w[3] / x[3], kernelSize: [w[1], w[2]], ...window(v), useBias: present(v, 2), activation }, present(v, 2) ? [0, 1, 2] : [0, 1]);
};

const fullyConnected: Mapper = (v) => {
  const w = shapeOf(v, 1);
  const x = shapeOf(v, 0);
  const activation = fused(v);
  if (typeof activation !== 'string') return activation;
  if (opt(v, 'weights_format') !== undefined && opt(v, 'weights_format') !== 'DEFAULT') return unknown(`FULLY_CONNECTED with weights in the ${String(opt(v, 'weights_format'))} layout`);
  if (w?.length !== 2 || !x) return unknown('FULLY_CONNECTED whose weights are not [units, inputs]');
  // TFLite flattens a higher-rank input to [−1, inputs] unless keep_num_dims; Dense acts on the last axis.
  if (x.length !== 2 && opt(v, 'keep_num_dims') !== true) return unknown(`FULLY_CONNECTED on a ${x.length}-D input, which TFLite flattens first`);
  return map('Dense', { units: w[0], useBias: present(v, 2), activation }, present(v, 2) ? [0, 1, 2] : [0, 1]);
};

const transposeConv: Mapper = (v) => {
  const w = shapeOf(v, 1);
  const size = v.inputs[0]?.values;
  const activation = fused(v);
  if (typeof activation !== 'string') return activation;
  if (w?.length !== 4) return unknown('TRANSPOSE_CONV whose filter is not 4-D');
  if (!size || size.length !== 4) return unknown('TRANSPOSE_CONV whose output shape is computed at run time');
  const { strides, padding, dataFormat } = window(v);
  const inputs = present(v, 3) ? [2, 1, 3] : [2, 1];
  return map('Conv2DTranspose', { filters: w[0], kernelSize: [w[1], w[2]], strides, padding, outputShape: [size[1], size[2]], useBias: present(v, 3), activation, dataFormat }, inputs);
};

const merge = (kind: string): Mapper => (v) => {
  const activation = fused(v);
  return typeof activation === 'string' ? map(kind, { activation }, [0, 1]) : activation;
};

const pool = (kind: string): Mapper => (v) => {
  if (String(opt(v, 'fused_activation_function') ?? 'NONE') !== 'NONE') return unknown(`${v.op.builtin} with a fused activation`);
  const { strides, padding, dataFormat } = window(v);
  return map(kind, { poolSize: [num(v, 'filter_height', 1), num(v, 'filter_width', 1)], strides, padding, dataFormat }, [0]);
};

const mean: Mapper = (v) => {
  const axes = v.inputs[1]?.values;
  const x = shapeOf(v, 0);
  if (!axes || !x) return unknown('MEAN whose axes are computed at run time');
  const resolved = [...new Set(axes.map((a) => (a < 0 ? a + x.length : a)))].sort();
  const keepdims = opt(v, 'keep_dims') === true;
  // The mean over H and W of an image is global average pooling (Keras's GlobalAveragePooling2D converts so).
  if (x.length === 4 && resolved.length === 2 && resolved[0] === 1 && resolved[1] === 2) return map('GlobalAveragePooling2D', { keepdims, dataFormat: 'channels_last' }, [0]);
  return map('ReduceMean', { axes: resolved, keepdims }, [0]);
};

const reshape: Mapper = (v) => {
  const x = shapeOf(v, 0);
  const target = v.inputs[1]?.values ?? (opt(v, 'new_shape') as number[] | undefined) ?? v.outputs[0]?.shape;
  if (!x || !target?.length) return unknown('RESHAPE whose target shape is computed at run time');
  // Batch kept (TFLite writes it as 1 or −1): Keras's Reshape, which the engine writes; else the whole-tensor form.
  if (x[0] === 1 && (target[0] === 1 || target[0] === -1) && !target.slice(1).includes(0)) return map('Reshape', { targetShape: target.slice(1) }, [0]);
  return map('ReshapeTo', { shape: [...target] }, [0]);
};

const pad: Mapper = (v) => {
  const p = v.inputs[1]?.values;
  const x = shapeOf(v, 0);
  if (!p || !x || p.length !== 2 * x.length) return unknown(`${v.op.builtin} whose paddings are computed at run time`);
  const value = v.op.builtin === 'PADV2' ? v.inputs[2]?.values?.[0] : 0;
  if (value === undefined) return unknown('PADV2 whose constant is computed at run time');
  if (x.length === 4 && value === 0 && p[0] === 0 && p[1] === 0 && p[6] === 0 && p[7] === 0) return map('ZeroPadding2D', { padding: [[p[2], p[3]], [p[4], p[5]]] }, [0]);
  // TFLite's [[begin, end] per axis] as ONNX's [begins…, ends…].
  return map('Pad', { pads: [...p.filter((_, i) => i % 2 === 0), ...p.filter((_, i) => i % 2 === 1)], mode: 'constant', value }, [0]);
};

const resize = (interpolation: 'nearest' | 'bilinear'): Mapper => (v) => {
  const size = v.inputs[1]?.values;
  const x = shapeOf(v, 0);
  if (!size || size.length !== 2 || x?.length !== 4) return unknown(`${v.op.builtin} whose output size is computed at run time`);
  const factors = [size[0] / x[1], size[1] / x[2]];
  if (!factors.every((f) => Number.isInteger(f) && f >= 1)) return unknown(`${v.op.builtin} from ${x[1]}×${x[2]} to ${size[0]}×${size[1]}, not a whole-number upscaling`);
  const align = opt(v, 'align_corners') === true;
  const halfPixel = opt(v, 'half_pixel_centers') === true;
  // UpSampling2D samples as TensorFlow 2 does: nearest on the asymmetric grid, bilinear with half-pixel centres.
  const same = !align && (interpolation === 'nearest' ? !halfPixel : halfPixel);
  const warning = same ? undefined : `${v.op.builtin} with align_corners ${align}, half_pixel_centers ${halfPixel}: the engine samples ${interpolation === 'nearest' ? 'on the asymmetric grid' : 'with half-pixel centres'}, so values at the borders may differ from TFLite's (shapes and costs are exact)`;
  return map('UpSampling2D', { size: factors, interpolation }, [0], warning);
};

const softmax: Mapper = (v) => (num(v, 'beta', 1) === 1 ? map('Softmax', { axis: [-1] }, [0]) : unknown(`SOFTMAX with beta ${num(v, 'beta', 1)}`));

const concatenation: Mapper = (v) => {
  if (String(opt(v, 'fused_activation_function') ?? 'NONE') !== 'NONE') return unknown('CONCATENATION with a fused activation');
  return map('Concatenate', { axis: num(v, 'axis', -1) }, v.inputs.map((_, i) => i));
};

const activation = (name: string): Mapper => () => map('Activation', { activation: name }, [0]);

export const TFLITE_OPS: Readonly<Record<string, Mapper>> = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwise,
  FULLY_CONNECTED: fullyConnected,
  TRANSPOSE_CONV: transposeConv,
  ADD: merge('Add'),
  SUB: merge('Subtract'),
  MUL: merge('Multiply'),
  MAXIMUM: merge('Maximum'),
  MINIMUM: merge('Minimum'),
  AVERAGE_POOL_2D: pool('AveragePooling2D'),
  MAX_POOL_2D: pool('MaxPooling2D'),
  MEAN: mean,
  RESHAPE: reshape,
  SOFTMAX: softmax,
  LOGISTIC: activation('sigmoid'),
  HARD_SWISH: activation('hard_swish'),
  TANH: activation('tanh'),
  RELU: () => map('ReLU', {}, [0]),
  RELU6: () => map('ReLU', { maxValue: 6 }, [0]),
  LEAKY_RELU: (v) => map('LeakyReLU', { alpha: num(v, 'alpha', 0.2) }, [0]),
  CONCATENATION: concatenation,
  PAD: pad,
  PADV2: pad,
  RESIZE_BILINEAR: resize('bilinear'),
  RESIZE_NEAREST_NEIGHBOR: resize('nearest'),
  QUANTIZE: () => map('Quantize', {}, [0]),
  DEQUANTIZE: () => map('Dequantize', {}, [0]),
};

/**
 * MediaPipe's transposed convolution with bias (its segmentation and hand models): inputs, filter
 * [out, kh, kw, in], bias; its options are TFLite's TfLiteTransposeConvParams as raw little-endian
 * int32s — padding (1 SAME, 2 VALID), stride_w, stride_h — and its output size is the output tensor's.
 */
const convolution2dTransposeBias: Mapper = (v) => {
  const bytes = v.op.customOptions;
  const w = shapeOf(v, 1);
  const out = v.outputs[0]?.shape;
  if (!bytes || bytes.length < 12 || w?.length !== 4 || out?.length !== 4) return unknown(`custom operator "${v.op.custom}" without the options or shapes CNN Lens reads it by`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [padding, strideW, strideH] = [0, 4, 8].map((at) => view.getInt32(at, true));
  if (padding !== 1 && padding !== 2) return unknown(`custom operator "${v.op.custom}" with padding ${padding}`);
  return map('Conv2DTranspose', { filters: w[0], kernelSize: [w[1], w[2]], strides: [strideH, strideW], padding: padding === 1 ? 'same' : 'valid', outputShape: [out[1], out[2]], useBias: present(v, 2), dataFormat: 'channels_last' }, present(v, 2) ? [0, 1, 2] : [0, 1]);
};

/** Custom operators whose meaning is public, by their custom_code. */
const CUSTOM_OPS: Readonly<Record<string, Mapper>> = { Convolution2DTransposeBias: convolution2dTransposeBias };

/** The op a TFLite operator maps to, or why it stays opaque (a custom op, an operator not mapped yet, an unsupported form). */
export function mapTfliteOperator(v: TfliteNodeView): Mapped {
  if (v.op.custom !== undefined) return CUSTOM_OPS[v.op.custom]?.(v) ?? unknown(`custom operator "${v.op.custom}": its options are the op's own bytes, which CNN Lens does not read`);
  const mapper = TFLITE_OPS[v.op.builtin];
  return mapper ? mapper(v) : unknown(`CNN Lens does not map the TFLite operator ${v.op.builtin} yet`);
}

/**
 * How a weight stored in TFLite's layout becomes the op's declared layout, by operator and weight
 * name: a permutation of the stored axes (then reshaped to the declared shape, same element order).
 */
export const STORED_LAYOUTS: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>> = {
  CONV_2D: { kernel: [1, 2, 3, 0] }, // [out, kh, kw, in] → [kh, kw, in, out]
  TRANSPOSE_CONV: { kernel: [1, 2, 0, 3] }, // [out, kh, kw, in] → [kh, kw, out, in]
  Convolution2DTransposeBias: { kernel: [1, 2, 0, 3] }, // MediaPipe's, laid out as TRANSPOSE_CONV
  FULLY_CONNECTED: { kernel: [1, 0] }, // [units, in] → [in, units]
  DEPTHWISE_CONV_2D: { depthwise_kernel: [0, 1, 2, 3] }, // [1, kh, kw, in·m] is [kh, kw, in, m] in the same order
};
