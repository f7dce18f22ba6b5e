import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { stylizeFast } from '../../src/core/style/fast';
import { loadTransformModelFile } from '../../src/node/style/model-files';
import { readImage } from '../../src/node/image-files';
import { randomLossNetwork } from '../../src/core/style/loss-network';
import { trainTransformNet } from '../../src/node/style/train';
import { conv2dFilterGrad } from '../../src/core/style/wasm-gradients';

const STYLES = join(__dirname, '..', '..', 'media', 'styles');

describe('style transfer: train mode', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('our kernel gradient (for wasm) equals tfjs’s Conv2DBackpropFilter', () => {
    for (const [stride, pad] of [[1, 'same'], [2, 'same'], [1, 'valid'], [2, 'valid']] as const) {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const k = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(x, k, stride, pad).shape, 0, 1, 'float32', 4) as tf.Tensor4D;
      const ours = conv2dFilterGrad(tf, x, dy, 3, 3, [stride, stride], pad);
      // The CPU backend's own Conv2DBackpropFilter, through the registered conv2d gradient.
      const theirs = tf.grad((kk: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, kk as tf.Tensor4D, stride, pad), dy)))(k);
      const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
      assert.ok(diff < 1e-3, `stride ${stride} ${pad}: max difference ${diff}`);
    }
  });

  it('a few steps on tiny images save a TF.js model that Fast mode loads and runs; training resumes', async () => {
    const net = randomLossNetwork(tf);
    const out = mkdtempSync(join(tmpdir(), 'cnn-lens-train-'));
    const style = readImage(join(STYLES, 'waves.png'), { size: 32 }).image;
    const content = [readImage(join(STYLES, 'content', 'house.png'), { size: 40 }).image, readImage(join(STYLES, 'content', 'hills.png'), { size: 40 }).image];
    const opts = { content, style, styleName: 'tiny', outDir: out, size: 32, batch: 2, widths: [4, 8, 8] as [number, number, number], blocks: 1, seed: 3 };
    const r = await trainTransformNet(tf, net, { ...opts, steps: 3 });
    assert.equal(r.step, 3);
    assert.ok(existsSync(join(out, 'model.json')) && existsSync(join(out, 'group1-shard1of1.bin')));
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.match(json.userDefinedMetadata.cnnLens.lossNetwork, /random multi-scale/);

    const again = await trainTransformNet(tf, net, { ...opts, steps: 2 });
    assert.equal(again.resumedFrom, 3);
    assert.equal(again.step, 5);

    const model = await loadTransformModelFile(tf, join(out, 'model.json'));
    const img = readImage(join(STYLES, 'content', 'city.png'), { size: 36 }).image; // 36×27: padded to 36×28 inside
    const y = await stylizeFast(tf, model, img);
    assert.deepEqual([y.image.width, y.image.height], [img.width, img.height]);
    model.dispose();
    net.dispose();
  });
});
