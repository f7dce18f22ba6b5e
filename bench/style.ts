// Style transfer benchmark (not a timed test): Fast mode with a shipped preset at 512² and 2048²
// (by tiles: 512² tiles, 64 px overlap, blended seams) on tfjs-wasm and on ONNX Runtime (one thread
// and every core), measured interleaved (round after round, each engine in turn, medians printed),
// then Optimise mode's time per iteration at 256² with Adam and with L-BFGS. Writes the 2048² result
// to test-results/style-2048.png (engine): look at it for seams.
//   npm run bench:style     (env: SIZES=512,2048  ROUNDS=3  PRESET=swirls  SKIP_OPTIMISE=1  CNN_LENS_BACKEND=wasm|cpu for the tfjs side)
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { chooseBackend, describeBackend, type BackendPreference } from '../src/node/backend';
import { stylizeFast, tfjsTileRunner, type TileRunner } from '../src/core/style/fast';
import { loadTransformModelFile } from '../src/node/style/model-files';
import { EngineTileRunner, releaseEngineSessions } from '../src/node/style/fast-engine';
import { resizeImage } from '../src/core/style/image-io';
import { readImage, writePng } from '../src/node/image-files';
import { randomLossNetwork } from '../src/core/style/loss-network';
import { stylizeOptimise } from '../src/core/style/optimise';
import { findPreset } from '../src/node/style/presets';

const ROOT = join(__dirname, '..');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const backend = await chooseBackend((process.env.CNN_LENS_BACKEND as BackendPreference) ?? 'wasm');
  const { tf } = backend;
  console.log(`tfjs side: ${describeBackend(backend)}`);
  const preset = findPreset(process.env.PRESET ?? 'swirls')!;
  const model = await loadTransformModelFile(tf, preset.modelPath);
  const base = readImage(join(ROOT, 'media', 'styles', 'content', 'city.png')).image;
  const sizes = (process.env.SIZES ?? '512,2048').split(',').map(Number);
  const rounds = Number(process.env.ROUNDS ?? 3);
  const cores = availableParallelism();
  const runners: TileRunner[] = [
    tfjsTileRunner(tf, model, `tfjs ${backend.name}`),
    new EngineTileRunner(model, { threads: 1 }),
    ...(cores > 1 ? [new EngineTileRunner(model, { threads: cores })] : []),
  ];
  const images = new Map(sizes.map((s) => [s, resizeImage(base, s, s)]));
  // Warm-up: one run of each at 512² (sessions made, wasm kernels compiled; 2048² runs 512² tiles).
  for (const runner of runners) await stylizeFast(tf, model, images.get(Math.min(...sizes))!, { runner });
  const times = new Map<string, number[]>();
  const tiles = new Map<number, number>();
  for (let round = 0; round < rounds; round++) {
    for (const side of sizes) {
      for (const runner of runners) {
        const t0 = performance.now();
        const r = await stylizeFast(tf, model, images.get(side)!, { runner });
        const ms = performance.now() - t0;
        tiles.set(side, r.tiles);
        const key = `${side}\0${runner.name}`;
        times.set(key, [...(times.get(key) ?? []), ms]);
        console.log(`  round ${round + 1}: ${side}×${side} ${runner.name}: ${(ms / 1000).toFixed(3)} s`);
        if (round === rounds - 1 && side >= 1024 && runner === runners[runners.length - 1]) {
          const out = join(ROOT, 'test-results', `style-${side}.png`);
          writePng(out, r.image);
          console.log(`  wrote ${out} (${runner.name})`);
        }
      }
    }
  }
  console.log(`fast mode (${preset.name}), median of ${rounds} interleaved rounds:`);
  for (const side of sizes) {
    const ref = median(times.get(`${side}\0${runners[0].name}`)!);
    for (const runner of runners) {
      const ms = median(times.get(`${side}\0${runner.name}`)!);
      console.log(`  ${side}×${side} (${tiles.get(side)} tile${tiles.get(side) === 1 ? '' : 's'}) ${runner.name.padEnd(32)} ${(ms / 1000).toFixed(3)} s  ${(ref / ms).toFixed(1)}× tfjs`);
    }
  }
  await releaseEngineSessions();
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
