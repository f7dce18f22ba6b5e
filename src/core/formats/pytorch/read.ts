import { DTYPE_BYTES } from '../../ir';
import { SourceError } from '../source';
import { openZip, ZIP_ENTRY_LIMITS_OFF, type ZipEntry, type ZipReader } from '../zip';
import { PickleError, type PyGlobal, type PyValue } from './pickle';
import { isObject, isTensor, readTorchPickle, type TorchTensor } from './torch-pickle';

// A .pt / .pth file read into its named tensors: a zip archive (torch.save since 1.6: data.pkl and
// data/<key> storages; torch.jit.save adds code/ and constants.pkl), or a legacy file of pickles in
// a row (magic number, protocol, sys info, the object, the storage keys, then the storages' bytes).
// Storages are never inflated: their sizes come from the zip directory or the legacy length fields.

export interface TorchEntry {
  /** The state_dict key: `layer1.0.conv1.weight`. */
  readonly name: string;
  readonly tensor: TorchTensor;
  /** A buffer (BatchNorm's running statistics, integer counters): stored, not learned. */
  readonly buffer: boolean;
}

export interface TorchModel {
  readonly kind: 'state_dict' | 'checkpoint' | 'torchscript';
  /** The checkpoint key the state_dict was under (`model`, `state_dict`), and the other keys it holds. */
  readonly key?: string;
  readonly otherKeys?: readonly string[];
  readonly entries: readonly TorchEntry[];
  /** TorchScript modules' class names by module path (`layer1.0` → BasicBlock). */
  readonly classes: ReadonlyMap<string, string>;
}

/** A file that cannot be read: `reason` is for the user (the caller names the file). */
export class TorchFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TorchFileError';
  }
}

/** torch.save's legacy magic number, 0x1950a86a20f9469cfc6c, as its pickle writes it (PROTO 2, LONG1 of 10 bytes). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
export const isLegacyTorch = (b: Uint8Array): boolean => LEGACY_MAGIC.every((x, i) => b[i] === x);

/** data.pkl is small (names and shapes); a larger one is not a model's. */
const MAX_PICKLE_BYTES = 256 * 2 ** 20;
/** A TorchScript class's code file, read for its `__buffers__` line. */
const MAX_CODE_BYTES = 16 * 2 ** 20;
/** BatchNorm's statistics and counters, under the names torch.nn gives them. */
const BUFFER_NAMES = new Set(['running_mean', 'running_var', 'num_batches_tracked']);
const isBuffer = (name: string, t: TorchTensor): boolean => BUFFER_NAMES.has(name.slice(name.lastIndexOf('.') + 1)) || (!t.parameter && /int|bool/.test(t.storage.dtype) && !name.endsWith('weight'));

const storageBytes = (t: TorchTensor): number => t.storage.elements * DTYPE_BYTES[t.storage.dtype];

/** The zip archive's data.pkl entry: the one nearest the top (`resnet18/data.pkl`). */
export const dataPickleOf = (entries: readonly ZipEntry[]): ZipEntry | undefined =>
  entries.filter((e) => /(^|\/)data\.pkl$/.test(e.name)).sort((a, b) => a.name.length - b.name.length)[0];

export function readTorchFile(bytes: Uint8Array, file: string): TorchModel {
  try {
    return isLegacyTorch(bytes) ? readLegacy(bytes) : bytes[0] === 0x80 ? fromValue(readTorchPickle(bytes).value, false) : readZip(bytes, file);
  } catch (e) {
    if (e instanceof SourceError) throw new TorchFileError(e.file === file ? e.reason : `${e.file.slice(file.length).trim()}: ${e.reason}`);
    if (e instanceof PickleError) throw new TorchFileError(e.reason);
    throw e;
  }
}

/**
 * The archive's directory, checked as every zip is, except for the sizes: a checkpoint of many GB is
 * fine, since its storages are never unpacked to draw; the few entries read are checked one by one.
 */
export const openTorchZip = (bytes: Uint8Array, file: string): ZipReader => openZip(bytes, file, { ...ZIP_ENTRY_LIMITS_OFF, entries: 200_000 });

/** One entry's bytes, refused when it declares more than `max`. */
function readEntry(zip: ZipReader, entry: ZipEntry, max: number): Uint8Array {
  if (entry.size > max) throw new TorchFileError(`${entry.name} declares ${entry.size.toLocaleString('en-US')} bytes, more than the ${max.toLocaleString('en-US')} CNN Lens reads of it`);
  return zip.read(entry.name);
}

function readZip(bytes: Uint8Array, file: string): TorchModel {
  const zip = openTorchZip(bytes, file);
  const entries = zip.entries;
  const data = dataPickleOf(entries);
  if (!data) throw new TorchFileError('it is a zip archive without data.pkl, so not a file torch.save or torch.jit.save wrote');
  const prefix = data.name.slice(0, -'data.pkl'.length);
  const script = entries.some((e) => e.name === `${prefix}constants.pkl` || e.name.startsWith(`${prefix}code/`));
  const model = fromValue(readTorchPickle(readEntry(zip, data, MAX_PICKLE_BYTES)).value, script && buffersFromCode(zip, prefix));
  const sizes = new Map(entries.map((e) => [e.name, e.size]));
  for (const { name, tensor } of model.entries) {
    const path = `${prefix}data/${tensor.storage.key}`;
    const size = sizes.get(path);
    if (size === undefined) throw new TorchFileError(`the storage of tensor "${name}" (${path}) is missing from the archive`);
    if (size < storageBytes(tensor)) throw new TorchFileError(`the storage of tensor "${name}" (${path}) holds ${size} bytes, its ${tensor.storage.elements} ${tensor.storage.dtype} values need ${storageBytes(tensor)}`);
  }
  return model;
}

function readLegacy(bytes: Uint8Array): TorchModel {
  let at = 0;
  for (let i = 0; i < 3; i++) at = readTorchPickle(bytes, at).end; // magic number, protocol version, sys info
  const main = readTorchPickle(bytes, at);
  const keys = readTorchPickle(bytes, main.end);
  const model = fromValue(main.value, false);
  const storages = new Map(model.entries.map((e) => [e.tensor.storage.key, e]));
  // Each storage: its element count (int64) and its bytes, in the order of the keys pickle.
  at = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of Array.isArray(keys.value) ? keys.value : []) {
    const entry = storages.get(String(key));
    if (at + 8 > bytes.length) throw new TorchFileError(`the file is cut short: the storage of ${entry ? `tensor "${entry.name}"` : `key ${String(key)}`} is missing`);
    const count = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    at += 8 + count * (entry ? DTYPE_BYTES[entry.tensor.storage.dtype] : 0);
    if (at > bytes.length) throw new TorchFileError(`the file is cut short in the storage of ${entry ? `tensor "${entry.name}"` : `key ${String(key)}`}`);
  }
  return model;
}

const PREFERRED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'module', 'model_ema', 'ema'];
const tensorsOf = (v: PyValue): [string, TorchTensor][] | undefined => {
  if (!(v instanceof Map) || !v.size) return undefined;
  const all = [...v.entries()];
  // A state_dict maps names to tensors; `_extra_state` entries (None or plain values) may sit among them.
  const tensors = all.filter((kv) => typeof kv[0] === 'string' && isTensor(kv[1])) as unknown as [string, TorchTensor][];
  return tensors.length && tensors.length >= all.length / 2 ? tensors : undefined;
};

/** A TorchScript class's buffer names, as its code declares them; undefined where the code is not there to say. */
type BufferNames = (type: PyGlobal) => ReadonlySet<string> | undefined;

/**
 * TorchScript writes each module class to code/<its module path>.py with `__buffers__ = ["running_mean", …]`:
 * which tensors are buffers, whatever their names (the files are small text; a damaged one falls back on the names).
 */
function buffersFromCode(zip: ZipReader, prefix: string): BufferNames {
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  return (type) => {
    const entry = byName.get(`${prefix}code/${type.module.replace(/\./g, '/')}.py`);
    if (!entry) return undefined;
    try {
      const code = new TextDecoder().decode(readEntry(zip, entry, MAX_CODE_BYTES));
      const at = code.indexOf(`class ${type.name}(Module):`);
      const next = at < 0 ? -1 : code.indexOf('\nclass ', at + 1);
      const declared = at < 0 ? null : /__buffers__ = \[([^\]]*)\]/.exec(code.slice(at, next < 0 ? undefined : next));
      return declared ? new Set([...declared[1].matchAll(/"([^"]+)"/g)].map((m) => m[1])) : undefined;
    } catch {
      return undefined;
    }
  };
}

function fromValue(value: PyValue, script: false | BufferNames): TorchModel {
  if (script) {
    if (!isObject(value)) throw new TorchFileError('its data.pkl holds no TorchScript module');
    const entries: TorchEntry[] = [];
    const classes = new Map<string, string>();
    walkModule(value, '', entries, classes, script);
    return { kind: 'torchscript', entries, classes };
  }
  const direct = tensorsOf(value);
  if (direct) return { kind: 'state_dict', entries: direct.map(([name, t]) => ({ name, tensor: t, buffer: isBuffer(name, t) })), classes: new Map() };
  if (value instanceof Map) {
    const keys = [...value.keys()].map(String);
    const key = PREFERRED_KEYS.find((k) => tensorsOf(value.get(k) ?? null)) ?? keys.find((k) => tensorsOf(value.get(k) ?? null));
    if (key !== undefined) {
      const entries = tensorsOf(value.get(key)!)!.map(([name, t]) => ({ name, tensor: t, buffer: isBuffer(name, t) }));
      return { kind: 'checkpoint', key, otherKeys: keys.filter((k) => k !== key), entries, classes: new Map() };
    }
    throw new TorchFileError(`it holds no state_dict: its top level is a dict with keys ${keys.slice(0, 8).map((k) => `"${k}"`).join(', ') || '(none)'}, none of them a dict of tensors`);
  }
  throw new TorchFileError('it holds no state_dict (a dict of tensors), nor a checkpoint dict with one');
}

/** Depth first through the submodules; a module met twice (the memo lets a hostile pickle make a cycle) is walked once. */
function walkModule(module: PyValue, path: string, entries: TorchEntry[], classes: Map<string, string>, buffers: BufferNames, seen = new Set<PyValue>()) {
  if (!isObject(module) || seen.has(module)) return;
  seen.add(module);
  classes.set(path, module.type.name);
  if (!(module.state instanceof Map)) return;
  const declared = buffers(module.type);
  for (const [k, v] of module.state) {
    const name = path ? `${path}.${String(k)}` : String(k);
    if (isTensor(v)) entries.push({ name, tensor: v, buffer: declared ? declared.has(String(k)) : isBuffer(name, v) });
    else if (isObject(v)) walkModule(v, name, entries, classes, buffers, seen);
  }
}
