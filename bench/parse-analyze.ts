// npm run bench: parse + analysis time per zoo model and for a generated 10,000-layer model,
// against tfjs-layers building the same JSON (modelFromJSON). Prints medians and ratios; targets
// (ResNet-152 < 20 ms, 10,000 layers < 300 ms, faster than tfjs-layers) are reported, not asserted.
// Then Keras .h5 / .keras files next to h5py's read of them (bench/keras-files.ts).
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/core';
import { largeModel } from '../scripts/large-model';
import { benchKerasFiles } from './keras-files';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => unknown | Promise<unknown>, runs: number): Promise<number> {
  await fn(); // warm-up: JIT and module initialisation are not what we measure
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function tfjsBuild(text: string): Promise<void> {
  const json = JSON.parse(text.replace(/"ReflectionPadding2D"/g, '"ZeroPadding2D"'));
  const model = await tfl.models.modelFromJSON(json.modelTopology ?? json);
  model.dispose();
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', 'models');
  const cases: [string, string][] = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
  cases.push(['generated 2,000 layers', JSON.stringify(largeModel(2000), null, 1)]);
  cases.push(['generated 10,000 layers', JSON.stringify(largeModel(10_000), null, 1)]);
  const targets: Record<string, number> = { 'resnet152.json': 20, 'generated 10,000 layers': 300 };
  console.log(`parse + analysis, median of ${RUNS} runs (tfjs-layers modelFromJSON on the same JSON for comparison)\n`);
  console.log(`${'model'.padEnd(26)}${'layers'.padStart(7)}${'CNN Lens ms'.padStart(13)}${'tfjs ms'.padStart(10)}${'tfjs/ours'.padStart(11)}  target`);
  for (const [name, text] of cases) {
    const layers = analyzeText(text, name).graph.nodes.length;
    const ours = await time(() => analyzeText(text, name), RUNS);
    let theirs = NaN;
    try {
      theirs = await time(() => tfjsBuild(text), name.includes('10,000') ? 3 : RUNS);
    } catch {
      // tfjs-layers cannot build every model (AlexNet's grouped convolutions and LRN): no ratio then.
    }
    const target = targets[name];
    const verdict = target === undefined ? '' : `< ${target} ms ${ours < target ? 'met' : 'MISSED'}`;
    console.log(`${name.padEnd(26)}${String(layers).padStart(7)}${ours.toFixed(2).padStart(13)}${(Number.isNaN(theirs) ? 'n/a' : theirs.toFixed(1)).padStart(10)}${(Number.isNaN(theirs) ? 'n/a' : `${(theirs / ours).toFixed(1)}×`).padStart(11)}  ${verdict}`);
  }  await benchKerasFiles(RUNS);
}

main();
