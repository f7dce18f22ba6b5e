import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../src/core';
import { SourceError, textSource } from '../../src/core/formats/source';
import { resolveRunWeights, weightsNextTo } from '../../src/core/runtime/preprocess';
import { disposeWeights } from '../../src/core/runtime/weights';

// A TF.js model.json whose weightsManifest is empty is a bare architecture: it runs on seeded random
// weights (and says so), instead of failing with "the file has no weights" for every layer.

describe('an empty TF.js weights manifest', () => {
  it('runs on seeded random weights', async () => {
    const file = join(__dirname, '..', 'integration', 'fixtures', 'workspace', 'tiny-cnn.json');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /"weightsManifest": \[\]/);
    // Nothing next to it either (no tiny-cnn.weights.h5).
    const source = textSource('tiny-cnn.json', text, (rel) => Promise.reject(new SourceError(rel, 'no such file next to the model', true)));
    assert.equal(await weightsNextTo(source), undefined);
    await tf.setBackend('cpu');
    const weights = await resolveRunWeights(tf, analyzeText(text, 'tiny-cnn.json'), source, undefined, 0);
    try {
      assert.equal(weights.random, true);
      assert.deepEqual(weights.weights.get('conv1')!.kernel.shape, [3, 3, 1, 8]);
    } finally {
      disposeWeights(weights.weights);
    }
  });
});
