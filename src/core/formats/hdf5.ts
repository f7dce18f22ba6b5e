import type * as H5 from 'h5wasm';
import { bytesText, MAX_DATASET_BYTES } from './limits';
import { SourceError } from './source';

// HDF5 files (Keras .h5, .weights.h5, the inside of a .keras) opened with h5wasm (the HDF5 C
// library compiled to WebAssembly), and their datasets read the guarded way: a dataset's size is
// known from its shape and element size before a byte is read, and a small file can declare a huge
// sparse or compressed dataset (8 KB on disk, 4 GB when read). So every read is checked first, one
// dataset against MAX_DATASET_BYTES, and all the datasets of one file against a budget from the
// file's own size (weights are stored, not generated: uncompressed Keras files hold every byte).

type H5Module = typeof H5;
let h5Module: Promise<H5Module> | undefined;
/** h5wasm's main entry: it keeps files in its own in-memory file system, in Node and browsers alike. */
export async function hdf5(): Promise<H5Module> {
  h5Module ??= import('h5wasm').then(async (m) => {
    await m.ready;
    // HDF5's errors as exceptions (turned into a one-line reason by hdf5Reason), not its stack printed on stderr.
    m.Module?.activate_throwing_error_handler?.();
    return m;
  });
  return h5Module;
}

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
/** Opens HDF5 bytes read-only as `file` (for messages), runs `body`, and always closes and removes the in-memory copy. */
export async function withHdf5<T>(bytes: Uint8Array, file: string, body: (h5: Hdf5File) => T): Promise<T> {
  const h5 = await hdf5();
  const name = `/cnn-lens-${++scratch}.h5`;
  h5.FS!.writeFile(name, bytes);
  let root: H5.File | undefined;
  let left = datasetBudgetFor(bytes.length);
  try {
    root = new h5.File(name, 'r');
    const opened: H5.File = root;
    return body({
      name: file,
      root: opened,
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
    });
  } finally {
    root?.close();
    h5.FS!.unlink(name);
  }
}
