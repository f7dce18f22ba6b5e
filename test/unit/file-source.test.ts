import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from '../../src/core/formats/source';
import { fileSource, MAX_READ_BYTES, readUserFile, siblingsOf } from '../../src/node/file-source';
import { loadWeights } from '../../src/node/weights-files';
import { parseModel } from '../../src/core';
import { readFixture } from '../support/fixtures';

// The guards a model file's siblings pass before a byte is read: the name, the folder, the kind of
// file and its size. A refused sibling is a SourceError that names it and says why.

/** Asserts that the promise rejects with a SourceError for `file` whose reason matches. */
async function refused(p: Promise<unknown>, file: string, reason: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SourceError, `a SourceError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.reason, reason);
    return true;
  });
}

describe('file sources: siblings stay regular files inside the model\u2019s folder', () => {
  let dir: string;
  let model: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-source-'));
    mkdirSync(join(dir, 'model'));
    mkdirSync(join(dir, 'other'));
    model = join(dir, 'model', 'model.json');
    writeFileSync(model, '{}');
    writeFileSync(join(dir, 'model', 'shard.bin'), new Uint8Array([1, 2, 3, 4, 5]));
    writeFileSync(join(dir, 'other', 'shard.bin'), new Uint8Array([9, 9, 9]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a sibling whole and by range, its size known before reading', async () => {
    const shard = await fileSource(model).sibling('shard.bin');
    assert.equal(shard.size, 5);
    assert.deepEqual([...(await shard.read())], [1, 2, 3, 4, 5]);
    assert.deepEqual([...(await shard.read(1, 3))], [2, 3, 4]);
    await refused(shard.read(3, 4), 'shard.bin', /past the end of the file \(5 bytes\)/);
  });

  it('refuses ../other/shard.bin from a manifest without opening it', async () => {
    const manifest = join(dir, 'model', 'escape.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFixture('tfjs_multi_io/model.json')), weightsManifest: [{ paths: ['../other/shard.bin'], weights: [] }] }));
    await assert.rejects(loadWeights(manifest, parseModel(readFixture('tfjs_multi_io/model.json'), 'model.json')), /weight shard \.\.\/other\/shard\.bin cannot be read \(the name leaves the model\u2019s folder/);
    await refused(fileSource(model).sibling('../other/shard.bin'), '../other/shard.bin', /leaves the model\u2019s folder/);
    await refused(fileSource(model).sibling('sub/../../other/shard.bin'), 'sub/../../other/shard.bin', /leaves the model\u2019s folder/);
  });

  it('refuses an absolute path', async () => {
    await refused(fileSource(model).sibling(join(dir, 'other', 'shard.bin')), join(dir, 'other', 'shard.bin'), /absolute path/);
  });

  it('refuses a symlinked shard, and a folder link that leads outside', async () => {
    symlinkSync(join(dir, 'other', 'shard.bin'), join(dir, 'model', 'linked.bin'));
    await refused(fileSource(model).sibling('linked.bin'), 'linked.bin', /symbolic link/);
    symlinkSync(join(dir, 'other'), join(dir, 'model', 'elsewhere'));
    await refused(fileSource(model).sibling('elsewhere/shard.bin'), 'elsewhere/shard.bin', /resolves outside the model\u2019s folder/);
  });

  it('refuses a FIFO without hanging, and a folder', async function () {
    if (process.platform === 'win32') this.skip();
    execFileSync('mkfifo', [join(dir, 'model', 'pipe.bin')]);
    await refused(fileSource(model).sibling('pipe.bin'), 'pipe.bin', /FIFO/);
    assert.throws(() => readUserFile(join(dir, 'model', 'pipe.bin'), 'image'), (e: unknown) => e instanceof SourceError && /FIFO/.test(e.reason));
    mkdirSync(join(dir, 'model', 'folder.bin'));
    await refused(fileSource(model).sibling('folder.bin'), 'folder.bin', /a folder/);
  });

  it('refuses a device such as /dev/zero, as a sibling and as a file named by the user', async function () {
    if (!existsSync('/dev/zero')) this.skip();
    const devModel = join('/dev', 'model.json'); // a model "in" /dev: its sibling zero is a device
    await refused(siblingsOf(devModel)('zero'), 'zero', /a device/);
    assert.throws(() => fileSource('/dev/zero'), (e: unknown) => e instanceof SourceError && /a device/.test(e.reason));
  });

  it('checks the size limit before reading', async () => {
    const small = fileSource(model, { maxBytes: 4 });
    const shard = await small.sibling('shard.bin');
    await refused(shard.read(), 'shard.bin', /5 bytes to read is more than the 4-byte limit/);
    assert.deepEqual([...(await shard.read(0, 4))], [1, 2, 3, 4], 'a range within the limit is read');
    assert.throws(() => fileSource(join(dir, 'model', 'shard.bin'), { maxBytes: 4 }), (e: unknown) => e instanceof SourceError && /limit/.test(e.reason));
    assert.equal(MAX_READ_BYTES, 2 ** 31 - 1);
  });

  it('a missing sibling says so and is marked missing (callers looking for optional files pass over it)', async () => {
    await assert.rejects(fileSource(model).sibling('nope.bin'), (e: unknown) => e instanceof SourceError && e.missing && /no such file/.test(e.reason));
    await assert.rejects(fileSource(model).sibling('linked.bin'), (e: unknown) => e instanceof SourceError && !e.missing);
  });
});
