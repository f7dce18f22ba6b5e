// Style transfer benchmark (not a timed test): Fast mode with a shipped preset at 256², 512² and
// 2048² (by tiles: 512² tiles, 64 px overlap, blended seams), and Optimise mode's time per
// iteration at 256² with Adam and with L-BFGS. Writes the 2048² result to test-results/style-2048.png: look at it for seams.
//   npm run bench:style            (backend: CNN_LENS_BACKEND=wasm|cpu|tfjs-node|auto, default auto)
import { join } from 'node:path';
import { chooseBackend, describeBackend, type BackendPreference } from '../src/node/backend';
import { stylizeFast } from '../src/core/style/fast';
import { loadTransformModelFile } from '../src/node/style/model-files';
import { resizeImage } from '../src/core/style/image-io';
import { readImage, writePng } from '../src/node/image-files';
import { randomLossNetwork } from '../src/core/style/loss-network';
import { stylizeOptimise } from '../src/core/style/optimise';
import { findPreset } from '../src/node/style/presets';

const ROOT = join(__dirname, '..');
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

async function main() {
  const backend = await chooseBackend((process.env.CNN_LENS_BACKEND as BackendPreference) ?? 'auto');
  const { tf } = backend;
  console.log(`backend: ${describeBackend(backend)}`);
  const preset = findPreset(process.env.PRESET ?? 'swirls')!;
  const model = await loadTransformModelFile(tf, preset.modelPath);
  const base = readImage(join(ROOT, 'media', 'styles', 'content', 'city.png')).image;
  const sizes = (process.env.SIZES ?? '256,512,2048').split(',').map(Number);
  for (const side of sizes) {
    const img = resizeImage(base, side, side);
    let peakTf = 0, peakRss = 0;
    const sample = () => {
      peakTf = Math.max(peakTf, tf.memory().numBytes);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    };
    const timer = setInterval(sample, 50);
    if (side <= 512) await stylizeFast(tf, model, img); // warm-up at this size
    const t0 = performance.now();
    const r = await stylizeFast(tf, model, img, { onTile: sample });
    const ms = performance.now() - t0;
    clearInterval(timer);
    sample();
    console.log(`fast ${side}×${side} (${preset.name}): ${(ms / 1000).toFixed(2)} s, ${r.tiles} tile(s); peak tf.memory ${mb(peakTf)}, peak RSS ${mb(peakRss)}`);
    if (side >= 1024) {
      const out = join(ROOT, 'test-results', `style-${side}.png`);
      writePng(out, r.image);
      console.log(`  wrote ${out}`);
    }
  }
  model.dispose();
  if (process.env.SKIP_OPTIMISE !== '1') {
    const net = randomLossNetwork(tf);
    const content = resizeImage(base, 256, 256);
    const style = readImage(preset.styleImagePath).image;
    const steps = Number(process.env.OPT_STEPS ?? 10);
    // Both optimisers for the same iterations: time per iteration, loss evaluations, and how far the loss fell.
    for (const optimizer of ['adam', 'lbfgs'] as const) {
      const t0 = performance.now();
      const r = await stylizeOptimise(tf, net, content, style, { steps, optimizer });
      const ms = performance.now() - t0;
      const first = r.history[0].total, last = r.history[r.history.length - 1].total;
      const ran = optimizer === 'lbfgs' ? r.history.length - 1 : steps;
      const per = ms / ran;
      console.log(`optimise 256×256 (${optimizer}): ${(per / 1000).toFixed(2)} s per iteration (${ran} iterations, ${r.evaluations} loss evaluations; 100 iterations ≈ ${((per * 100) / 1000).toFixed(0)} s); loss ${first.toFixed(2)} → ${last.toFixed(2)} (${((100 * last) / first).toFixed(1)}% of the start)`);
    }
    net.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
