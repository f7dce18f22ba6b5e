import type { TextField, TextMessage, TextScalar } from './text-format';

// Typed reading of a schema-less text-format message (text-format.ts) by field name, with
// caffe.proto's defaults supplied by the caller: repeated fields are all the fields of that name.

export const all = (m: TextMessage | undefined, name: string): TextField[] => (m ? m.fields.filter((f) => f.name === name) : []);

export const first = (m: TextMessage | undefined, name: string): TextField | undefined => m?.fields.find((f) => f.name === name);

/** The sub-message of that name (the first, as protobuf merges repeated occurrences of a singular one). */
export const sub = (m: TextMessage | undefined, name: string): TextMessage | undefined => {
  const v = first(m, name)?.value;
  return v?.kind === 'message' ? v : undefined;
};

const scalar = (f: TextField | undefined): TextScalar | undefined => (f && f.value.kind !== 'message' ? f.value : undefined);

/** A number field, else the default; booleans (`true`/`false`) read as 1 and 0. */
export function num(m: TextMessage | undefined, name: string, def: number): number;
export function num(m: TextMessage | undefined, name: string): number | undefined;
export function num(m: TextMessage | undefined, name: string, def?: number): number | undefined {
  const v = scalar(first(m, name));
  if (v?.kind === 'number') return v.value;
  if (v?.kind === 'identifier' && /^(true|false)$/i.test(v.value)) return /^true$/i.test(v.value) ? 1 : 0;
  return def;
}

/** Every value of a repeated number field (`dim: 1 dim: 3`, `kernel_size: [3, 3]`). */
export const nums = (m: TextMessage | undefined, name: string): number[] =>
  all(m, name).flatMap((f) => (f.value.kind === 'number' ? [f.value.value] : []));

export const bool = (m: TextMessage | undefined, name: string, def: boolean): boolean => {
  const n = num(m, name);
  return n === undefined ? def : n !== 0;
};

/** A string or enum field's text ('Convolution', 'MAX'); numbers (enum values written as numbers) as their digits. */
export const str = (m: TextMessage | undefined, name: string): string | undefined => {
  const v = scalar(first(m, name));
  return v === undefined ? undefined : String(v.value);
};

export const strs = (m: TextMessage | undefined, name: string): string[] =>
  all(m, name).flatMap((f) => (f.value.kind !== 'message' ? [String(f.value.value)] : []));

/** The fields as plain values for the inspector (sub-messages nested, repeated fields as lists). */
export function plain(m: TextMessage): Record<string, unknown> {
  const out: Record<string, unknown[]> = {};
  for (const f of m.fields) (out[f.name] ??= []).push(f.value.kind === 'message' ? plain(f.value) : f.value.value);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}
