import { Inflate } from 'fflate';
import { bytesText, ZIP_LIMITS } from './limits';
import { SourceError } from './source';

// Zip archives (Keras 3's .keras) read the guarded way: the central directory first, every entry's
// name and declared size checked (no name that climbs out, no entry or total beyond the limits, a
// bounded count), then one entry at a time, inflated in slices that stop as soon as the output
// passes the declared size, so a zip bomb costs at most its declared size and a lying one is caught
// at once. Never the whole archive unpacked (fflate's unzipSync would).

export interface ZipEntry {
  readonly name: string;
  /** Unpacked bytes, as the central directory declares. */
  readonly size: number;
  readonly compressedSize: number;
  /** 0 stored, 8 deflated: the two methods zip writers use. */
  readonly method: number;
  readonly crc: number;
  /** Where the entry's local header starts. */
  readonly headerOffset: number;
}

export interface ZipReader {
  readonly entries: readonly ZipEntry[];
  /** The entry's unpacked bytes (a SourceError when it is missing, damaged or inflates past its size). */
  read(name: string): Uint8Array;
}

/** True when the bytes start like a zip archive (a local file header, or an empty archive's end record). */
export const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));

export type ZipLimits = { readonly [K in keyof typeof ZIP_LIMITS]: number };
/** For archives whose big entries are never unpacked (a PyTorch checkpoint's storages): no size limits, the entries read checked by the caller. */
export const ZIP_ENTRY_LIMITS_OFF: ZipLimits = { ...ZIP_LIMITS, entryBytes: Number.MAX_SAFE_INTEGER, totalBytes: Number.MAX_SAFE_INTEGER };

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Compressed bytes handed to the inflater at a time: at deflate's best ratio (~1:1032) 16 KiB makes at most ~16 MiB. */
const SLICE = 16 * 1024;

/** Why an entry name may not be unpacked, or undefined: names are relative and stay inside the archive. */
export function zipNameProblem(name: string): string | undefined {
  if (name === '' || name.includes('\0')) return 'an empty name or one with a NUL character';
  if (/^([A-Za-z]:)?[\\/]/.test(name)) return 'an absolute path';
  if (name.split(/[\\/]+/).includes('..')) return 'a name that climbs out of the archive (..)';
  return undefined;
}

/** Reads the central directory of `bytes` (the archive `file`), checking every entry against `limits`. */
export function openZip(bytes: Uint8Array, file: string, limits: ZipLimits = ZIP_LIMITS): ZipReader {
  const fail = (reason: string, entry?: string): never => {
    throw new SourceError(entry === undefined ? file : `${file} (${entry})`, reason);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record sits in the last 22 + 65,535 (comment) bytes.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) fail('not a zip archive (no end of central directory record)');
  const count = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) fail('a zip64 archive (over 65,535 entries or 4 GiB), more than CNN Lens unpacks');
  if (count > limits.entries) fail(`${count.toLocaleString('en-US')} entries is more than the ${limits.entries.toLocaleString('en-US')} CNN Lens reads of an archive`);
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder('utf-8');
  let total = 0;
  for (let i = 0, at = directoryOffset; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_HEADER) fail(`the central directory is damaged at entry ${i + 1} of ${count}`);
    const nameLength = view.getUint16(at + 28, true);
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    };
    const problem = zipNameProblem(name);
    if (problem) fail(`the archive holds an entry with ${problem}; CNN Lens refuses it`, name);
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) fail('a zip64 entry (4 GiB or more), more than CNN Lens unpacks', name);
    if (entry.size > limits.entryBytes) fail(`declares ${entry.size.toLocaleString('en-US')} unpacked bytes, more than the ${bytesText(limits.entryBytes)} CNN Lens unpacks of one entry`, name);
    total += entry.size;
    if (total > limits.totalBytes) fail(`its entries declare more than ${bytesText(limits.totalBytes)} unpacked together, more than CNN Lens unpacks of one archive (a zip bomb?)`);
    entries.push(entry);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    entries,
    read(name) {
      const entry = byName.get(name);
      if (!entry) return fail('no such entry in the archive', name);
      const at = entry.headerOffset;
      if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_HEADER) return fail('its local header is damaged', name);
      const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
      const data = bytes.subarray(start, start + entry.compressedSize);
      if (start + entry.compressedSize > bytes.length) return fail(`its ${entry.compressedSize} compressed bytes run past the end of the archive`, name);
      let out: Uint8Array;
      if (entry.method === 0) {
        if (entry.compressedSize !== entry.size) return fail('a stored entry whose sizes disagree', name);
        out = data.slice();
      } else if (entry.method === 8) out = inflateBounded(data, entry.size, (reason) => fail(reason, name));
      else return fail(`compression method ${entry.method}, which CNN Lens does not unpack (only stored and deflate)`, name);
      if (crc32(out) !== entry.crc) return fail('its CRC-32 does not match: the archive is damaged', name);
      return out;
    },
  };
}

/** Inflates into exactly `size` bytes, stopping the moment the stream makes more (or ends short). */
function inflateBounded(data: Uint8Array, size: number, fail: (reason: string) => never): Uint8Array {
  const out = new Uint8Array(size);
  let filled = 0;
  let over = false;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    if (filled + chunk.length > size) over = true;
    else out.set(chunk, filled);
    filled += chunk.length;
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length && !over; i += SLICE) inflater.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
  } catch (e) {
    fail(`its deflate stream is damaged (${(e as Error).message})`);
  }
  if (over) fail(`inflates past its declared ${size.toLocaleString('en-US')} bytes (a zip bomb?); CNN Lens stopped unpacking it`);
  if (!ended || filled !== size) fail(`inflates to ${filled.toLocaleString('en-US')} bytes, not the ${size.toLocaleString('en-US')} it declares`);
  return out;
}

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
