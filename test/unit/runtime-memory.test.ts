import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliAsync } from '../../src/cli/main';
import { assertRunFits, estimateRunMemory, RunMemoryError } from '../../src/core/runtime/run-memory';
import { analyzeModel, readModel } from '../support/fixtures';

// A model too big for memory is refused before it runs, with the figures and the way out.

const F32 = 4;
const WASM = { bytes: 4 * 2 ** 30, what: "the wasm backend's 4 GiB address space" };

describe('run memory', () => {
  it('VGG-16 untapped: the peak is block1_conv2 running while block1_conv1’s output is held (hand-computed)', () => {
    const m = estimateRunMemory(analyzeModel('vgg16.json'));
    const block1 = 224 * 224 * 64 * F32; // 12,845,056 bytes per block1 activation
    assert.equal(m.peakActivationBytes, 2 * block1);
    assert.equal(m.peakAt, 'block1_conv2');
    assert.equal(m.weightBytes, 138_357_544 * F32);
    assert.equal(m.totalBytes, m.weightBytes + m.peakActivationBytes);
  });

  it('with every layer tapped, every activation is alive at the end', () => {
    const analysis = analyzeModel('resnet50.json');
    const m = estimateRunMemory(analysis, 'all');
    assert.equal(m.peakActivationBytes, analysis.nodes.reduce((s, n) => s + n.activationBytes, 0));
    // Untapped, a residual network holds far less: the skip and the branch, not the whole graph.
    assert.ok(estimateRunMemory(analysis).peakActivationBytes < m.peakActivationBytes / 10);
  });

  it('a batch of 256 VGG-16 images does not fit wasm: refused naming the file, the model, the peak layer and the way out', () => {
    const analysis = analyzeModel('vgg16.json', { batch: 256 });
    assert.throws(() => assertRunFits(analysis, 'models/vgg16.json', WASM), (e: unknown) => {
      assert.ok(e instanceof RunMemoryError);
      assert.equal(e.node, 'block1_conv2');
      assert.match(e.message, /^models\/vgg16\.json: vgg16 is too big to run here: it needs about 6\.6 GiB \(weights 527\.8 MiB \+ activations 6\.1 GiB, at their peak while block1_conv2 runs\), more than the wasm backend's 4 GiB address space \(4\.0 GiB\)\. Lower the batch size or the input size/);
      return true;
    });
    // The same model at one 224² image fits.
    assert.doesNotThrow(() => assertRunFits(analyzeModel('vgg16.json'), 'models/vgg16.json', WASM));
  });

  it('cnn-lens run refuses it before allocating anything (exit 1, the message on stderr)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-memory-'));
    const file = join(dir, 'vgg16-big.json');
    writeFileSync(file, readModel('vgg16.json').replace('"batch_input_shape": [null, 224, 224, 3]', '"batch_input_shape": [256, 224, 224, 3]'));
    const r = await runCliAsync(['run', file, '--backend', 'wasm']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: vgg16 is too big to run here`));
    assert.equal(r.stdout, '');
  });
});
