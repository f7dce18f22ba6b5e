import type * as H5 from 'h5wasm';
import { bytesText, MAX_DATASET_BYTES } from './limits';
import { SourceError } from './source';

// The HDF5 library (h5wasm: the HDF5 C library compiled to WebAssembly), shared by the formats that
// read HDF5: Keras weights files, whole-model `.h5` files and the inside of a `.keras`. It loads
// asynchronously, once; after that a file is opened synchronously, so a format's parse (which is
// synchronous) can read one. h5wasm keeps files in its own in-memory file system, in Node and
// browsers alike: the bytes are lent to it for the time of one read and removed after.
//
// Datasets are read the guarded way: a dataset's size is known from its shape and element size
// before a byte is read, and a small file can declare a huge sparse or compressed dataset (8 KB on
// disk, 4 GB when read). So every read is checked first, one dataset against MAX_DATASET_BYTES, and
// all the datasets of one file against a budget from the file's own size (weights are stored, not
// generated: uncompressed Keras files hold every byte).

export type H5Module = typeof H5;

let loading: Promise<H5Module> | undefined;
let loaded: H5Module | undefined;

/** Loads h5wasm (once); later calls return the same module. */
export async function hdf5(): Promise<H5Module> {
  loading ??= import('h5wasm').then(async (m) => {
    await m.ready;
    // HDF5's errors as exceptions (turned into a one-line reason by hdf5Reason), not its stack printed on stderr.
    m.Module?.activate_throwing_error_handler?.();
    return (loaded = m);
  });
  return loading;
}

/** h5wasm if it has loaded (`await hdf5()` first), else undefined. */
export const loadedHdf5 = (): H5Module | undefined => loaded;

/**
 * One line for an exception from HDF5: its error stack ("HDF5-DIAG: … #000: … in H5Fopen(): unable
 * to open file … #005: … in H5F_open(): file signature not found") as its first and innermost reasons.
 */
export function hdf5Reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (!message.startsWith('HDF5-DIAG')) return message;
  const reasons = [...message.matchAll(/#\d+: .* in \w+\(\): (.*)/g)].map((m) => m[1].trim());
  if (!reasons.length) return message.split('\n')[0];
  return reasons.length === 1 ? reasons[0] : `${reasons[0]}: ${reasons[reasons.length - 1]}`;
}

/** What may be read from one HDF5 file, in bytes: its own size twice over (compression), plus 64 MiB. */
export const datasetBudgetFor = (fileBytes: number): number => 2 * fileBytes + 64 * 1024 * 1024;

/** An open HDF5 file and the guarded way to read its datasets. */
export interface Hdf5File {
  /** The file's name, for messages. */
  readonly name: string;
  readonly root: H5.File;
  /**
   * A dataset's values (h5wasm's typed array or number), after checking its declared size against
   * the limits: a SourceError naming `where` when it is too large, before anything is allocated.
   */
  readDataset(ds: H5.Dataset, where: string): H5.Dataset['value'];
}

/** A dataset's declared bytes: its shape's product times its element size. */
export function declaredBytes(ds: H5.Dataset): number {
  const elements = (ds.shape ?? []).reduce((p, d) => p * d, 1);
  return elements * Math.max(1, ds.metadata.size);
}

let scratch = 0;
/** Opens HDF5 bytes read-only with a loaded h5wasm, runs `body`, and always closes and removes the in-memory copy. */
export function withHdf5Sync<T>(h5: H5Module, bytes: Uint8Array, body: (file: H5.File) => T): T {
  const name = `/cnn-lens-${++scratch}.h5`;
  // The in-memory file takes the caller's bytes as they are (canOwn: no copy of a large model); HDF5 opens it read-only.
  const stream = h5.FS!.open(name, 'w');
  try {
    h5.FS!.write(stream, bytes, 0, bytes.length, 0, true);
  } finally {
    h5.FS!.close(stream);
  }
  let file: H5.File | undefined;
  try {
    file = new h5.File(name, 'r');
    return body(file);
  } finally {
    file?.close();
    h5.FS!.unlink(name);
  }
}

/** Opens HDF5 bytes read-only as `file` (for messages) and runs `body` with the guarded dataset reader. */
export async function withHdf5<T>(bytes: Uint8Array, file: string, body: (h5: Hdf5File) => T): Promise<T> {
  let left = datasetBudgetFor(bytes.length);
  return withHdf5Sync(await hdf5(), bytes, (root) =>
    body({
      name: file,
      root,
      readDataset(ds, where) {
        const size = declaredBytes(ds);
        const shape = `(${(ds.shape ?? []).join(', ')})`;
        if (!Number.isFinite(size) || size > MAX_DATASET_BYTES) {
          throw new SourceError(file, `${where}: the dataset's shape ${shape} declares ${size.toLocaleString('en-US')} bytes, more than the ${bytesText(MAX_DATASET_BYTES)} CNN Lens reads of one dataset`);
        }
        if (size > left) {
          throw new SourceError(file, `${where}: the dataset's shape ${shape} declares ${size.toLocaleString('en-US')} bytes, more than the file (${bytes.length.toLocaleString('en-US')} bytes) can hold; a sparse or generated dataset is refused`);
        }
        left -= size;
        return ds.value;
      },
    }),
  );
}

/** The 8-byte signature every HDF5 file starts with (at offset 0 for files Keras and h5py write). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
export const isHdf5 = (b: Uint8Array): boolean => b.length >= 8 && HDF5_SIGNATURE.every((x, i) => b[i] === x);

/**
 * The file size the superblock declares (its base address plus end-of-file address), read by hand:
 * h5wasm's error for a file cut short is "name not defined", so a cut-short copy is told apart
 * before opening. Undefined when the superblock cannot be read (an unknown version).
 */
export function hdf5DeclaredSize(b: Uint8Array): number | undefined {
  if (!isHdf5(b) || b.length < 12) return undefined;
  const version = b[8];
  const offsets = version <= 1 ? b[13] : b[9];
  if (offsets !== 4 && offsets !== 8) return undefined;
  const base = version === 0 ? 24 : version === 1 ? 28 : version <= 3 ? 12 : -1;
  if (base < 0 || b.length < base + 3 * offsets) return undefined;
  const address = (at: number): number => {
    let n = 0;
    for (let k = offsets - 1; k >= 0; k--) n = n * 256 + b[at + k];
    return n;
  };
  // v0/v1: base, free-space info, end of file; v2/v3: base, superblock extension, end of file.
  const eof = address(base + 2 * offsets);
  return address(base) + eof;
}

export const isH5Group = (e: H5.Entity | null): e is H5.Group => !!e && typeof (e as H5.Group).keys === 'function' && typeof (e as H5.Group).create_group === 'function';
export const isH5Dataset = (e: H5.Entity | null): e is H5.Dataset => !!e && !isH5Group(e) && 'metadata' in (e as object) && 'shape' in (e as object);

const utf8 = new TextDecoder();
/** A string (or string-list) attribute's strings, also in Keras's chunked form (name0, name1, …); undefined when absent. */
export function stringsAttr(entity: H5.Group, name: string): string[] | undefined {
  const attrs = entity.attrs;
  const clean = (v: unknown): string[] => {
    // Keras writes an empty name list as np.asarray([]): an empty float64 array, no strings at all.
    if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array && v.length > 0)) return [];
    const list = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
    return list.map((s) => (typeof s === 'string' ? s : utf8.decode(s as Uint8Array)).replace(/[\0 ]+$/, ''));
  };
  if (name in attrs) return clean(attrs[name].value);
  if (!(`${name}0` in attrs)) return undefined;
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) out.push(...clean(attrs[`${name}${i}`].value));
  return out;
}
