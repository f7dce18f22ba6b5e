import * as protobuf from 'protobufjs/light';
import { DTYPE_BYTES, type DType } from '../../ir';
import descriptor from './onnx-proto.json';
import { halfToFloat } from '../../runtime/half-float';

// ONNX's protobuf messages, decoded by protobufjs from ONNX's own schema (onnx-proto.json, made from
// onnx.proto by scripts/onnx/proto-json.ts), and the TensorProto helpers the reader and the tests share.

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
export const ModelProto = root.lookupType('onnx.ModelProto');
export const TensorProto = root.lookupType('onnx.TensorProto');

/** int64 fields arrive as Long objects (protobufjs uses long.js when it is installed) or numbers. */
export type Int64 = number | { toNumber(): number };
export const num = (v: Int64 | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** TensorProto.DataType, by number (onnx.proto): unknown numbers stay unknown. */
const DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8', 18: 'float8', 19: 'float8', 20: 'float8', 21: 'uint4', 22: 'int4',
};
export const onnxDType = (code: number): DType | undefined => DTYPES[code];

/** The decoded fields of a TensorProto the reader uses (protobufjs message objects, camelCase). */
export interface TensorMessage {
  name?: string;
  dims?: Int64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  doubleData?: number[];
  uint64Data?: Int64[];
  stringData?: Uint8Array[];
  dataLocation?: number;
  externalData?: { key?: string; value?: string }[];
}

/** Tensors up to this many elements have their values decoded (shapes, axes, scales); larger ones are only measured. */
export const SMALL_TENSOR = 4096;

/** Element readers of little-endian raw data, by dtype (types without numbers have none). */
const READERS: Partial<Record<DType, (view: DataView, i: number) => number>> = {
  float32: (v, i) => v.getFloat32(i * 4, true), float64: (v, i) => v.getFloat64(i * 8, true), float16: (v, i) => halfToFloat(v.getUint16(i * 2, true)),
  bfloat16: (v, i) => new Float32Array(new Uint32Array([v.getUint16(i * 2, true) << 16]).buffer)[0],
  int8: (v, i) => v.getInt8(i), uint8: (v, i) => v.getUint8(i), bool: (v, i) => v.getUint8(i), int16: (v, i) => v.getInt16(i * 2, true), uint16: (v, i) => v.getUint16(i * 2, true),
  int32: (v, i) => v.getInt32(i * 4, true), uint32: (v, i) => v.getUint32(i * 4, true),
  int64: (v, i) => Number(v.getBigInt64(i * 8, true)), uint64: (v, i) => Number(v.getBigUint64(i * 8, true)),
};

/** Values of a little-endian raw buffer of `count` elements, or undefined for types without numbers. */
function rawValues(raw: Uint8Array, dtype: DType, count: number): number[] | undefined {
  const read = READERS[dtype];
  if (!read || raw.byteLength < count * DTYPE_BYTES[dtype]) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = read(view, i);
  return out;
}

/** Values held in the typed fields (int32_data also carries int8/uint8/int16/uint16/bool and float16's bits). */
function fieldValues(t: TensorMessage, dtype: DType): number[] | undefined {
  if (t.floatData?.length) return [...t.floatData];
  if (t.doubleData?.length) return [...t.doubleData];
  if (t.int64Data?.length) return t.int64Data.map(num);
  if (t.uint64Data?.length) return t.uint64Data.map(num);
  if (t.int32Data?.length) return dtype === 'float16' ? t.int32Data.map(halfToFloat) : [...t.int32Data];
  return undefined;
}

export interface TensorFacts {
  readonly dtype: DType | undefined;
  readonly dims: readonly number[];
  readonly elements: number;
  /** Bytes as stored: raw data's length, external data's declared length, else elements × dtype size. */
  readonly byteLength: number;
  /** Values for small tensors whose data is in the message. */
  readonly values?: readonly number[];
  /** External data: the file relative to the model and the declared slice. */
  readonly external?: { readonly file: string; readonly offset: number; readonly length?: number };
  /** Raw bytes inside the message (a view into the model file's buffer, not a copy). */
  readonly raw?: Uint8Array;
}

/** What a TensorProto declares, without copying its data. */
export function tensorFacts(t: TensorMessage): TensorFacts {
  const dtype = onnxDType(t.dataType ?? 0);
  const dims = (t.dims ?? []).map(num);
  const elements = dims.reduce((p, d) => p * d, 1);
  const perElement = dtype ? DTYPE_BYTES[dtype] : 0;
  if (t.dataLocation === 1 || t.externalData?.length) {
    const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value;
    const length = entry('length') !== undefined ? Number(entry('length')) : undefined;
    return { dtype, dims, elements, byteLength: length ?? Math.ceil(elements * perElement), external: { file: entry('location') ?? '', offset: Number(entry('offset') ?? 0), length } };
  }
  const small = elements <= SMALL_TENSOR && dtype !== undefined;
  if (elements === 0 && dtype) return { dtype, dims, elements, byteLength: 0, values: [] }; // an empty axes list is a value too
  if (t.rawData?.length) return { dtype, dims, elements, byteLength: t.rawData.byteLength, raw: t.rawData, values: small ? rawValues(t.rawData, dtype!, elements) : undefined };
  if (dtype === 'string') return { dtype, dims, elements, byteLength: (t.stringData ?? []).reduce((s, b) => s + b.byteLength, 0) };
  return { dtype, dims, elements, byteLength: Math.ceil(elements * perElement), values: small ? fieldValues(t, dtype!) : undefined };
}
