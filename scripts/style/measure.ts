// Style transfer quality, measured (issue 15): every shipped preset in Fast mode, and Optimise mode
// with each preset's style image, on three content images. Per row it prints
//   grad 1 / grad ¼  luminance-gradient correlation with the content, full and ¼ scale (target ¼ ≥ 0.5)
//   gram / gram₀     Gram distance to the style image of the result / of the content itself, in a
//                    random multi-scale network with another seed than the loss's (target ≤ ½ gram₀)
//   hist / hist₀     colour-histogram distance to the style, result / content (printed, no target)
//   chk / chk₀       share of the luminance's energy at the 2- and 4-px checkerboard frequencies,
//                    result / content (target ≤ content + 10 %)
// and pass/miss per target; it writes a contact sheet (style, content and result for every preset
// and mode) to test-results/style/contact-sheet.png. The measures: src/core/style/measures.ts and
// gram-distance.ts.
//   npm run style:measure [-- --models DIR] [--steps N] [--size PX] [--no-optimise] [--out FILE]
// DIR holds one folder per preset (default media/styles/models), to compare a candidate set.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseBackend, describeBackend } from '../../src/node/backend';
import { stylizeFast } from '../../src/core/style/fast';
import { fitLongerSide, resizeImage, type RgbImage } from '../../src/core/style/image-io';
import { randomLossNetwork, RANDOM_SEED } from '../../src/core/style/loss-network';
import { stylizeOptimise } from '../../src/core/style/optimise';
import { checkerboardEnergy, colourHistogramDistance, gradientCorrelation } from '../../src/core/style/measures';
import { gramDistance } from '../../src/core/style/gram-distance';
import { loadTransformModelFile } from '../../src/node/style/model-files';
import { readImage, writePng } from '../../src/node/image-files';
import { listPresets, stylesDir } from '../../src/node/style/presets';

const ROOT = join(__dirname, '..', '..');
const CONTENT = ['city.png', 'hills.png', 'still-life.png'];
/** A seed the loss never uses: the judging network's filters differ from the loss network's. */
const JUDGE_SEED = RANDOM_SEED + 1;
const CELL = 160;

/** Images in a grid of CELL×CELL cells (each fitted and centred, grey around it). */
function contactSheet(rows: (RgbImage | undefined)[][]): RgbImage {
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * CELL, height = rows.length * CELL;
  const data = new Uint8Array(width * height * 3).fill(64);
  rows.forEach((row, r) => row.forEach((img, c) => {
    if (!img) return;
    const fit = fitLongerSide(img, CELL - 4);
    const ox = c * CELL + ((CELL - fit.width) >> 1), oy = r * CELL + ((CELL - fit.height) >> 1);
    for (let y = 0; y < fit.height; y++) data.set(fit.data.subarray(y * fit.width * 3, (y + 1) * fit.width * 3), ((oy + y) * width + ox) * 3);
  }));
  return { width, height, data };
}

async function main() {
  const { values } = parseArgs({ options: { models: { type: 'string' }, steps: { type: 'string' }, size: { type: 'string' }, 'no-optimise': { type: 'boolean' }, out: { type: 'string' } } });
  const steps = Number(values.steps ?? 100);
  const size = values.size ? Number(values.size) : undefined;
  const backend = await chooseBackend('auto');
  const { tf } = backend;
  const judge = randomLossNetwork(tf, JUDGE_SEED);
  const loss = randomLossNetwork(tf);
  console.log(`tfjs: ${describeBackend(backend)}; models: ${values.models ?? 'media/styles/models'}; Optimise: ${values['no-optimise'] ? 'skipped' : `${steps} Adam steps, ${loss.description}`}`);
  console.log(`Gram distances in the random multi-scale architecture with seed ${JUDGE_SEED} (the loss uses ${RANDOM_SEED})`);
  const contents = CONTENT.map((f) => { const img = readImage(join(stylesDir(), 'content', f)).image; return { name: f.replace(/\.png$/, ''), image: size ? fitLongerSide(img, size) : img }; });
  const header = ['preset', 'mode', 'content', 'grad 1', 'grad ¼', 'gram', 'gram₀', 'hist', 'hist₀', 'chk', 'chk₀', 'grad¼≥.5', 'gram≤½', 'chk≤+10%'];
  console.log(header.join('\t'));
  const sheet: (RgbImage | undefined)[][] = [[undefined, ...contents.map((c) => c.image)]];
  let misses = 0, rows = 0;
  for (const p of listPresets()) {
    const style = readImage(p.styleImagePath).image;
    const model = await loadTransformModelFile(tf, values.models ? join(values.models, p.name, 'model.json') : p.modelPath);
    const modes: [string, (c: RgbImage) => Promise<RgbImage>][] = [['fast', async (c) => (await stylizeFast(tf, model, c)).image]];
    if (!values['no-optimise']) modes.push(['optimise', async (c) => (await stylizeOptimise(tf, loss, c, style, { steps })).image]);
    for (const [mode, stylize] of modes) {
      const results: RgbImage[] = [];
      for (const c of contents) {
        const out = await stylize(c.image);
        results.push(out);
        const styleAtSize = resizeImage(style, c.image.width, c.image.height);
        const g1 = gradientCorrelation(c.image, out), g4 = gradientCorrelation(c.image, out, 4);
        const gram = gramDistance(tf, judge, out, styleAtSize), gram0 = gramDistance(tf, judge, c.image, styleAtSize);
        const hist = colourHistogramDistance(out, style), hist0 = colourHistogramDistance(c.image, style);
        const chk = checkerboardEnergy(out), chk0 = checkerboardEnergy(c.image);
        const pass = [g4 >= 0.5, gram <= gram0 / 2, chk <= chk0 * 1.1];
        misses += pass.filter((x) => !x).length;
        rows++;
        console.log([p.name, mode, c.name, g1.toFixed(3), g4.toFixed(3), gram.toFixed(3), gram0.toFixed(3), hist.toFixed(3), hist0.toFixed(3), chk.toFixed(4), chk0.toFixed(4), ...pass.map((x) => (x ? 'pass' : 'MISS'))].join('\t'));
      }
      sheet.push([style, ...results]);
    }
    model.dispose();
  }
  judge.dispose();
  loss.dispose();
  const out = values.out ?? join(ROOT, 'test-results', 'style', 'contact-sheet.png');
  writePng(out, contactSheet(sheet));
  console.log(`${rows} rows, ${misses} targets missed; contact sheet (row 1: contents; then per preset and mode: style, results): ${out}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
