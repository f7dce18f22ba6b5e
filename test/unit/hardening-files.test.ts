import { strict as assert } from 'node:assert';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabelsError } from '../../src/core/runtime/labels';
import { resolveLabels } from '../../src/node/label-files';
import { zipSync } from 'fflate';
import { openZip } from '../../src/core/formats/zip';
import { runCliAsync } from '../../src/cli/main';
import { onnxModel } from '../support/onnx-build';
import { SourceError } from '../../src/core/formats/source';
import { assertWithinBudget, runCliChild, type ChildResult } from '../support/cli-child';
import * as hostile from '../support/hostile-files';

// Issue 12, class 1: files that try to leave the model's folder, never end, or declare far more
// than they hold. Each is run through the CLI in a child process with a 1 GB heap, and must be
// refused with a message naming the file and the reason, exit 2, within the budget (10 s, 1 GB).

const KERAS3 = 'test/fixtures/keras3_functional.json';

function refused(r: ChildResult, message: RegExp): void {
  assertWithinBudget(r);
  assert.match(r.stderr, message);
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('hardening: every file read the guarded way (CLI, child process)', () => {
  const tinyModel = () => hostile.writeHostile('tiny.json', hostile.kerasModel([{ class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: 3 } }]));

  it('a manifest path ../other/shard.bin is refused, naming the entry', () => {
    const { model } = hostile.tfjsWithManifest(hostile.manifestPointingAt('../other/shard.bin'));
    refused(runCliChild(['run', model]), /weight shard \.\.\/other\/shard\.bin cannot be read \(the name leaves the model\u2019s folder/);
  });

  it('a shard that is a symbolic link to a file outside is refused', () => {
    refused(runCliChild(['run', hostile.symlinkedShard().model]), /weight shard linked\.bin cannot be read \(is a symbolic link/);
  });

  it('a named pipe as the model is refused without hanging', function () {
    if (process.platform === 'win32') this.skip();
    refused(runCliChild(['summary', hostile.fifo()]), /model\.json: is a FIFO \(named pipe\), not a regular file/);
  });

  it('/dev/zero as the model and as an input image is refused', function () {
    if (!existsSync('/dev/zero')) this.skip();
    refused(runCliChild(['summary', '/dev/zero']), /cannot read \/dev\/zero: is a device, not a regular file/);
    refused(runCliChild(['run', tinyModel(), '--input', '/dev/zero']), /cannot read \/dev\/zero: is a device/);
  });

  it('a PNG whose header claims 30000×30000 is refused before decoding', () => {
    refused(runCliChild(['run', tinyModel(), '--input', hostile.pngHeaderBomb()]), /bomb\.png: its header says 30000×30000 \(900 MP\), more than the 64 MP CNN Lens decodes/);
  });

  it('a JPEG whose header claims 60000×60000 is refused before decoding', () => {
    refused(runCliChild(['run', tinyModel(), '--input', hostile.jpegHeaderBomb()]), /bomb\.jpg: its header says 60000×60000 \(3600 MP\)/);
  });

  it('a .keras zip bomb that lies about its size stops at the declared size', () => {
    refused(runCliChild(['run', KERAS3, '--weights', hostile.kerasZipBomb(64, true)]), /bomb\.keras \(model\.weights\.h5\): inflates past its declared 1,024 bytes \(a zip bomb\?\)/);
  });

  it('a .keras entry whose name climbs out of the archive is refused', () => {
    refused(runCliChild(['run', KERAS3, '--weights', hostile.zipWithClimbingName()]), /climb\.keras \(\.\.\/\.\.\/escape\.h5\): the archive holds an entry with a name that climbs out of the archive/);
  });

  it('a sparse HDF5 dataset declaring 4 GiB is refused from its shape, before it is read', () => {
    refused(runCliChild(['run', KERAS3, '--weights', hostile.sparseHdf5()]), /sparse\.weights\.h5: layers\/conv2d\/vars\/0: the dataset's shape \(1073741824\) declares 4,294,967,296 bytes/);
  });
});

describe('hardening: ONNX external data stays in the model\u2019s folder', () => {
  it('an initializer whose external data is ../../etc/passwd is an error naming the tensor (exit 1), nothing read', async () => {
    const file = hostile.writeHostile('ext.onnx', onnxModel({ nodes: [{ name: 'conv', op: 'Conv', inputs: ['x', 'W'], outputs: ['y'] }], inits: [{ name: 'W', dims: [4, 3, 3, 3], external: { location: '../../etc/passwd' } }], outputs: ['y'] }));
    for (const command of ['summary', 'run']) {
      const r = await runCliAsync([command, file]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /W: tensor "W": external data "\.\.\/\.\.\/etc\/passwd" cannot be read: the name leaves the model\u2019s folder \(\.\.\)/);
      assert.doesNotMatch(r.stderr, /bytes|root:/, 'nothing about the file outside is told');
    }
  });
});

describe('hardening: labels.txt beside a model is one of its siblings', () => {
  it('a labels.txt that links outside the folder is refused, naming it', () => {
    const { dir, model } = hostile.tfjsWithManifest(hostile.manifestPointingAt('group1-shard1of1.bin'));
    writeFileSync(join(dir, 'other', 'secret.txt'), 'root:x:0:0\n');
    symlinkSync(join(dir, 'other', 'secret.txt'), join(dir, 'model', 'labels.txt'));
    assert.throws(() => resolveLabels({ modelFile: model, classes: [] }), (e: unknown) => e instanceof LabelsError && /labels\.txt: cannot read the label file \(is a symbolic link/.test(e.message));
  });

  it('a regular labels.txt beside the model is read', () => {
    const { dir, model } = hostile.tfjsWithManifest(hostile.manifestPointingAt('group1-shard1of1.bin'));
    writeFileSync(join(dir, 'model', 'labels.txt'), 'cat\ndog\n');
    assert.deepEqual(resolveLabels({ modelFile: model, classes: [] })?.names, ['cat', 'dog']);
  });
});

describe('hardening: zip archives read entry by entry (openZip)', () => {
  const archive = zipSync({ 'a.txt': new TextEncoder().encode('hello'), 'model.weights.h5': [new Uint8Array(1 << 20), { level: 9 }] });

  it('reads one entry with its declared size and CRC', () => {
    const zip = openZip(archive, 'x.keras');
    assert.deepEqual(zip.entries.map((e) => [e.name, e.size]), [['a.txt', 5], ['model.weights.h5', 1 << 20]]);
    assert.equal(new TextDecoder().decode(zip.read('a.txt')), 'hello');
    assert.equal(zip.read('model.weights.h5').length, 1 << 20);
  });

  it('refuses from the central directory alone: one entry too large, the total too large, too many entries', () => {
    const refuses = (limits: { entries: number; entryBytes: number; totalBytes: number }, reason: RegExp) =>
      assert.throws(() => openZip(archive, 'x.keras', limits), (e: unknown) => e instanceof SourceError && reason.test(e.reason));
    refuses({ entries: 10, entryBytes: 1000, totalBytes: 1e9 }, /declares 1,048,576 unpacked bytes, more than the 1,000 bytes CNN Lens unpacks of one entry/);
    refuses({ entries: 10, entryBytes: 1e9, totalBytes: 1000 }, /entries declare more than 1,000 bytes unpacked together/);
    refuses({ entries: 1, entryBytes: 1e9, totalBytes: 1e9 }, /2 entries is more than the 1 CNN Lens reads of an archive/);
  });

  it('refuses a damaged archive and a missing entry with the archive named', () => {
    assert.throws(() => openZip(new Uint8Array(100), 'junk.keras'), (e: unknown) => e instanceof SourceError && e.file === 'junk.keras' && /not a zip archive/.test(e.reason));
    assert.throws(() => openZip(archive, 'x.keras').read('nope'), (e: unknown) => e instanceof SourceError && e.file === 'x.keras (nope)');
  });
});
