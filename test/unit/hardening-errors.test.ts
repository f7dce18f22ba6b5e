import { strict as assert } from 'node:assert';
import { failureOf, runCliAsync } from '../../src/cli/main';
import { SourceError } from '../../src/core/formats/source';
import { WeightsError } from '../../src/core/runtime/weights';
import { assertWithinBudget, runCliChild } from '../support/cli-child';
import * as hostile from '../support/hostile-files';

// Issue 12, class 6: every exception is caught where the user is. The CLI prints
// `cnn-lens: FILE: reason` (or its command's own line), exit 1 or 2, never a stack trace and never
// exit 7 (an exception inside a library's own uncaught-exception handler).

const GARBAGE_MANIFESTS: readonly [unknown, RegExp][] = [
  ['x', /weightsManifest is not a list of weight groups/],
  [[{ paths: 5, weights: [] }], /weightsManifest\[0\]\.paths is not a list of file names/],
  [[{ paths: ['group1-shard1of1.bin'], weights: [{ name: 1, shape: 'a', dtype: 'float32' }] }], /weightsManifest\[0\]\.weights\[0\] has no name/],
  [[{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [-1, 3], dtype: 'float32' }] }], /weightsManifest\[0\]\.weights\[0\] \("w"\) has shape \[-1,3\], not a list of non-negative integers/],
  [[{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [65536, 65536], dtype: 'float32' }] }], /\("w"\) has 4,294,967,296 elements, more than a tensor can hold/],
  [[null], /weightsManifest\[0\] is not an object/],
];

describe('hardening: every exception caught where the user is', () => {
  it('garbage weight manifests: exit 2 naming the entry, no stack trace', async () => {
    for (const [manifest, message] of GARBAGE_MANIFESTS) {
      const r = await runCliAsync(['run', hostile.tfjsWithManifest(manifest).model]);
      assert.equal(r.code, 2, `${JSON.stringify(manifest)}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('an exception no command expected becomes cnn-lens: FILE: reason, exit 1; a file error exit 2', () => {
    const bug = failureOf('summary', ['model.json', '--csv'], new TypeError("Cannot read properties of undefined (reading 'shape')"));
    assert.deepEqual(bug, { stdout: '', stderr: "cnn-lens: model.json: Cannot read properties of undefined (reading 'shape')", code: 1 });
    const file = failureOf('run', ['m.json'], new SourceError('shard.bin', 'is a FIFO (named pipe), not a regular file'));
    assert.deepEqual(file, { stdout: '', stderr: 'cnn-lens: shard.bin: is a FIFO (named pipe), not a regular file', code: 2 });
    const named = failureOf('run', ['m.json'], new WeightsError('m.json', [], 'm.json: weightsManifest is not a list of weight groups'));
    assert.equal(named.stderr, 'cnn-lens: m.json: weightsManifest is not a list of weight groups', 'the file is named once');
  });

  it('a damaged HDF5 weights file is one line with the reason HDF5 gives, not its error stack', async () => {
    const junk = hostile.writeHostile('junk.h5', new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const r = await runCliAsync(['run', 'test/fixtures/keras3_functional.json', '--weights', junk]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^cnn-lens run: .*junk\.h5 cannot be read as HDF5 \(unable to synchronously open file: [a-z ]+\)$/);
  });

  it('one bad JSON file prints each error once', async () => {
    const r = await runCliAsync(['summary', hostile.writeHostile('bad.json', '{"class_name": "Sequential", "config": {"layers": [,,,]}}')]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(new Set(lines).size, lines.length, r.stderr);
  });

  it('in a child process: a garbage manifest exits 2 with the message, not 7 with a stack trace', () => {
    const r = runCliChild(['run', hostile.tfjsWithManifest([{ paths: 5, weights: [] }]).model]);
    assertWithinBudget(r);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^cnn-lens run: .*model\.json: weightsManifest\[0\]\.paths is not a list of file names\n$/);
  });
});
