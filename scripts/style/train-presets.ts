// Trains the shipped style presets offline (random multi-scale loss network, no downloads) and
// writes media/styles/presets.json.   npx tsx scripts/style/train-presets.ts [steps] [name…]
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chooseBackend } from '../../src/core/runtime/backend';
import { randomLossNetwork } from '../../src/core/style/loss-network';
import { readImage } from '../../src/core/style/image-io';
import { trainTransformNet } from '../../src/core/style/train';
import { PRESETS } from '../../src/core/style/presets';

const MEDIA = join(__dirname, '..', '..', 'media', 'styles');

async function main() {
  const steps = Number(process.argv[2] ?? 300);
  const only = process.argv.slice(3);
  const { tf, name } = await chooseBackend((process.env.CNN_LENS_BACKEND as 'wasm') ?? 'wasm');
  const net = randomLossNetwork(tf);
  for (const p of PRESETS) {
    if (only.length && !only.includes(p.name)) continue;
    const style = readImage(join(MEDIA, p.styleImage)).image;
    const t0 = Date.now();
    const r = await trainTransformNet(tf, net, {
      content: join(MEDIA, 'content'), style, styleName: p.name, outDir: join(MEDIA, 'models', p.name), steps, size: 128, batch: 2,
      widths: [16, 32, 64], blocks: 5, quantisation: 'float16', resume: false, seed: 1, weights: p.weights,
      onStep: (s, l) => { if (s % 20 === 0 || s === 1) console.log(`${p.name} step ${s}: total ${l.total.toFixed(3)} content ${l.content.toFixed(3)} style ${l.style.toFixed(4)} tv ${l.tv.toFixed(4)}  (${((Date.now() - t0) / s / 1000).toFixed(2)} s/step)`); },
    });
    const secs = (Date.now() - t0) / 1000;
    console.log(`${p.name}: ${r.step} steps in ${secs.toFixed(0)} s on ${name}; ${r.bytes} weight bytes; first loss ${r.history[0].total.toFixed(3)} last ${r.history[r.history.length - 1].total.toFixed(3)}`);
    const logPath = join(MEDIA, 'models', 'training-log.json');
    const log = existsSync(logPath) ? JSON.parse(readFileSync(logPath, 'utf8')) : {};
    log[p.name] = { steps: r.step, seconds: Math.round(secs), backend: name, weightBytes: r.bytes, firstLoss: r.history[0], lastLoss: r.history[r.history.length - 1] };
    writeFileSync(logPath, JSON.stringify(log, null, 2));
  }
  net.dispose();
}
main().catch((e) => { console.error(e); process.exit(1); });
