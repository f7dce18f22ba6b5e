// npm run bench:webview-run: activation previews of a model run in the diagram webview (cnnLens.backend
// webgpu/webgl) against the same previews in the host (the extension's own path, `auto` backend: wasm
// here). MobileNet v1 at 224 by default, seeded random weights, the bundled sample image. The webview
// side is the real page in Chromium (playwright-core): the first run includes loading TensorFlow.js in
// the run worker, starting the backend, drawing the weights and compiling shaders; later runs reuse
// them. Times are the worker's own (`runResult.ms`: from the request's arrival to the thumbnails).
// Figures are printed, never asserted.
//   npm run bench:webview-run [-- --gpu]    --gpu: let Chromium use the machine's GPU (no --disable-gpu,
//                                           WebGPU enabled); default: software WebGL (SwiftShader), as CI has
//   BENCH_RUNS (warm runs, default 3), BENCH_MODEL (a models/*.json name, default mobilenet_v1)
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStandalone } from '../scripts/standalone/write-standalone';
import { analyzeText, parseModel } from '../src/core';
import { chooseBackend, describeBackend } from '../src/node/backend';
import { choosePreset, prepareInputs } from '../src/core/runtime/preprocess';
import { previewEveryNode } from '../src/core/runtime/previews';
import { median } from '../src/core/runtime/profile';
import { randomWeights } from '../src/core/runtime/random-weights';
import { disposeWeights } from '../src/core/runtime/weight-map';
import { tensorBytes } from '../shared/run-bytes';
import { describeWebviewRun } from '../shared/run-describe';
import { CHROMIUM_ARGS, launchChromium } from '../test/support/chromium';
import { openPage, postRun, serveFolder } from '../test/support/run-page';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MODEL = process.env.BENCH_MODEL ?? 'mobilenet_v1';
const IMAGE = join(ROOT, 'media', 'samples', 'shapes.png');
const GPU = process.argv.includes('--gpu');

const fmt = (ms: number): string => `${ms.toFixed(0).padStart(7)} ms`;

async function main(): Promise<void> {
  const file = join(ROOT, 'models', `${MODEL}.json`);
  const text = readFileSync(file, 'utf8');
  const analysis = analyzeText(text, file);

  // The host: what Run Model on Image does without a webview backend.
  const backend = await chooseBackend('auto');
  const inputs = prepareInputs(tf, analysis, [{ kind: 'image', file: IMAGE, bytes: readFileSync(IMAGE) }], choosePreset(analysis.graph.name, file));
  const weights = randomWeights(tf, analysis.graph, analysis, 0);
  const host: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await previewEveryNode(tf, analysis, weights, inputs.tensors, { random: true });
    host.push(performance.now() - t0);
  }
  disposeWeights(weights);

  // The webview: the diagram page, a `run` as the extension host posts it (the seed, not the weights).
  const out = mkdtempSync(join(tmpdir(), 'cnn-lens-bench-webview-'));
  const home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
  await writeStandalone({ input: file, name: MODEL, outDir: out });
  const server = await serveFolder(out);
  const args = GPU ? [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu'] : CHROMIUM_ARGS;
  const browser = await launchChromium(home, args);
  const web: number[] = [];
  let where = '';
  try {
    const page = await openPage(browser, server.base, MODEL, []);
    const request = { type: 'run' as const, backend: 'webgpu' as const, graph: parseModel(text, file), fileName: file, image: 'shapes.png', random: true, inputs: await Promise.all(inputs.tensors.map(tensorBytes)), weights: { key: 'bench', random: { seed: 0 } } };
    for (let id = 1; id <= RUNS + 1; id++) {
      const answer = await postRun(page, { ...request, id }, 600_000);
      if (answer.type === 'runFailed') throw new Error(`the page did not run ${MODEL}: ${answer.message}`);
      web.push(answer.ms);
      where = describeWebviewRun(answer.backend, answer.notUsed);
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    for (const t of inputs.tensors) t.dispose();
  }

  console.log(`Activation previews of every node of ${MODEL} (${analysis.graph.nodes.length} nodes), seeded random weights, ${RUNS} warm runs (median)`);
  console.log(`  host     ${describeBackend(backend)}`);
  console.log(`           first ${fmt(host[0])}   warm ${fmt(median(host.slice(1)))}`);
  console.log(`  webview  ${where}${GPU ? '' : ' (Chromium with --disable-gpu: software WebGL)'}`);
  console.log(`           first ${fmt(web[0])}   warm ${fmt(median(web.slice(1)))}   (first: TF.js load, backend start, weights, shaders)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
