import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { transposeData } from '../../src/core/engine/onnx-emitter';
import { previewEveryNode, tapChunks, TAP_BUDGET_BYTES } from '../../src/core/runtime/previews';
import { arrayPreviews } from '../../src/core/runtime/thumbnails';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { disposeWeights } from '../../src/core/runtime/weights';
import { analyzeFixture, analyzeModel } from '../support/fixtures';

// Previews of every node (what the extension computes after an image change): the taps are cut
// into forward passes that fit a memory budget, and however they are cut, every node gets the
// same preview.

before(async () => {
  await tf.setBackend('cpu');
});

describe('previews of every node', () => {
  it('tapChunks: every node once, in graph order, each pass within the budget (a node larger than the budget alone)', () => {
    const analysis = analyzeModel('vgg16.json');
    const budget = 20e6;
    const chunks = tapChunks(analysis, budget);
    assert.deepEqual(chunks.flat(), analysis.nodes.map((n) => n.id));
    assert.ok(chunks.length > 1, 'VGG-16 at 224 needs several 20 MB passes');
    const bytes = new Map(analysis.nodes.map((n) => [n.id, n.activationBytes]));
    for (const chunk of chunks) {
      const sum = chunk.reduce((s, id) => s + bytes.get(id)!, 0);
      assert.ok(sum <= budget || chunk.length === 1, `a pass of ${chunk.length} nodes holds ${sum} bytes`);
    }
    // 12.8 MB each: block1_conv1 and block1_conv2 cannot share a 20 MB pass.
    assert.ok(!chunks.some((c) => c.includes('block1_conv1') && c.includes('block1_conv2')));
  });

  it('tapChunks: MobileNet v1 at 224 fits the default budget in one pass', () => {
    const analysis = analyzeModel('mobilenet_v1.json');
    assert.ok(analysis.totals.activationBytes < TAP_BUDGET_BYTES);
    assert.deepEqual(tapChunks(analysis), [analysis.nodes.map((n) => n.id)]);
  });

  it('previewEveryNode: one preview per node, the same in several passes as in one, and no tensor left behind', async () => {
    const analysis = analyzeFixture('keras3_functional.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 0);
    const input = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 7);
    const before = tf.memory().numTensors;
    try {
      const one = await previewEveryNode(tf, analysis, weights, [input], { random: true });
      const smallest = Math.min(...analysis.nodes.map((n) => n.activationBytes));
      assert.ok(tapChunks(analysis, smallest).length > 2);
      const several = await previewEveryNode(tf, analysis, weights, [input], { random: true, budgetBytes: smallest });
      assert.deepEqual(Object.keys(one), analysis.nodes.map((n) => n.id));
      assert.deepEqual(several, one);
      assert.ok(Object.values(one).every((p) => p.random && p.thumbnail.startsWith('data:image/png;base64,')));
      assert.equal(tf.memory().numTensors, before, 'taps and outputs are disposed after each pass');
    } finally {
      input.dispose();
      disposeWeights(weights);
    }
  });

  it('arrayPreviews reads a tap where the engine stored it: an NHWC value kept NCHW (perm) draws what the NHWC array draws, with the IR shape', async () => {
    const nhwc = { shape: [2, 5, 7, 20], data: Float32Array.from({ length: 2 * 5 * 7 * 20 }, (_, i) => Math.sin(i * 0.37)) };
    const nchw = { ...transposeData(nhwc, [0, 3, 1, 2]), perm: [0, 3, 1, 2] };
    const dense = { shape: [2, 30], data: Float32Array.from({ length: 60 }, (_, i) => Math.cos(i)) };
    const dense10 = { ...transposeData(dense, [1, 0]), perm: [1, 0] };
    const want = await arrayPreviews(new Map([['conv', nhwc], ['fc', dense]]), 'channels_last');
    const got = await arrayPreviews(new Map([['conv', nchw], ['fc', dense10]]), 'channels_last');
    assert.deepEqual(got, want);
    assert.deepEqual(got.conv.shape, [2, 5, 7, 20]);
  });
});
