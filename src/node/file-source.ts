import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import { MAX_ONE_READ, READ_LIMITS, tooLargeReason, type FileKind } from '../core/formats/limits';
import { siblingNameProblem, SourceError, type ModelSource, type SiblingFile } from '../core/formats/source';

// Model files on disk as ModelSources, with the guards a model file (untrusted input) needs before
// anything it names is read: siblings stay inside the model's folder (no `..`, no absolute paths,
// no symbolic link, no folder that resolves elsewhere), only regular files are opened (a FIFO would
// block the read forever, /dev/zero never ends), and sizes are checked before a byte is read, each
// kind of file against its own cap (src/core/formats/limits.ts). Every file CNN Lens reads from
// disk comes through here: readUserFile for the files a user names, fileSource for a model and the
// siblings it names.

/** The most bytes one read may take: Node's own limit for one buffer read from a file (2 GiB). */
export const MAX_READ_BYTES = MAX_ONE_READ;

export interface FileSourceOptions {
  /** Siblings must resolve inside this folder (default: the model's folder). */
  readonly root?: string;
  /** What the file is, for its size cap (default 'model'; its siblings are 'weights'). */
  readonly kind?: FileKind;
  /** The most bytes one read may take (default: the kind's cap); tests lower it. */
  readonly maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8');
// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer, so the type check
// after opening cannot hang. O_NOFOLLOW (where the platform has it) refuses a link swapped in after the check.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

const errnoReason = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'is a symbolic link; files next to a model must be regular files';
  return (e as Error).message;
};

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const notRegular = (name: string, st: Stats): SourceError => new SourceError(name, `is ${kindOf(st)}, not a regular file; CNN Lens reads only regular files`);

function tooLarge(name: string, bytes: number, maxBytes: number, kind: FileKind): SourceError {
  if (maxBytes === READ_LIMITS[kind].bytes) return new SourceError(name, tooLargeReason(bytes, kind));
  return new SourceError(name, `${bytes.toLocaleString('en-US')} bytes to read is more than the ${maxBytes.toLocaleString('en-US')}-byte limit of one read`);
}

/** Reads `length` bytes at `offset` from a path, checking after opening that it is still the regular file that was checked. */
function readRange(path: string, name: string, offset: number, length: number, flags: number, expect?: Stats): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (e) {
    throw new SourceError(name, errnoReason(e), (e as NodeJS.ErrnoException).code === 'ENOENT');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(name, st);
    if (expect && (st.ino !== expect.ino || st.dev !== expect.dev)) throw new SourceError(name, 'changed while it was being opened');
    if (offset + length > st.size) throw new SourceError(name, `bytes ${offset}–${offset + length} lie past the end of the file (${st.size} bytes)`);
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new SourceError(name, `ended after ${done} of ${length} bytes`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** A regular file's facts, following links (a path the user named: their link, their choice). */
function statUserFile(path: string, maxBytes: number, kind: FileKind): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new SourceError(path, errnoReason(e), (e as NodeJS.ErrnoException).code === 'ENOENT');
  }
  if (!st.isFile()) throw notRegular(path, st);
  if (st.size > maxBytes) throw tooLarge(path, st.size, maxBytes, kind);
  return st;
}

/** A whole file the user named (an input image, a label file, a tensor): a regular file within its kind's cap. */
export function readUserFile(path: string, kind: FileKind, maxBytes = READ_LIMITS[kind].bytes): Uint8Array {
  const st = statUserFile(path, maxBytes, kind);
  return readRange(path, path, 0, st.size, OPEN_FLAGS, st);
}

/** A file the user named, as UTF-8 text (a label file, a style network's model.json, a preset index). */
export const readUserText = (path: string, kind: FileKind): string => utf8.decode(readUserFile(path, kind));

const inside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

/** The sibling `relativeName` of a model in `folder`, or a SourceError saying why it may not be read. */
function siblingFile(folder: string, root: string, relativeName: string, maxBytes: number): SiblingFile {
  const problem = siblingNameProblem(relativeName);
  if (problem) throw new SourceError(relativeName, problem);
  const path = resolve(folder, relativeName);
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw new SourceError(relativeName, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file next to the model' : errnoReason(e), (e as NodeJS.ErrnoException).code === 'ENOENT');
  }
  if (st.isSymbolicLink()) throw new SourceError(relativeName, 'is a symbolic link; files next to a model must be regular files in its folder');
  if (!st.isFile()) throw notRegular(relativeName, st);
  // A folder on the way may itself be a link that leads elsewhere.
  if (!inside(realpathSync(root), realpathSync(path))) throw new SourceError(relativeName, 'resolves outside the model\u2019s folder');
  return {
    name: relativeName,
    size: st.size,
    read: async (offset = 0, length = st.size - offset) => {
      if (offset < 0 || length < 0) throw new SourceError(relativeName, `cannot read ${length} bytes at offset ${offset}`);
      if (length > maxBytes) throw tooLarge(relativeName, length, maxBytes, 'weights');
      return readRange(path, relativeName, offset, length, OPEN_FLAGS | NO_FOLLOW, st);
    },
  };
}

/**
 * A file next to the model read now, whole, with the sibling guards and `kind`'s cap (labels.txt
 * beside a model); undefined when there is none.
 */
export function readSiblingSync(modelPath: string, relativeName: string, kind: FileKind): Uint8Array | undefined {
  const folder = dirname(resolve(modelPath));
  let file: SiblingFile;
  try {
    file = siblingFile(folder, folder, relativeName, READ_LIMITS[kind].bytes);
  } catch (e) {
    if (e instanceof SourceError && e.missing) return undefined;
    throw e;
  }
  if (file.size > READ_LIMITS[kind].bytes) throw tooLarge(relativeName, file.size, READ_LIMITS[kind].bytes, kind);
  return readRange(resolve(folder, relativeName), relativeName, 0, file.size, OPEN_FLAGS | NO_FOLLOW);
}

/**
 * The `sibling()` of a model at `modelPath` with the guards applied: for sources whose own bytes come
 * from elsewhere (an editor's unsaved text) but whose neighbours are files on disk.
 */
export function siblingsOf(modelPath: string, options: FileSourceOptions = {}): ModelSource['sibling'] {
  const folder = dirname(resolve(modelPath));
  const root = resolve(options.root ?? folder);
  const maxBytes = options.maxBytes ?? READ_LIMITS.weights.bytes;
  return async (relativeName) => siblingFile(folder, root, relativeName, maxBytes);
}

/**
 * A model file on disk. The file itself is checked at once (it exists, it is a regular file within
 * the size limit: else a SourceError) and read when first asked for; `sibling()` applies the guards.
 */
export function fileSource(path: string, options: FileSourceOptions = {}): ModelSource {
  const kind = options.kind ?? 'model';
  const st = statUserFile(path, options.maxBytes ?? READ_LIMITS[kind].bytes, kind);
  let bytes: Uint8Array | undefined;
  let text: string | undefined;
  const read = () => (bytes ??= readRange(path, path, 0, st.size, OPEN_FLAGS, st));
  return {
    name: path,
    bytes: read,
    text: () => (text ??= utf8.decode(read())),
    sibling: siblingsOf(path, options),
  };
}
