// Measures the style presets in Fast mode on every bundled content image: how far the colour
// statistics move toward the style's, and how well the content's edges survive (src/core/style/metrics.ts).
//   npx tsx scripts/style/measure-presets.ts [--models DIR] [--size PX]
// DIR holds one folder per preset (default media/styles/models); use it to compare a candidate set.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { stylizeFast } from '../../src/core/style/fast';
import { loadTransformModelFile } from '../../src/node/style/model-files';
import { readImage } from '../../src/node/image-files';
import { scoreStylisation } from '../../src/core/style/metrics';
import { listPresets, stylesDir } from '../../src/node/style/presets';

async function main() {
  const { values } = parseArgs({ options: { models: { type: 'string' }, size: { type: 'string' } } });
  const size = Number(values.size ?? 96);
  await tf.setBackend('cpu');
  const contentDir = join(stylesDir(), 'content');
  const samples = readdirSync(contentDir).filter((f) => /\.png$/i.test(f)).sort();
  console.log(`models: ${values.models ?? 'media/styles/models'}; content at ${size} px; mean/std = distance of channel means/stds to the style's (content → output); edges = Sobel correlation with the content (¼ scale, full scale)`);
  console.log(['preset', 'content', 'mean', 'std', 'edges ¼', 'edges 1'].join('\t'));
  for (const p of listPresets()) {
    const model = await loadTransformModelFile(tf, values.models ? join(values.models, p.name, 'model.json') : p.modelPath);
    const style = readImage(p.styleImagePath).image;
    for (const sample of samples) {
      const content = readImage(join(contentDir, sample), { size }).image;
      const out = (await stylizeFast(tf, model, content)).image;
      const s = scoreStylisation(content, style, out);
      console.log([p.name, sample, `${s.meanBefore.toFixed(1)} → ${s.meanAfter.toFixed(1)}`, `${s.stdBefore.toFixed(1)} → ${s.stdAfter.toFixed(1)}`, s.edges.toFixed(3), s.edgesFull.toFixed(3)].join('\t'));
    }
    model.dispose();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
