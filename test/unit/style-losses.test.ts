import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { contentLoss, gram, styleLoss, tvLoss } from '../../src/core/style/losses';
import { randomLossNetwork, features } from '../../src/core/style/loss-network';

// Johnson et al.'s losses against values computed by hand on tiny tensors.

const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

describe('style losses', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('Gram matrix = FᵀF / (C·H·W)', () => {
    // H=1, W=2, C=2: positions (1,2) and (3,4). FᵀF = [[10,14],[14,20]], C·H·W = 4.
    const g = gram(tf, tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]));
    assert.deepEqual(g.shape, [1, 2, 2]);
    assert.deepEqual(Array.from(g.dataSync()), [2.5, 3.5, 3.5, 5]);
  });

  it('one Gram matrix per image of a batch', () => {
    const g = gram(tf, tf.tensor4d([1, 0, 0, 2], [2, 1, 1, 2]));
    // image 1: F = (1, 0) → [[1,0],[0,0]]/2; image 2: F = (0, 2) → [[0,0],[0,4]]/2.
    assert.deepEqual(Array.from(g.dataSync()), [0.5, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('content loss is the mean squared feature difference', () => {
    close(contentLoss(tf, tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]), tf.tensor4d([0, 2, 3, 6], [1, 1, 2, 2])).dataSync()[0], 1.25);
  });

  it('style loss is Σ w_j ‖G_j − T_j‖²_F', () => {
    const f = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    // ‖[[2.5,3.5],[3.5,5]]‖²_F = 6.25 + 12.25 + 12.25 + 25 = 55.75; two layers, weights 2 and 1 (the second matches exactly).
    close(styleLoss(tf, [f, f], [tf.zeros([1, 2, 2]), gram(tf, f)], [2, 1]).dataSync()[0], 111.5);
  });

  it('total variation averages squared neighbour differences', () => {
    // [[0,1],[2,4]]: horizontal (1² + 2²)/2 = 2.5, vertical (2² + 3²)/2 = 6.5.
    close(tvLoss(tf, tf.tensor4d([0, 1, 2, 4], [1, 2, 2, 1])).dataSync()[0], 9);
    close(tvLoss(tf, tf.fill([1, 4, 4, 3], 7)).dataSync()[0], 0);
  });

  it('the offline loss network is deterministic and says what it is', () => {
    const a = randomLossNetwork(tf), b = randomLossNetwork(tf);
    const img = tf.randomUniform([1, 16, 16, 3], 0, 255, 'float32', 3);
    const fa = features(tf, a, img), fb = features(tf, b, img);
    assert.deepEqual(fa.style.map((t) => t.shape), [[1, 16, 16, 48], [1, 8, 8, 64], [1, 4, 4, 96], [1, 2, 2, 128]]);
    fa.style.forEach((t, i) => assert.deepEqual(Array.from(t.dataSync()), Array.from(fb.style[i].dataSync())));
    assert.match(a.description, /random multi-scale loss network .*seed 20170301.*no pretrained weights/);
    a.dispose();
    b.dispose();
  });
});
