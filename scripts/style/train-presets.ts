// Trains the shipped style presets offline (random multi-scale loss network, no downloads) and
// logs each run in DIR/training-log.json (then scripts/style/write-presets-json.ts writes media/styles/presets.json).
//   npx tsx scripts/style/train-presets.ts [--steps N] [--size PX] [--content-weight W] [--tv-weight W] [--out DIR] [--resume] [name…]
// --out defaults to media/styles/models; --resume continues from DIR/<name>'s checkpoint (weights,
// BN statistics, step) instead of starting afresh — e.g. to fine-tune copies of the shipped presets
// in a candidate folder, then compare them with scripts/style/measure-presets.ts.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseBackend } from '../../src/node/backend';
import { randomLossNetwork } from '../../src/core/style/loss-network';
import { readImage } from '../../src/node/image-files';
import { trainTransformNet } from '../../src/node/style/train';
import { PRESETS } from '../../src/node/style/presets';

const MEDIA = join(__dirname, '..', '..', 'media', 'styles');

async function main() {
  const { values, positionals: only } = parseArgs({
    allowPositionals: true,
    options: { steps: { type: 'string' }, size: { type: 'string' }, 'content-weight': { type: 'string' }, 'tv-weight': { type: 'string' }, out: { type: 'string' }, resume: { type: 'boolean' } },
  });
  const steps = Number(values.steps ?? 300);
  const size = Number(values.size ?? 128);
  const outRoot = values.out ?? join(MEDIA, 'models');
  const { tf, name } = await chooseBackend((process.env.CNN_LENS_BACKEND as 'wasm') ?? 'wasm');
  const net = randomLossNetwork(tf);
  for (const p of PRESETS) {
    if (only.length && !only.includes(p.name)) continue;
    const style = readImage(join(MEDIA, p.styleImage)).image;
    const weights = {
      ...p.weights,
      ...(values['content-weight'] ? { content: Number(values['content-weight']) } : {}),
      ...(values['tv-weight'] ? { tv: Number(values['tv-weight']) } : {}),
    };
    const t0 = Date.now();
    let done = 0;
    const r = await trainTransformNet(tf, net, {
      content: join(MEDIA, 'content'), style, styleName: p.name, outDir: join(outRoot, p.name), steps, size, batch: 2,
      widths: [16, 32, 64], blocks: 5, quantisation: 'float16', resume: values.resume ?? false, seed: 1, weights, saveEvery: 25,
      onStep: (s, l) => { if (++done % 20 === 0 || done === 1) console.log(`${p.name} step ${s}: total ${l.total.toFixed(3)} content ${l.content.toFixed(3)} style ${l.style.toFixed(4)} tv ${l.tv.toFixed(4)}  (${((Date.now() - t0) / done / 1000).toFixed(2)} s/step)`); },
    });
    const secs = (Date.now() - t0) / 1000;
    console.log(`${p.name}: ${r.step - r.resumedFrom} steps (to step ${r.step}) in ${secs.toFixed(0)} s on ${name}; ${r.bytes} weight bytes; first loss ${r.history[0].total.toFixed(3)} last ${r.history[r.history.length - 1].total.toFixed(3)}`);
    const logPath = join(outRoot, 'training-log.json');
    const log = existsSync(logPath) ? JSON.parse(readFileSync(logPath, 'utf8')) : {};
    const before = r.resumedFrom ? log[p.name] : undefined;
    log[p.name] = {
      steps: r.step, seconds: Math.round(secs) + (before?.seconds ?? 0), backend: name, weightBytes: r.bytes,
      phases: [...(before?.phases ?? (before ? [{ steps: before.steps, size: 128, weights: { content: 1, style: 10, tv: 10 } }] : [])), { steps: r.step - r.resumedFrom, size, weights: { content: 1, style: 10, tv: 10, ...weights } }],
      firstLoss: before?.firstLoss ?? r.history[0], lastLoss: r.history[r.history.length - 1],
    };
    writeFileSync(logPath, JSON.stringify(log, null, 2));
  }
  net.dispose();
}
main().catch((e) => { console.error(e); process.exit(1); });
