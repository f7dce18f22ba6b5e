import type { AttrValue } from '../../ir';
import type { Mapped, MappedOp, TfNodeView } from './node-view';

// Typed reads of a GraphDef node's attributes and inputs for the op mapping, with TensorFlow's defaults.

export type Mapper = (v: TfNodeView) => Mapped;

const raw = (v: TfNodeView, name: string): AttrValue | undefined => v.attrs[name];
export const str = (v: TfNodeView, name: string, def: string): string => {
  const x = raw(v, name);
  return typeof x === 'string' ? x : def;
};
export const num = (v: TfNodeView, name: string, def: number): number => {
  const x = raw(v, name);
  return typeof x === 'number' ? x : def;
};
export const flag = (v: TfNodeView, name: string, def: boolean): boolean => {
  const x = raw(v, name);
  return typeof x === 'boolean' ? x : def;
};
export const list = <T extends AttrValue>(v: TfNodeView, name: string): readonly T[] | undefined => {
  const x = raw(v, name);
  return Array.isArray(x) ? (x as T[]) : undefined;
};

/** The values of a Const input, where the shards were read. */
export const constValues = (v: TfNodeView, i: number): readonly number[] | undefined => (v.inputs[i]?.constant ? v.inputs[i].values : undefined);
/** The shape of a Const input. */
export const constShape = (v: TfNodeView, i: number): readonly number[] | undefined => (v.inputs[i]?.constant ? v.inputs[i].shape : undefined);

export const one = (op: string, attrs: MappedOp['attrs'] = {}, inputs?: readonly number[]): Mapped => ({ chain: [inputs ? { op, attrs, inputs } : { op, attrs }] });
export const unknown = (reason: string): Mapped => ({ unknown: reason });
/** The positions of every input, from `from` on. */
export const positions = (v: TfNodeView, from = 0): number[] => v.inputs.map((_, i) => i).slice(from);

/** NHWC, the layout TF.js runs; an NCHW node's weights and windows would need re-laying out, so it stays opaque. */
export function nhwc(v: TfNodeView): string | undefined {
  const format = str(v, 'data_format', 'NHWC');
  return format === 'NHWC' ? undefined : `${v.op} with data_format ${format}; CNN Lens maps NHWC graph models (the layout TF.js runs)`;
}

/** The H and W entries of an NHWC 4-vector attribute (strides, ksize, dilations): [1, h, w, 1]. */
export function spatialPair(v: TfNodeView, name: string, def: number): readonly [number, number] {
  const x = list<number>(v, name);
  return x && x.length === 4 ? [x[1], x[2]] : [def, def];
}

/** SAME, VALID, or EXPLICIT with `explicit_paddings` [0, 0, top, bottom, left, right, 0, 0] (as ONNX-ordered pads). */
export function windowPadding(v: TfNodeView): { padding: string; pads?: readonly number[] } | string {
  const padding = str(v, 'padding', 'VALID').toUpperCase();
  if (padding === 'SAME') return { padding: 'same' };
  if (padding === 'VALID') return { padding: 'valid' };
  if (padding === 'EXPLICIT') {
    const p = list<number>(v, 'explicit_paddings') ?? [];
    if (p.length !== 8) return `${v.op} with EXPLICIT padding but ${p.length} explicit_paddings (want 8)`;
    return { padding: 'explicit', pads: [p[2], p[4], p[3], p[5]] };
  }
  return `${v.op} with padding "${padding}", which TensorFlow does not define`;
}
