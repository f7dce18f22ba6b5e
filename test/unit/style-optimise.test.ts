import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fitLongerSide, imageToTensor, readImage } from '../../src/core/style/image-io';
import { randomLossNetwork, features } from '../../src/core/style/loss-network';
import { styleLoss } from '../../src/core/style/losses';
import { stylizeOptimise, styleTargets } from '../../src/core/style/optimise';

const STYLES = join(__dirname, '..', '..', 'media', 'styles');

describe('style transfer: optimise mode (Gatys)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('lowers the total loss below half, mostly monotonically, and moves the style toward the style image', async () => {
    const net = randomLossNetwork(tf);
    const content = readImage(join(STYLES, 'content', 'house.png'), { size: 32 }).image;
    const style = readImage(join(STYLES, 'swirls.png')).image;
    const r = await stylizeOptimise(tf, net, content, style, { steps: 30 });
    const totals = r.history.map((h) => h.total);
    const decreasing = totals.slice(1).filter((t, i) => t < totals[i]).length / (totals.length - 1);
    assert.ok(totals[totals.length - 1] < 0.5 * totals[0], `final ${totals[totals.length - 1]} vs initial ${totals[0]}`);
    assert.ok(decreasing >= 0.8, `only ${(decreasing * 100).toFixed(0)}% of steps decreased`);
    // The output's style loss to the style image is lower than the content image's.
    const targets = styleTargets(tf, net, imageToTensor(tf, fitLongerSide(style, 32)));
    const sl = (img: typeof content) => tf.tidy(() => styleLoss(tf, features(tf, net, imageToTensor(tf, img)).style, targets.grams, targets.weights).dataSync()[0]);
    assert.ok(sl(r.image) < 0.5 * sl(content), `style loss ${sl(r.image)} vs content's ${sl(content)}`);
    net.dispose();
  });

  it('can be cancelled', async () => {
    const net = randomLossNetwork(tf);
    const img = readImage(join(STYLES, 'content', 'house.png'), { size: 16 }).image;
    const ac = new AbortController();
    await assert.rejects(stylizeOptimise(tf, net, img, img, { steps: 50, signal: ac.signal, onStep: (s) => s === 2 && ac.abort(new Error('stopped')) }), /stopped/);
    net.dispose();
  });
});
