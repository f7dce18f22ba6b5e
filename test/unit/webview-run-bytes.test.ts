import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, parseModel } from '../../src/core';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { disposeWeights, weightsFor } from '../../src/core/runtime/weight-map';
import type { HostMessage } from '../../shared/protocol';
import { tensorBytes, weightBytes } from '../../shared/run-bytes';

// What a `run` message carries to the diagram webview: tensors as float32 ArrayBuffers of their own,
// each weight tensor once. postMessage clones them (structuredClone here), never through JSON.

describe('run messages for the diagram webview', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('an input tensor crosses as its own float32 bytes, values and shape intact', async () => {
    const t = tf.tensor4d([0.5, -1.25, 3, 1e-7, 65504, -0], [1, 1, 2, 3]);
    const bytes = await tensorBytes(tf.slice(t, [0, 0, 1, 0], [1, 1, 1, 3]));
    t.dispose();
    assert.equal(bytes.data.byteLength, 3 * 4, 'a buffer of its own, not the backing store of a bigger tensor');
    const message: HostMessage = { type: 'run', id: 1, backend: 'webgl', graph: parseModel('{}', 'm.json'), fileName: 'm.json', image: 'x.png', random: true, inputs: [bytes], weights: { key: 'k', random: { seed: 0 } } };
    const received = structuredClone(message);
    assert.equal(received.type, 'run');
    if (received.type !== 'run') return;
    assert.deepEqual(received.inputs[0].shape, [1, 1, 1, 3]);
    assert.deepEqual(Array.from(new Float32Array(received.inputs[0].data)), [1e-7, 65504, -0].map(Math.fround));
  });

  it('weights: each tensor once (a shared layer’s later call is found through its first), all of them', async () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'multi_io.json'), 'utf8');
    const analysis = analyzeText(text, 'multi_io.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 3);
    try {
      const sent = await weightBytes(weights);
      const records = new Set(weights.values());
      const tensors = [...records].flatMap((r) => Object.values(r));
      assert.equal(sent.length, tensors.length, 'one entry per distinct tensor');
      assert.equal(new Set(sent.map((w) => `${w.node}/${w.name}`)).size, sent.length);
      assert.ok(sent.some((w) => w.node === 'shared_dense') && !sent.some((w) => w.node === 'shared_dense@2'), 'the shared Dense is sent once, under its first call');
      // Rebuilt as the worker does, every node finds the very values the host has.
      const rebuilt = new Map<string, Record<string, Float32Array>>();
      for (const w of sent) rebuilt.set(w.node, { ...rebuilt.get(w.node), [w.name]: new Float32Array(w.data) });
      for (const node of analysis.graph.nodes) {
        const host = weightsFor(weights, node);
        if (!host) continue;
        const mine = rebuilt.get(node.id) ?? (node.sharesWeightsWith ? rebuilt.get(node.sharesWeightsWith) : undefined);
        assert.ok(mine, `${node.id} finds its weights`);
        for (const [name, t] of Object.entries(host)) assert.deepEqual(mine[name], await t.data(), `${node.id}/${name}`);
      }
    } finally {
      disposeWeights(weights);
    }
  });
});
