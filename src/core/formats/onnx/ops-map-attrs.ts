import type { AttrValue } from '../../ir';
import type { MappedOp, OnnxNodeView, OnnxTensorAttr, UnmappedOp } from './node-view';

// Reading an ONNX node's attributes and inputs for the op mapping (ops-map*.ts): typed accessors
// that fall back to ONNX's own defaults, and the auto_pad / pads decoding windows share.

export type Mapped = MappedOp | UnmappedOp;
export type Mapper = (view: OnnxNodeView) => Mapped;

type Raw = AttrValue | OnnxTensorAttr | undefined;
const raw = (v: OnnxNodeView, name: string): Raw => v.attrs[name];

/** A number attribute (INT or FLOAT), else ONNX's default. */
export const numberAttr = (v: OnnxNodeView, name: string, def: number): number => {
  const value = raw(v, name);
  return typeof value === 'number' ? value : def;
};
export const optionalInt = (v: OnnxNodeView, name: string): number | undefined => {
  const value = raw(v, name);
  return typeof value === 'number' ? value : undefined;
};
export const intsAttr = (v: OnnxNodeView, name: string): readonly number[] | undefined => {
  const value = raw(v, name);
  return Array.isArray(value) ? (value as number[]) : undefined;
};
export const stringAttr = (v: OnnxNodeView, name: string, def: string): string => {
  const value = raw(v, name);
  return typeof value === 'string' ? value : def;
};
/** A TENSOR attribute's values (ConstantOfShape's `value`): undefined when absent, null when present but not decoded. */
export const tensorAttrValues = (v: OnnxNodeView, name: string): readonly number[] | null | undefined => {
  const value = raw(v, name) as OnnxTensorAttr | undefined;
  if (value === undefined) return undefined;
  return value?.tensor?.values ?? null;
};

export const present = (v: OnnxNodeView, i: number): boolean => !!v.inputs[i];
/** The known values of input `i` (a small constant), if any. */
export const inputValues = (v: OnnxNodeView, i: number): readonly number[] | undefined => v.inputs[i]?.values ?? undefined;
/** A declared shape whose every dimension is known. */
export const knownShape = (v: OnnxNodeView, i: number): readonly number[] | undefined => {
  const shape = v.inputs[i]?.shape;
  return shape && shape.every((d) => d !== null) ? (shape as number[]) : undefined;
};
/** The positions of the non-empty inputs among `candidates`, in order. */
export const presentInputs = (v: OnnxNodeView, ...candidates: number[]): number[] => candidates.filter((i) => present(v, i));

export const unknown = (reason: string): UnmappedOp => ({ unknown: reason });
export const op = (kind: string, attrs: MappedOp['attrs'] = {}, inputs?: readonly number[]): MappedOp => (inputs ? { op: kind, attrs, inputs } : { op: kind, attrs });

/**
 * The padding of a window op: auto_pad (NOTSET, VALID, SAME_UPPER, SAME_LOWER) and, for NOTSET,
 * the explicit `pads` in ONNX's order [h_begin, w_begin, h_end, w_end].
 */
export function windowPadding(v: OnnxNodeView): { padding: string; pads?: readonly number[] } | UnmappedOp {
  const auto = stringAttr(v, 'auto_pad', 'NOTSET').toUpperCase();
  switch (auto) {
    case 'NOTSET':
      return { padding: 'explicit', pads: intsAttr(v, 'pads') ?? [0, 0, 0, 0] };
    case 'VALID':
      return { padding: 'valid' };
    case 'SAME_UPPER':
      return { padding: 'same' };
    case 'SAME_LOWER':
      return { padding: 'same_lower' };
    default:
      return unknown(`${v.opType} with auto_pad "${auto}", which ONNX does not define`);
  }
}
