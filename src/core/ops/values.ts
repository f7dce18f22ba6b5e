import type { Dim, TensorShape } from '../ir';
import type { Values } from './op';
import { numel } from './tensor-math';

// Folding: computing the values of small tensors at analysis (exporters' shape arithmetic). Every
// helper answers undefined when it cannot be sure, so a folded value is never a guess.

/** Values are folded only for tensors up to this many elements (shapes, axes, scales). */
export const FOLD_LIMIT = 4096;

export const isKnownShape = (s: TensorShape): s is readonly number[] => s.every((d) => d !== null);

/** True when `out` is small and known, so folding into it is worth doing. */
export const foldable = (out: TensorShape): out is readonly number[] => isKnownShape(out) && numel(out) <= FOLD_LIMIT;

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** The multi-index of flat position `flat` in `shape`. */
export const unflatten = (flat: number, shape: readonly number[]): number[] => {
  const strides = stridesOf(shape);
  return shape.map((d, i) => Math.floor(flat / strides[i]) % d);
};

/** Element-wise `f` over numpy-broadcast inputs whose values are all known; undefined otherwise. */
export function foldBroadcast(values: Values, inputs: readonly TensorShape[], out: TensorShape, f: (...xs: number[]) => number): number[] | undefined {
  if (!foldable(out) || inputs.length === 0) return undefined;
  const known = values.slice(0, inputs.length);
  if (known.length < inputs.length || known.some((v) => v === undefined) || !inputs.every(isKnownShape)) return undefined;
  const shapes = inputs as readonly (readonly number[])[];
  if (shapes.some((s, i) => numel(s) !== known[i]!.length)) return undefined;
  const strides = shapes.map((s) => {
    const own = stridesOf(s);
    // Aligned at the last axis; a dimension of 1 (or a missing leading one) repeats: stride 0.
    return out.map((_, axis) => {
      const i = axis - (out.length - s.length);
      return i < 0 || s[i] === 1 ? 0 : own[i];
    });
  });
  return Array.from({ length: numel(out) }, (_, flat) => {
    const index = unflatten(flat, out);
    return f(...known.map((v, k) => v![index.reduce((at, d, axis) => at + d * strides[k][axis], 0)]));
  });
}

/** A scalar or one-element operand's number (Clip's bounds, Range's start), if known. */
export const scalarOf = (v: readonly number[] | undefined): number | undefined => (v && v.length === 1 ? v[0] : undefined);

/** Dims as a folded shape value: known only when every dim is. */
export const dimsValue = (dims: readonly Dim[]): number[] | undefined => (dims.every((d) => d !== null) ? (dims as number[]) : undefined);
