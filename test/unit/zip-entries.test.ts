import { strict as assert } from 'node:assert';
import { strToU8, zipSync } from 'fflate';
import { isZip, listZipEntries, readZipEntry, ZipError } from '../../src/core/formats/zip-entries';

// The zip reader for untrusted archives (.keras), on archives written by fflate's own zipSync (a
// writer that is not ours): stored and deflated entries read back exactly; cut-short, lying,
// climbing and encrypted archives are ZipErrors that say why, never another exception.

const zip = (files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]>) => zipSync(files as never);
const text = (n: number) => strToU8('cnn lens '.repeat(n));

const rejects = (fn: () => unknown, reason: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ZipError, `not a ZipError: ${e}`);
    assert.equal(e.file, 'a.keras');
    assert.match(e.reason, reason);
    return true;
  });

describe('zip entries: read entry by entry, sizes checked before inflating', () => {
  it('lists and reads stored and deflated entries exactly as written', () => {
    const bytes = zip({ 'config.json': text(1000), 'raw.bin': [text(10), { level: 0 }], 'dir/nested.txt': strToU8('x') });
    assert.ok(isZip(bytes));
    const entries = listZipEntries(bytes, 'a.keras');
    assert.deepEqual(entries.map((e) => [e.name, e.size]), [['config.json', 9000], ['raw.bin', 90], ['dir/nested.txt', 1]]);
    assert.equal(entries[0].method, 8);
    assert.equal(entries[1].method, 0);
    assert.deepEqual(readZipEntry(bytes, entries[0], 'a.keras', 1 << 20), text(1000));
    assert.deepEqual(readZipEntry(bytes, entries[1], 'a.keras', 1 << 20), text(10));
  });

  it('an entry over the cap is refused before inflating, naming its declared size and the cap', () => {
    const bytes = zip({ 'config.json': text(200_000) });
    const [entry] = listZipEntries(bytes, 'a.keras');
    rejects(() => readZipEntry(bytes, entry, 'a.keras', 2 ** 20), /entry "config\.json" declares 1\.7 MiB uncompressed, more than the 1 MiB CNN Lens reads for it/);
  });

  it('a header that under-declares the size stops inflating at the declared size (a zip bomb)', () => {
    const bytes = zip({ 'config.json': text(100_000) });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const central = bytes.findIndex((_, i) => view.getUint32(i, true) === 0x02014b50);
    view.setUint32(central + 24, 50, true);
    const [entry] = listZipEntries(bytes, 'a.keras');
    rejects(() => readZipEntry(bytes, entry, 'a.keras', 2 ** 20), /inflates past the 50 bytes it declares/);
  });

  it('names that climb out of the archive or are absolute refuse the whole archive', () => {
    for (const name of ['../x', 'a/../../x', '/etc/passwd']) rejects(() => listZipEntries(zip({ [name]: strToU8('x') }), 'a.keras'), /is refused/);
  });

  it('cut at every length, an archive is a ZipError or reads, never another exception', () => {
    const bytes = zip({ 'config.json': text(500), 'metadata.json': strToU8('{}') });
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      try {
        for (const e of listZipEntries(cut, 'a.keras')) readZipEntry(cut, e, 'a.keras', 1 << 20);
      } catch (e) {
        assert.ok(e instanceof ZipError, `cut at ${n}: ${e}`);
      }
    }
  });

  it('encrypted entries and unknown compression methods are named', () => {
    const bytes = zip({ 'config.json': text(10) });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const central = bytes.findIndex((_, i) => view.getUint32(i, true) === 0x02014b50);
    view.setUint16(central + 8, 1, true);
    rejects(() => readZipEntry(bytes, listZipEntries(bytes, 'a.keras')[0], 'a.keras', 1 << 20), /is encrypted/);
    view.setUint16(central + 8, 0, true);
    view.setUint16(central + 10, 14, true);
    rejects(() => readZipEntry(bytes, listZipEntries(bytes, 'a.keras')[0], 'a.keras', 1 << 20), /compression method 14/);
  });

  it('bytes that are not a zip say so', () => {
    assert.ok(!isZip(strToU8('{"class_name": "Sequential"}')));
    rejects(() => listZipEntries(strToU8('not a zip at all'), 'a.keras'), /not a zip archive, or one cut short/);
  });
});
