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

/** The channel dimension (the last unless `axis` says otherwise), which must be known for weights to exist. */
export function channels(shape: TensorShape, what: string, axis = shape.length - 1): number {
  const c = shape[axis];
  if (c === null || c === undefined) throw new ShapeError(`${what} needs a known channel dimension, got ${formatShape(shape)}`);
  return c;
}

/** An axis as written (negative counts from the end) resolved against `rank`, or a ShapeError naming it. */
export function resolveAxis(axis: number, rank: number, what: string): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= rank) throw new ShapeError(`${what}: axis ${axis} is out of range for a ${rank}-D input`);
  return resolved;
}

/**
 * Numpy broadcasting (ONNX's multidirectional rule): shapes align at their last axis, and each
 * dimension is equal or 1. An unknown dimension against a known one > 1 takes the known one;
 * against 1 or another unknown it stays unknown.
 */
export function broadcastShapes(inputs: readonly TensorShape[], what: string): TensorShape {
  const rank = Math.max(...inputs.map((s) => s.length));
  return Array.from({ length: rank }, (_, axis): Dim => {
    const dims = inputs.map((s): Dim => (axis < rank - s.length ? 1 : s[s.length - rank + axis]));
    const known = dims.filter((d): d is number => d !== null && d !== 1);
    if (new Set(known).size > 1) throw new ShapeError(`${what} inputs ${inputs.map(formatShape).join(' and ')} differ at axis ${axis} (${known.join(' vs ')})`);
    return known[0] ?? (dims.includes(null) ? null : 1);
  });
}

export function positive(value: number, attr: string): number {
  if (!(value > 0)) throw new ShapeError(`${attr} must be positive, got ${value}`);
  return value;
}

export const formatShape = (shape: TensorShape): string => `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
