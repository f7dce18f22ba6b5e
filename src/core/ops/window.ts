import type { OnnxAttr } from '../engine/onnx-emitter';
import type { Dim, TensorShape } from '../ir';
import { bool, ints, oneOf } from './attrs';
import { ShapeError } from './op';
import { formatShape } from './tensor-math';

// Layout and sliding-window geometry shared by convolutions and pooling, for every format:
// channels last (Keras, TFLite) or first (ONNX, Caffe); padding by rule (valid, same, same_lower)
// or explicit four-sided amounts; floor or ceil rounding (ONNX/PyTorch pooling's ceil_mode).

export type Layout = 'channels_last' | 'channels_first';
export const layoutAttr = oneOf(['channels_last', 'channels_first'] as const, 'channels_last');

/**
 * 'same' pads so that out = ceil(in / stride) with the odd pixel at the end (TensorFlow's SAME, ONNX
 * SAME_UPPER); 'same_lower' puts it at the start (ONNX SAME_LOWER); 'explicit' uses `pads`.
 */
export type Padding = 'valid' | 'same' | 'same_lower' | 'explicit';
export const paddingAttr = oneOf(['valid', 'same', 'same_lower', 'explicit'] as const, 'valid');
/** Explicit pads in ONNX's order [h_begin, w_begin, h_end, w_end]; read only when padding is 'explicit'. */
export const padsAttr = ints([0, 0, 0, 0]);
export const ceilModeAttr = bool(false);

type Pair = readonly [number, number];

export interface Geometry {
  readonly kernel: Pair;
  readonly strides: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
  readonly pads: readonly number[];
  readonly ceilMode?: boolean;
}

/** The channel axis of a tensor of this rank. */
export const channelAxisOf = (rank: number, layout: Layout): number => (layout === 'channels_first' ? 1 : rank - 1);

/** The axes between batch and channels (H, W for a 4-D image tensor). */
export const spatialAxesOf = (rank: number, layout: Layout): number[] =>
  Array.from({ length: Math.max(rank - 2, 0) }, (_, i) => (layout === 'channels_first' ? i + 2 : i + 1));

/** Checks the explicit pads' form once, so every rule that reads them can trust it. */
export function checkPads(g: Geometry, what: string): void {
  if (g.padding !== 'explicit') return;
  if (g.pads.length !== 4) throw new ShapeError(`${what}: pads must be [h_begin, w_begin, h_end, w_end], got ${JSON.stringify(g.pads)}`);
  if (g.pads.some((p) => p < 0)) throw new ShapeError(`${what}: pads must not be negative, got ${JSON.stringify(g.pads)}`);
}

/**
 * Output length of a sliding window along spatial axis `i` (0: height, 1: width). With ceil_mode the
 * last window must still start inside the input or the leading padding (PyTorch's and ONNX
 * Runtime's rule), so a window that would start in the trailing padding only is dropped.
 */
export function windowLength(size: Dim, g: Geometry, i: 0 | 1): Dim {
  if (size === null) return null;
  const stride = g.strides[i];
  if (g.padding === 'same' || g.padding === 'same_lower') return Math.ceil(size / stride);
  const effective = g.dilation[i] * (g.kernel[i] - 1) + 1;
  const [begin, end] = g.padding === 'explicit' ? [g.pads[i], g.pads[i + 2]] : [0, 0];
  const span = size + begin + end - effective;
  if (span < 0) return 0;
  if (!g.ceilMode) return Math.floor(span / stride) + 1;
  const out = Math.ceil(span / stride) + 1;
  return (out - 1) * stride >= size + begin ? out - 1 : out;
}

/** The spatial output shape of a window over `x` in this layout, with `channels` output channels. */
export function slideShape(x: TensorShape, layout: Layout, g: Geometry, channels: Dim, what: string): TensorShape {
  const [h, w] = spatialAxesOf(4, layout);
  const spatial = [windowLength(x[h], g, 0), windowLength(x[w], g, 1)];
  const out = layout === 'channels_first' ? [x[0], channels, ...spatial] : [x[0], ...spatial, channels];
  if (spatial.some((d) => d !== null && d < 1)) {
    throw new ShapeError(`${what} does not fit the input ${formatShape(x)}: the output would be ${formatShape(out)}`);
  }
  return out;
}

/** A short description of the padding for labels and messages ('same', 'pads 1,1,2,2'). */
export const describePadding = (g: Geometry): string => (g.padding === 'explicit' ? `pads ${g.pads.join(',')}` : g.padding);

/**
 * The TensorFlow.js padding for a kernel: only channels-last tensors with Keras's 'valid' or 'same'
 * run there. Anything else (ONNX layouts and pads) would compute different numbers, so it refuses.
 */
export function tfjsPadding(layout: Layout, g: Geometry, what: string): 'valid' | 'same' {
  if (layout !== 'channels_last') throw new Error(`${what} in channels_first layout has no TensorFlow.js kernel (ONNX models run through ONNX Runtime)`);
  if ((g.padding !== 'valid' && g.padding !== 'same') || g.ceilMode) throw new Error(`${what} with ${describePadding(g)}${g.ceilMode ? ', ceil_mode' : ''} has no TensorFlow.js kernel`);
  return g.padding;
}

/**
 * ONNX's explicit pads [h_begin, w_begin, h_end, w_end] for a window over spatial sizes `size`:
 * 'same' as TensorFlow pads (the odd pixel at the end), 'same_lower' at the start. Explicit pads
 * rather than auto_pad, so the file says exactly what is computed.
 */
export function onnxPads(g: Geometry, size: readonly number[]): number[] {
  if (g.padding === 'explicit') return [...g.pads];
  if (g.padding === 'valid') return [0, 0, 0, 0];
  const total = [0, 1].map((i) => Math.max((Math.ceil(size[i] / g.strides[i]) - 1) * g.strides[i] + g.dilation[i] * (g.kernel[i] - 1) + 1 - size[i], 0));
  const begin = total.map((t) => (g.padding === 'same_lower' ? Math.ceil(t / 2) : Math.floor(t / 2)));
  return [...begin, ...total.map((t, i) => t - begin[i])];
}

/** The attributes ONNX's Conv, MaxPool and AveragePool share, for a window over spatial sizes `size`. */
export const onnxWindow = (g: Geometry, size: readonly number[]): Record<string, OnnxAttr> => ({
  kernel_shape: { ints: g.kernel },
  strides: { ints: g.strides },
  pads: { ints: onnxPads(g, size) },
  ...(g.ceilMode ? { ceil_mode: { int: 1 } } : {}),
});
