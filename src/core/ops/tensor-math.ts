import type { Dim, TensorShape } from '../ir';
import { ShapeError } from './op';

// Small shape arithmetic shared by the op rules. Unknown dimensions (null) propagate as NaN in
// counts, so a cost that depends on an unknown size is reported as unknown, never as a wrong number.

/** Elements in a tensor of this shape; NaN when a dimension is unknown. */
export function numel(shape: TensorShape): number {
  let n = 1;
  for (const d of shape) n *= d ?? NaN;
  return n;
}

/** Elements of one batch item (everything but the leading dimension). */
export const perItem = (shape: TensorShape): number => numel(shape.slice(1));

export function requireRank(shape: TensorShape, rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(`${what} needs a ${rank}-D input (${rank === 4 ? 'batch, height, width, channels' : 'batch first'}), got ${rank === 4 && shape.length === 2 ? 'a flat ' : ''}${shape.length}-D ${formatShape(shape)}`);
  }
}

/** The last (channels) dimension, which must be known for weights to exist. */
export function channels(shape: TensorShape, what: string): number {
  const c = shape[shape.length - 1];
  if (c === null || c === undefined) throw new ShapeError(`${what} needs a known channel dimension, got ${formatShape(shape)}`);
  return c;
}

export type Padding = 'valid' | 'same';

/** Output length of a sliding window (Keras/TensorFlow rounding: floor for valid, ceil for same). */
export function windowOut(size: Dim, kernel: number, stride: number, dilation: number, padding: Padding): Dim {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  const effective = dilation * (kernel - 1) + 1;
  return size >= effective ? Math.floor((size - effective) / stride) + 1 : 0;
}

/** Output length of a transposed convolution (Keras `deconv_output_length` without output_padding). */
export function transposedOut(size: Dim, kernel: number, stride: number, dilation: number, padding: Padding): Dim {
  if (size === null) return null;
  const effective = dilation * (kernel - 1) + 1;
  return padding === 'same' ? size * stride : size * stride + Math.max(effective - stride, 0);
}

/** Checks that every spatial output is at least 1, naming the window that is too large. */
export function requirePositive(out: TensorShape, input: TensorShape, window: string): void {
  if (out.slice(1).some((d) => d !== null && d < 1)) {
    throw new ShapeError(`${window} does not fit the input ${formatShape(input)}: the output would be ${formatShape(out)}`);
  }
}

export function positive(value: number, attr: string): number {
  if (!(value > 0)) throw new ShapeError(`${attr} must be positive, got ${value}`);
  return value;
}

export const formatShape = (shape: TensorShape): string => `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
