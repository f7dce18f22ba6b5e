import * as flatbuffers from 'flatbuffers';
import type { AttrValue, DType } from '../../ir';
import { BuiltinOperator, Model, TensorType, type SubGraph, type Tensor } from './schema_generated';
import { readOptions } from './options';

// Reads a .tflite FlatBuffer into plain tables with the generated reader (schema_generated.ts, from
// TFLite's schema.fbs), checking what an untrusted file can get wrong before anything is allocated:
// the file identifier, every read inside the file, every vector's length against the file's size,
// every buffer inside the file. The flatbuffers runtime does not check bounds itself (a read past
// the end gives undefined bits, read as 0), so the byte buffer it reads through does.

export interface TfliteQuantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** The axis the scales run along (per-channel quantisation); 0 otherwise. */
  readonly axis: number;
}

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  /** The stored element type as the IR names it; undefined for types CNN Lens does not size (resource, variant). */
  readonly dtype?: DType;
  /** TFLite's own name of the type (FLOAT16, INT8). */
  readonly typeName: string;
  readonly shape: readonly number[];
  /** The shape with -1 where a dimension is open (shape_signature), when the file writes one. */
  readonly signature?: readonly number[];
  readonly buffer: number;
  readonly quantization?: TfliteQuantization;
  readonly isVariable: boolean;
  /** Stored sparse (SparsityParameters): its buffer holds the non-zero blocks only, not shape × type bytes. */
  readonly sparse: boolean;
  /** Its data lives in an external file (schema 3d's external_buffer; 0 = none). */
  readonly externalBuffer: number;
}

/** Where a buffer's bytes are in the file (empty buffers have length 0), or why they cannot be read. */
export interface TfliteBuffer {
  readonly offset: number;
  readonly length: number;
  /** Set when the buffer's bytes are not inside the file (the tensors reading it are reported). */
  readonly problem?: string;
}

export interface TfliteOperator {
  readonly index: number;
  /** TFLite's name of the builtin (CONV_2D), or CUSTOM. */
  readonly builtin: string;
  /** A custom op's own name (custom_code). */
  readonly custom?: string;
  readonly version: number;
  /** Tensor indices; -1 marks an optional input left out. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The builtin options under TFLite's names (stride_w, fused_activation_function: 'RELU6'). */
  readonly options: Readonly<Record<string, AttrValue>>;
  /** A custom op's options: bytes only the op itself knows how to read. */
  readonly customOptions?: Uint8Array;
}

export interface TfliteSubgraph {
  readonly name: string;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly subgraphs: readonly TfliteSubgraph[];
  readonly buffers: readonly TfliteBuffer[];
}

/** A file this reader refuses, with the reason in a user's words (the caller adds the file name). */
export class TfliteReadError extends Error {}

const IDENTIFIER = 'TFL3';

/** A read past the end of the file: the FlatBuffer is truncated, or an offset in it is corrupt. */
class OutOfBounds extends Error {
  constructor(readonly at: number) {
    super(`byte ${at}`);
  }
}

/** The runtime's ByteBuffer with every scalar and string read checked against the file's end. */
class CheckedByteBuffer extends flatbuffers.ByteBuffer {
  private check(offset: number, size: number): void {
    if (!(offset >= 0 && offset + size <= this.capacity())) throw new OutOfBounds(offset + size);
  }
  override readUint8(offset: number): number {
    this.check(offset, 1);
    return super.readUint8(offset);
  }
  override readUint16(offset: number): number {
    this.check(offset, 2);
    return super.readUint16(offset);
  }
  override readInt32(offset: number): number {
    this.check(offset, 4);
    return super.readInt32(offset);
  }
  override __string(offset: number, encoding?: flatbuffers.Encoding): string | Uint8Array {
    const at = offset + this.readInt32(offset);
    this.check(at + 4, this.readInt32(at));
    return super.__string(offset, encoding);
  }
}

/** TFLite's tensor types as the IR's dtypes (resource and variant handles have no size). */
const DTYPES: Partial<Record<number, DType>> = {
  [TensorType.FLOAT32]: 'float32', [TensorType.FLOAT16]: 'float16', [TensorType.INT32]: 'int32', [TensorType.UINT8]: 'uint8',
  [TensorType.INT64]: 'int64', [TensorType.STRING]: 'string', [TensorType.BOOL]: 'bool', [TensorType.INT16]: 'int16',
  [TensorType.COMPLEX64]: 'complex64', [TensorType.INT8]: 'int8', [TensorType.FLOAT64]: 'float64', [TensorType.COMPLEX128]: 'complex128',
  [TensorType.UINT64]: 'uint64', [TensorType.UINT32]: 'uint32', [TensorType.UINT16]: 'uint16', [TensorType.INT4]: 'int4',
};

/** The four bytes at 4..8 of a FlatBuffer: its file identifier ('TFL3' for TFLite), or '' when the file is too short. */
export function fileIdentifier(bytes: Uint8Array): string {
  return bytes.length >= 8 ? String.fromCharCode(...bytes.subarray(4, 8)) : '';
}

/** Reads the model; a TfliteReadError for a file that is not a readable TFLite FlatBuffer. */
export function readTflite(input: Uint8Array): TfliteModel {
  if (input.length < 8) throw new TfliteReadError(`the file has ${input.length} bytes, too few for a FlatBuffer`);
  const id = fileIdentifier(input);
  if (id !== IDENTIFIER) {
    const shown = /^[\x20-\x7e]{4}$/.test(id) ? `"${id}"` : `bytes ${[...input.subarray(4, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
    throw new TfliteReadError(`the file identifier is ${shown}, not "${IDENTIFIER}": it is not a TFLite model (a FlatBuffer of another schema, or another kind of file)`);
  }
  // Typed-array views need aligned offsets; a file read into a pooled Node buffer may not be.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  try {
    return new Reader(bytes).model();
  } catch (e) {
    if (e instanceof OutOfBounds) throw new TfliteReadError(`the file has ${bytes.length} bytes, but its tables reach ${e.message}: it is truncated or corrupt`);
    throw e;
  }
}

class Reader {
  private readonly bb: flatbuffers.ByteBuffer;
  /** Bytes of the file: no vector of it can hold more elements than this. */
  private readonly size: number;

  constructor(private readonly bytes: Uint8Array) {
    this.bb = new CheckedByteBuffer(bytes);
    this.size = bytes.length;
  }

  model(): TfliteModel {
    const root = this.bb.readUint32(0);
    if (root + 4 > this.size) throw new TfliteReadError(`the root table is at byte ${root}, past the end of the file (${this.size} bytes): the file is truncated`);
    const m = Model.getRootAsModel(this.bb);
    const version = m.version();
    const codes = this.count(m.operatorCodesLength(), 'operator codes');
    const opcodes = Array.from({ length: codes }, (_, i) => {
      const c = m.operatorCodes(i)!;
      // Files from before schema 3a set only deprecated_builtin_code; newer ones set both, and codes of 127
      // and more only in builtin_code. TFLite reads the larger of the two (schema_utils' GetBuiltinCode).
      const code = Math.max(c.builtinCode(), c.deprecatedBuiltinCode());
      return { builtin: BuiltinOperator[code] ?? `builtin ${code}`, custom: code === BuiltinOperator.CUSTOM ? this.text(() => c.customCode()) || '(unnamed custom op)' : undefined, version: c.version() };
    });
    const buffers = Array.from({ length: this.count(m.buffersLength(), 'buffers') }, (_, i) => this.buffer(m, i));
    const subgraphs = Array.from({ length: this.count(m.subgraphsLength(), 'subgraphs') }, (_, i) => this.subgraph(m.subgraphs(i)!, i, opcodes));
    if (!subgraphs.length) throw new TfliteReadError('the model has no subgraph');
    return { version, description: this.text(() => m.description()), subgraphs, buffers };
  }

  /** A vector's length, refused when the file cannot hold that many elements (a corrupt or truncated file). */
  private count(n: number, what: string, elementBytes = 4): number {
    if (n * elementBytes > this.size) throw new TfliteReadError(`the file declares ${n} ${what}, more than its ${this.size} bytes can hold: it is truncated or corrupt`);
    return n;
  }

  /** A typed-array read (the runtime makes a view, which throws past the end of the file). */
  private array<T>(read: () => T | null, what: string): T | null {
    try {
      return read();
    } catch (e) {
      throw new TfliteReadError(`${what} lies past the end of the file (${this.size} bytes): the file is truncated or corrupt (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  private text(read: () => string | null): string {
    return read() ?? '';
  }

  private buffer(m: Model, i: number): TfliteBuffer {
    const b = m.buffers(i)!;
    // Models over 2 GB keep buffer bytes after the FlatBuffer, at offset/size (offset > 1 means "in use").
    const offset = Number(b.offset());
    if (offset > 1) {
      const length = Number(b.size());
      if (offset + length > this.size) return { offset: 0, length: 0, problem: `buffer ${i} declares bytes ${offset}–${offset + length}, past the end of the file (${this.size} bytes)` };
      return { offset, length };
    }
    try {
      const data = b.dataArray();
      return data ? { offset: data.byteOffset - this.bytes.byteOffset, length: data.byteLength } : { offset: 0, length: 0 };
    } catch {
      return { offset: 0, length: 0, problem: `buffer ${i}'s data lies past the end of the file (${this.size} bytes): the file is truncated or corrupt` };
    }
  }

  private subgraph(g: SubGraph, index: number, opcodes: readonly { builtin: string; custom?: string; version: number }[]): TfliteSubgraph {
    const where = `subgraph ${index}`;
    const tensors = Array.from({ length: this.count(g.tensorsLength(), `tensors in ${where}`) }, (_, i) => this.tensor(g.tensors(i)!, i, where));
    const indices = (read: () => Int32Array | null, what: string) => [...(this.array(read, `${what} of ${where}`) ?? [])];
    const operators = Array.from({ length: this.count(g.operatorsLength(), `operators in ${where}`) }, (_, i) => {
      const op = g.operators(i)!;
      const what = `operator ${i} of ${where}`;
      const code = opcodes[op.opcodeIndex()];
      if (!code) throw new TfliteReadError(`${what} uses operator code ${op.opcodeIndex()}, but the model lists ${opcodes.length}`);
      const inputs = indices(() => op.inputsArray(), `the inputs of operator ${i}`);
      const outputs = indices(() => op.outputsArray(), `the outputs of operator ${i}`);
      for (const t of [...inputs, ...outputs]) if (t < -1 || t >= tensors.length) throw new TfliteReadError(`${what} (${code.custom ?? code.builtin}) names tensor ${t}, but ${where} has ${tensors.length}`);
      const customOptions = code.custom !== undefined ? this.array(() => op.customOptionsArray(), `the custom options of ${what}`) ?? undefined : undefined;
      return { index: i, ...code, inputs, outputs, options: readOptions(op), ...(customOptions ? { customOptions } : {}) };
    });
    const inputs = indices(() => g.inputsArray(), 'the inputs');
    const outputs = indices(() => g.outputsArray(), 'the outputs');
    for (const t of [...inputs, ...outputs]) if (t < 0 || t >= tensors.length) throw new TfliteReadError(`${where} names tensor ${t} among its inputs or outputs, but has ${tensors.length}`);
    return { name: this.text(() => g.name()), tensors, operators, inputs, outputs };
  }

  private tensor(t: Tensor, index: number, where: string): TfliteTensor {
    const name = this.text(() => t.name()) || `tensor ${index}`;
    const what = `tensor ${index} ("${name}") of ${where}`;
    const type = t.type();
    const shape = [...(this.array(() => t.shapeArray(), `the shape of ${what}`) ?? [])];
    const signature = this.array(() => t.shapeSignatureArray(), `the shape signature of ${what}`);
    const q = t.quantization();
    let quantization: TfliteQuantization | undefined;
    if (q) {
      const scale = [...(this.array(() => q.scaleArray(), `the quantisation scales of ${what}`) ?? [])];
      // int64 vectors have no typed-array accessor in flatc 2.0.8: element by element, after a length check.
      const zeroPoint = Array.from({ length: this.count(q.zeroPointLength(), `zero points of ${what}`, 8) }, (_, i) => Number(q.zeroPoint(i) ?? 0));
      if (scale.length) quantization = { scale, zeroPoint, axis: q.quantizedDimension() };
    }
    return {
      index,
      name,
      dtype: DTYPES[type],
      typeName: TensorType[type] ?? `type ${type}`,
      shape,
      signature: signature?.length ? [...signature] : undefined,
      buffer: t.buffer(),
      quantization,
      isVariable: t.isVariable(),
      sparse: t.sparsity() !== null,
      externalBuffer: t.externalBuffer(),
    };
  }
}
