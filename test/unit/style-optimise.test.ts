import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fitLongerSide, imageToTensor } from '../../src/core/style/image-io';
import { readImage } from '../../src/node/image-files';
import { randomLossNetwork, features } from '../../src/core/style/loss-network';
import { styleLoss } from '../../src/core/style/losses';
import { stylizeOptimise, styleTargets } from '../../src/core/style/optimise';
import { runCliAsync } from '../../src/cli/main';

const STYLES = join(__dirname, '..', '..', 'media', 'styles');

describe('style transfer: optimise mode (Gatys)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  // The criterion for both optimisers; L-BFGS's Armijo line search makes every step a decrease.
  for (const [optimizer, steps, monotone] of [['adam', 30, 0.8], ['lbfgs', 15, 1]] as const) {
    it(`${optimizer}: lowers the total loss below half, ${monotone === 1 ? 'monotonically' : 'mostly monotonically'}, and moves the style toward the style image`, async () => {
      const net = randomLossNetwork(tf);
      const content = readImage(join(STYLES, 'content', 'house.png'), { size: 32 }).image;
      const style = readImage(join(STYLES, 'swirls.png')).image;
      const r = await stylizeOptimise(tf, net, content, style, { steps, optimizer });
      assert.equal(r.optimizer, optimizer);
      // The line search mostly accepts its first trial (it measured 16 evaluations for 15 iterations).
      assert.ok(r.evaluations <= 1.5 * steps + 1, `${r.evaluations} loss evaluations for ${steps} steps`);
      const totals = r.history.map((h) => h.total);
      const decreasing = totals.slice(1).filter((t, i) => t < totals[i]).length / (totals.length - 1);
      console.log(`      ${optimizer}: ${steps} steps, ${r.evaluations} evaluations, loss ${totals[0].toFixed(3)} → ${totals[totals.length - 1].toFixed(3)}`);
      assert.ok(totals[totals.length - 1] < 0.5 * totals[0], `final ${totals[totals.length - 1]} vs initial ${totals[0]}`);
      assert.ok(decreasing >= monotone, `only ${(decreasing * 100).toFixed(0)}% of steps decreased`);
      // The output's style loss to the style image is lower than the content image's.
      const targets = styleTargets(tf, net, imageToTensor(tf, fitLongerSide(style, 32)));
      const sl = (img: typeof content) => tf.tidy(() => styleLoss(tf, features(tf, net, imageToTensor(tf, img)).style, targets.grams, targets.weights).dataSync()[0]);
      assert.ok(sl(r.image) < 0.5 * sl(content), `style loss ${sl(r.image)} vs content's ${sl(content)}`);
      net.dispose();
    });
  }

  for (const optimizer of ['adam', 'lbfgs'] as const) {
    it(`${optimizer}: can be cancelled`, async () => {
      const net = randomLossNetwork(tf);
      const img = readImage(join(STYLES, 'content', 'house.png'), { size: 16 }).image;
      const style = readImage(join(STYLES, 'swirls.png'), { size: 16 }).image;
      const ac = new AbortController();
      let last = 0;
      await assert.rejects(stylizeOptimise(tf, net, img, style, { steps: 50, optimizer, signal: ac.signal, onStep: (s) => { last = s; if (s === 2) ac.abort(new Error('stopped')); } }), /stopped/);
      assert.equal(last, 2);
      net.dispose();
    });
  }
});

describe('cnn-lens stylize --optimizer', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-optimizer-'));
  const content = join(STYLES, 'content', 'house.png');

  it('lbfgs: runs L-BFGS and says so, with its iterations and loss evaluations', async () => {
    const out = join(tmp, 'lbfgs.png');
    const r = await runCliAsync(['stylize', '--content', content, '--style', join(STYLES, 'waves.png'), '--out', out, '--optimizer', 'lbfgs', '--steps', '3', '--size', '24', '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    const m = /24×24, optimise mode \(L-BFGS, 3 iterations, (\d+) loss evaluations\); loss ([\d.]+) → ([\d.]+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) >= 4, 'at least one evaluation to start and one per iteration');
    assert.ok(Number(m[3]) < Number(m[2]), 'the loss fell');
    assert.deepEqual([readImage(out).image.width, readImage(out).image.height], [24, 24]);
  });

  it('an unknown optimizer, or one outside optimise mode: a usage error', async () => {
    const bad = await runCliAsync(['stylize', '--content', content, '--style', join(STYLES, 'waves.png'), '--out', join(tmp, 'o.png'), '--optimizer', 'sgd']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--optimizer "sgd": choose adam or lbfgs/);
    const fast = await runCliAsync(['stylize', '--content', content, '--style', 'waves', '--out', join(tmp, 'o.png'), '--optimizer', 'lbfgs']);
    assert.equal(fast.code, 2);
    assert.match(fast.stderr, /--optimizer applies to optimise mode only \(this is fast mode\)/);
  });
});
