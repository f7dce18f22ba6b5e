import type { AttrValue, DType } from '../../ir';

// A GraphDef node's attributes as TF.js's converter writes them: TensorFlow's AttrValue protobuf in
// its JSON form. Strings are base64 bytes (`"padding": {"s": "U0FNRQ=="}`), 64-bit integers are
// decimal strings (`{"i": "1"}`), lists hold one typed array (`{"list": {"i": ["1", "2", "2", "1"]}}`),
// types are enum names (`{"type": "DT_FLOAT"}`), shapes list their dims (`{"shape": {"dim": [{"size": "-1"}]}}`).

/** An attribute that cannot be decoded (bad base64, a non-numeric integer): the reason, for the node's diagnostic. */
export class AttrDecodeError extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes base64 (TF.js writes standard base64 with padding), refusing anything else by name. */
function base64Bytes(text: string, what: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) throw new AttrDecodeError(`${what} is not base64 (${JSON.stringify(String(text).slice(0, 24))})`);
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function base64Text(text: unknown, what: string): string {
  const bytes = base64Bytes(text as string, what);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AttrDecodeError(`${what} is base64 of bytes that are not UTF-8 text`);
  }
}

function integer(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new AttrDecodeError(`${what} is not an integer (${JSON.stringify(v)})`);
  return n;
}

/** Protobuf JSON writes non-finite floats as strings. */
function real(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new AttrDecodeError(`${what} is not a number (${JSON.stringify(v)})`);
  return n;
}

interface ShapeJson {
  readonly dim?: readonly { readonly size?: string | number }[];
  readonly unknownRank?: boolean;
}

/** A TensorShapeProto's dims (-1 for unknown ones); null for an unknown rank. */
export function shapeDims(shape: ShapeJson | undefined, what: string): number[] | null {
  if (!shape || shape.unknownRank) return null;
  return (shape.dim ?? []).map((d, i) => (d.size === undefined ? 0 : integer(d.size, `${what} dimension ${i}`)));
}

/** TensorFlow's DataType enum names onto the IR's dtypes. */
const DTYPES: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16', DT_DOUBLE: 'float64',
  DT_INT8: 'int8', DT_UINT8: 'uint8', DT_INT16: 'int16', DT_UINT16: 'uint16', DT_INT32: 'int32', DT_UINT32: 'uint32',
  DT_INT64: 'int64', DT_UINT64: 'uint64', DT_BOOL: 'bool', DT_STRING: 'string', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
};
export const tfDType = (name: unknown): DType | undefined => (typeof name === 'string' ? DTYPES[name] : undefined);

/** One attribute, decoded: strings as text, integers as numbers, a shape as its dims (-1 where unknown); throws AttrDecodeError naming it. */
export function decodeAttr(name: string, value: unknown): AttrValue {
  const what = `attribute "${name}"`;
  if (!value || typeof value !== 'object') throw new AttrDecodeError(`${what} is not an AttrValue object`);
  const v = value as Record<string, unknown>;
  if ('s' in v) return base64Text(v.s, what);
  if ('i' in v) return integer(v.i, what);
  if ('f' in v) return real(v.f, what);
  if ('b' in v) return !!v.b;
  if ('type' in v) return String(v.type);
  if ('shape' in v) return shapeDims(v.shape as ShapeJson, what);
  if ('tensor' in v) {
    const t = v.tensor as { dtype?: string; tensorShape?: ShapeJson };
    return { dtype: t?.dtype ?? null, shape: shapeDims(t?.tensorShape, what) };
  }
  if ('func' in v) return String((v.func as { name?: string })?.name ?? '(function)');
  if ('list' in v) {
    const list = (v.list ?? {}) as Record<string, unknown[]>;
    if (list.s) return list.s.map((s, i) => base64Text(s, `${what} item ${i}`));
    if (list.i) return list.i.map((x, i) => integer(x, `${what} item ${i}`));
    if (list.f) return list.f.map((x, i) => real(x, `${what} item ${i}`));
    if (list.b) return list.b.map(Boolean);
    if (list.type) return list.type.map(String);
    if (list.shape) return list.shape.map((s, i) => shapeDims(s as ShapeJson, `${what} item ${i}`));
    return [];
  }
  // An AttrValue with no field set: an empty value (proto3 JSON omits defaults, e.g. {"i": "0"} may be {}).
  return null;
}
