// NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): read and write the dtypes a model input
// comes in — float32, float64, int32, uint8 — little-endian, C order. Small enough to own: the
// format is a magic string, a header (a Python dict literal) and the raw values.
// Spec: numpy/lib/format.py ("NPY format"). No I/O here: bytes in, bytes out.

import type { TensorShape } from '../ir';

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'uint8';

export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/** A file that is not an `.npy` array CNN Lens reads; the message names the file and the reason. */
export class NpyError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's descr strings by dtype ('<' little-endian, '|' not applicable). */
const DESCR: Readonly<Record<NpyDtype, string>> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };
const BY_DESCR: Readonly<Record<string, NpyDtype>> = { '<f4': 'float32', '<f8': 'float64', '<i4': 'int32', '|u1': 'uint8', '<u1': 'uint8' };
const BYTES: Readonly<Record<NpyDtype, number>> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

/** Parses an `.npy` file's bytes. Throws an NpyError naming `file` and what is wrong. */
export function parseNpy(bytes: Uint8Array, file = 'the array'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(file, 'not a NumPy .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(file, 'truncated .npy header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(file, `.npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  if (start + headerLen > bytes.length) throw new NpyError(file, 'truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(file, `the .npy header is not understood: ${header.trim()}`);
  if (fortran === 'True') throw new NpyError(file, 'the array is stored in Fortran order; save it in C order (np.ascontiguousarray) and try again');
  const dtype = BY_DESCR[descr];
  if (!dtype) throw new NpyError(file, `dtype ${descr} is not supported: use float32, float64, int32 or uint8, little-endian (e.g. arr.astype(np.float32))`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(file, `the .npy shape (${shapeText}) is not understood`);
  const count = shape.reduce((p, d) => p * d, 1);
  const offset = start + headerLen;
  const need = count * BYTES[dtype];
  if (bytes.length - offset < need) throw new NpyError(file, `the file holds ${bytes.length - offset} bytes of data, the shape (${shape.join(', ')}) of ${dtype} needs ${need}`);
  // Copy into an aligned buffer: the data offset need not be a multiple of the element size.
  // (Buffer#slice is a view, not a copy: copy explicitly.)
  const raw = new Uint8Array(need);
  raw.set(bytes.subarray(offset, offset + need));
  const data = dtype === 'float32' ? new Float32Array(raw.buffer) : dtype === 'float64' ? new Float64Array(raw.buffer) : dtype === 'int32' ? new Int32Array(raw.buffer) : raw;
  return { dtype, shape, data };
}

/** Writes a version 1.0 `.npy` file (little-endian, C order), as `np.save` does. */
export function writeNpy(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary, ending in a newline.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + header.length);
  return out;
}

/**
 * Checks an array against a model input's shape (null dimensions match anything). An array
 * without the batch dimension (one fewer axis, the rest matching) is accepted as a batch of one:
 * the returned shape has the batch added. Throws an NpyError naming the file, the input and both shapes.
 */
export function fitNpyToInput(array: NpyArray, expected: TensorShape, inputName: string, file: string): number[] {
  const matches = (s: readonly number[]) => s.length === expected.length && expected.every((d, i) => d === null || d === s[i]);
  if (matches(array.shape)) return [...array.shape];
  const batched = [1, ...array.shape];
  if (expected.length === batched.length && (expected[0] === null || expected[0] === 1) && matches(batched)) return batched;
  const show = (s: readonly (number | null)[]) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
  throw new NpyError(file, `the array has shape ${show(array.shape)}, but the model's input ${inputName} takes ${show(expected)} (batch first; NHWC)`);
}
