import { Inflate } from 'fflate';
import { siblingNameProblem } from './source';

// Zip archives (a Keras 3 `.keras` file) read entry by entry, as untrusted input: the central
// directory is listed first; an archive whose names climb out of it (`../x`, `/etc/x`) is refused
// whole; an entry is inflated only when its declared size fits the caller's cap, and inflating
// stops the moment the output passes the declared size (a header that lies about it is a zip bomb).
// Nothing is extracted to disk. fflate does the inflating; this file does the bookkeeping.

/** An archive that cannot be read, or an entry that may not be: `reason` is for the user. */
export class ZipError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; anything else is refused when read. */
  readonly method: number;
  readonly compressedSize: number;
  /** The uncompressed size the archive declares. */
  readonly size: number;
  readonly encrypted: boolean;
  readonly localHeader: number;
}

const u16 = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
const u64 = (b: Uint8Array, at: number): number => u32(b, at) + u32(b, at + 4) * 0x100000000;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** At most this many entries are listed (a Keras archive has three). */
const MAX_ENTRIES = 10_000;

/** True when the bytes start like a zip archive (a local file header, or an empty archive's end record). */
export const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(n % 2 ** 20 ? (n < 2 ** 20 ? 3 : 1) : 0)} MiB`;

/** The archive's entries from its central directory; a ZipError when it is not a zip, is cut short, or names a path outside itself. */
export function listZipEntries(bytes: Uint8Array, file: string): ZipEntry[] {
  const fail = (reason: string): never => {
    throw new ZipError(file, reason);
  };
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(bytes, at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('not a zip archive, or one cut short: its end-of-archive record is missing');
  let count = u16(bytes, end + 10);
  let directory = u32(bytes, end + 16);
  if ((count === 0xffff || directory === 0xffffffff) && end >= 20 && u32(bytes, end - 20) === ZIP64_LOCATOR) {
    const record = u64(bytes, end - 12);
    if (record + 56 > bytes.length || u32(bytes, record) !== ZIP64_EOCD) fail('its zip64 end record is missing or outside the file');
    count = u64(bytes, record + 32);
    directory = u64(bytes, record + 48);
  }
  if (count > MAX_ENTRIES) fail(`it lists ${count} entries, more than the ${MAX_ENTRIES} CNN Lens reads`);
  const entries: ZipEntry[] = [];
  let at = directory;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || u32(bytes, at) !== CENTRAL) fail(`its central directory is cut short or damaged at entry ${i + 1} of ${count}`);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    if (at + 46 + nameLength + extraLength > bytes.length) fail(`its central directory is cut short at entry ${i + 1} of ${count}`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    let compressedSize = u32(bytes, at + 20);
    let size = u32(bytes, at + 24);
    let localHeader = u32(bytes, at + 42);
    // Zip64: the sizes and offset that do not fit 32 bits follow in the 0x0001 extra field, in this order.
    for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; x += 4 + u16(bytes, x + 2)) {
      if (u16(bytes, x) !== 1) continue;
      let field = x + 4;
      if (size === 0xffffffff) (size = u64(bytes, field)), (field += 8);
      if (compressedSize === 0xffffffff) (compressedSize = u64(bytes, field)), (field += 8);
      if (localHeader === 0xffffffff) localHeader = u64(bytes, field);
    }
    const climbs = siblingNameProblem(name.replace(/\/$/, '') || '.');
    if (climbs) fail(`entry "${name}" is refused (${climbs}): an archive's names stay inside it`);
    entries.push({ name, method: u16(bytes, at + 10), compressedSize, size, encrypted: (u16(bytes, at + 8) & 1) === 1, localHeader });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * One entry's bytes, refused before inflating when its declared size passes `maxBytes`, and
 * stopped while inflating when the output passes the declared size.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string, maxBytes: number): Uint8Array {
  const fail = (reason: string): never => {
    throw new ZipError(file, `entry "${entry.name}" ${reason}`);
  };
  if (entry.encrypted) fail('is encrypted');
  if (entry.size > maxBytes) fail(`declares ${mib(entry.size)} uncompressed, more than the ${mib(maxBytes)} CNN Lens reads for it`);
  const at = entry.localHeader;
  if (at + 30 > bytes.length || u32(bytes, at) !== LOCAL) fail('has no local header where the directory says (the archive is damaged or cut short)');
  const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
  if (start + entry.compressedSize > bytes.length) fail(`runs past the end of the archive (it needs ${entry.compressedSize} bytes from offset ${start}; the file has ${bytes.length}): the archive is cut short`);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) fail(`is stored uncompressed, but declares ${entry.size} bytes and holds ${entry.compressedSize}`);
    return data;
  }
  if (entry.method !== 8) fail(`uses compression method ${entry.method}; CNN Lens reads stored and deflated entries`);
  const out = new Uint8Array(entry.size);
  let written = 0;
  const inflate = new Inflate((chunk) => {
    if (written + chunk.length > entry.size) fail(`inflates past the ${entry.size} bytes it declares (a zip bomb, or a damaged archive)`);
    out.set(chunk, written);
    written += chunk.length;
  });
  const CHUNK = 1 << 20;
  try {
    for (let k = 0; k < data.length; k += CHUNK) inflate.push(data.subarray(k, Math.min(k + CHUNK, data.length)), k + CHUNK >= data.length);
    if (data.length === 0) inflate.push(data, true);
  } catch (e) {
    if (e instanceof ZipError) throw e;
    fail(`cannot be inflated (${(e as Error).message})`);
  }
  if (written !== entry.size) fail(`inflates to ${written} bytes, but declares ${entry.size}: the archive is damaged`);
  return out;
}
