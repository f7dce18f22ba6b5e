// npm run bench:webview-run: activation previews of a model run in the diagram webview (cnnLens.backend
// webgpu/webgl on TensorFlow.js, onnxruntime-web on WebGPU or wasm) against the same previews in the host (the extension's own path, `auto` backend: wasm
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
import { onnxModelBytes } from '../shared/run-onnx';
import { describeWebviewRun } from '../shared/run-describe';
import { CHROMIUM_ARGS, launchChromium } from '../test/support/chromium';
import { copyOrtWasm, openPage, postRun, serveFolder } from '../test/support/run-page';

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

  // The host: TensorFlow.js on WebAssembly (the tfjs path a host without ONNX Runtime takes; `npm run bench:run` measures the engine).
  const backend = await chooseBackend('wasm');
  const inputs = prepareInputs(tf, analysis, [{ kind: 'image', file: IMAGE, bytes: readFileSync(IMAGE) }], choosePreset(analysis.graph.name, file));
  const weights = randomWeights(tf, analysis.graph, analysis, 0);
  const host: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await previewEveryNode(tf, analysis, weights, inputs.tensors, { random: true });
    host.push(performance.now() - t0);
  }
  disposeWeights(weights);

  // The webview: the diagram page, a `run` as the extension host posts it: for TensorFlow.js the seed
  // (the worker draws the weights), for onnxruntime-web the host's ONNX export (weights inside, every
  // layer tapped; its export time is the host's and not in the figures). Each engine in its own Chromium:
  // as CI has it (--disable-gpu: tfjs on SwiftShader WebGL, ORT on wasm) and with Dawn's SwiftShader
  // WebGPU (--enable-unsafe-webgpu), or the machine's GPU with --gpu.
  const out = mkdtempSync(join(tmpdir(), 'cnn-lens-bench-webview-'));
  const home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
  await writeStandalone({ input: file, name: MODEL, outDir: out });
  copyOrtWasm(ROOT, out);
  const server = await serveFolder(out);
  const hostWeights = randomWeights(tf, analysis.graph, analysis, 0);
  const t0 = performance.now();
  const onnx = await onnxModelBytes(analysis, hostWeights);
  const exportMs = performance.now() - t0;
  disposeWeights(hostWeights);
  const base = { type: 'run' as const, graph: parseModel(text, file), fileName: file, image: 'shapes.png', random: true, inputs: await Promise.all(inputs.tensors.map(tensorBytes)) };
  const variants = [
    { engine: 'TensorFlow.js', webgpu: false, request: { ...base, backend: 'webgpu' as const, weights: { key: 'bench', random: { seed: 0 } } } },
    { engine: 'TensorFlow.js', webgpu: true, request: { ...base, backend: 'webgpu' as const, weights: { key: 'bench', random: { seed: 0 } } } },
    { engine: 'onnxruntime-web', webgpu: false, request: { ...base, backend: 'onnxruntime-web' as const, weights: { key: 'bench-onnx', onnx } } },
    { engine: 'onnxruntime-web', webgpu: true, request: { ...base, backend: 'onnxruntime-web' as const, weights: { key: 'bench-onnx', onnx } } },
  ];
  const rows: { where: string; web: number[] }[] = [];
  try {
    for (const v of variants) {
      const args = GPU ? [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu'] : v.webgpu ? [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] : CHROMIUM_ARGS;
      if (GPU && !v.webgpu) continue;
      const browser = await launchChromium(home, args);
      const web: number[] = [];
      let where = '';
      try {
        const page = await openPage(browser, server.base, MODEL, []);
        for (let id = 1; id <= RUNS + 1; id++) {
          // The model crosses once (as the host sends it once per key); later runs name the key only.
          const request = id === 1 || v.engine !== 'onnxruntime-web' ? v.request : { ...v.request, weights: { key: v.request.weights.key } };
          const answer = await postRun(page, { ...request, id }, 600_000);
          if (answer.type === 'runFailed') throw new Error(`the page did not run ${MODEL} on ${v.engine}: ${answer.message}`);
          web.push(answer.ms);
          where = describeWebviewRun(answer.backend, answer.notUsed);
        }
      } finally {
        await browser.close();
      }
      rows.push({ where: `${where}${GPU ? '' : v.webgpu ? ' (Dawn on SwiftShader)' : ' (--disable-gpu: software)'}`, web });
    }
  } finally {
    server.close();
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    for (const t of inputs.tensors) t.dispose();
  }

  console.log(`Activation previews of every node of ${MODEL} (${analysis.graph.nodes.length} nodes), seeded random weights, ${RUNS} warm runs (median)`);
  console.log(`  host     ${describeBackend(backend)}`);
  console.log(`           first ${fmt(host[0])}   warm ${fmt(median(host.slice(1)))}`);
  for (const { where, web } of rows) {
    console.log(`  webview  ${where}`);
    console.log(`           first ${fmt(web[0])}   warm ${fmt(median(web.slice(1)))}   (first: engine load, backend start, weights or session, shaders)`);
  }
  console.log(`  (onnxruntime-web's model: exported in the host in ${exportMs.toFixed(0)} ms, ${(onnx.bytes.byteLength / 2 ** 20).toFixed(1)} MiB, sent once per weights key)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
