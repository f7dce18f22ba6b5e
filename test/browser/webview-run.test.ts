// Running a model in the diagram webview (cnnLens.backend webgpu / webgl) in a real browser: the
// standalone page, served over http, opened in Debian's Chromium through playwright-core. The test
// plays the extension host: it prepares the inputs and the weights as webview-run.ts does and posts
// the `run` message; the page's run worker answers with thumbnails, the backend, and (in test mode)
// each layer's summary statistics, which must equal execute() in Node on tfjs's CPU backend.
//
//   npx mocha --no-config --require tsx/cjs --timeout 120000 test/browser/webview-run.test.ts   (it bundles the page itself)
//
// Headless Chromium here runs with --disable-gpu, as the other browser tests do: WebGL then runs on
// SwiftShader (software) and WebGPU has no adapter, which the fallback line must say; a second
// Chromium with --enable-unsafe-webgpu gets Dawn's SwiftShader adapter, so the WebGPU path runs too.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
import { analyzeText } from '../../src/core';
import type { Analysis } from '../../src/core/analysis/types';
import { parseModel } from '../../src/core/formats/registry';
import { chooseBackend } from '../../src/node/backend';
import { execute } from '../../src/core/runtime/executor';
import { choosePreset, prepareInputs } from '../../src/core/runtime/preprocess';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { disposeWeights, type WeightMap } from '../../src/core/runtime/weight-map';
import { loadWeights } from '../../src/node/weights-files';
import type { LayerStats, RunRequest } from '../../shared/protocol';
import { tensorBytes, weightBytes } from '../../shared/run-bytes';
import { onnxModelBytes } from '../../shared/run-onnx';
import { layerStats } from '../../webview/run/stats';
import { CHROMIUM_ARGS, launchChromium, skipWithoutChromium } from '../support/chromium';
import { answerTo, copyOrtWasm, openPage, postRun, sendRun, serveFolder, type RunAnswer } from '../support/run-page';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'test-results', 'webview-run');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const SAMPLE = join(ROOT, 'media', 'samples', 'shapes.png');
/** Agreement asked of every statistic: 1e-3 of the layer's own magnitude (max |value| on the CPU). */
const TOLERANCE = 1e-3;
/** onnxruntime-web (issue 10): 1e-4 of the layer's magnitude. */
const ORT_TOLERANCE = 1e-4;

interface Case {
  readonly name: string;
  readonly text: string;
  readonly file: string;
  /** Weights from a file next to the model; else seeded random (seed 0). */
  readonly weightsFile?: string;
}

/** MobileNet v1 at 96×96 (the zoo's file with a smaller input): depthwise convolutions, BN, ReLU6, in a second or two on SwiftShader. */
function mobilenetAt96(): string {
  const model = JSON.parse(readFileSync(join(ROOT, 'models', 'mobilenet_v1.json'), 'utf8'));
  const input = model.config.layers.find((l: { class_name: string }) => l.class_name === 'InputLayer');
  input.config.batch_input_shape = [null, 96, 96, 3];
  return JSON.stringify(model, null, 1);
}

const CASES: Case[] = [
  { name: 'assorted', file: join(ROOT, 'test/fixtures/assorted.json'), text: readFileSync(join(ROOT, 'test/fixtures/assorted.json'), 'utf8') },
  { name: 'tfjs-multi-io', file: join(ROOT, 'test/fixtures/tfjs_multi_io/model.json'), text: readFileSync(join(ROOT, 'test/fixtures/tfjs_multi_io/model.json'), 'utf8'), weightsFile: join(ROOT, 'test/fixtures/tfjs_multi_io/model.json') },
  { name: 'mobilenet-96', file: join(ROOT, 'models/mobilenet_v1.json'), text: mobilenetAt96() },
];

/** What the host prepares: the inputs (the sample image where the model takes one, seeded random values elsewhere) and the weights. */
async function hostSide(c: Case): Promise<{ analysis: Analysis; weights: WeightMap; inputs: tf.Tensor[]; image: string }> {
  const analysis = analyzeText(c.text, c.file);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), [], `${c.name} analyses without errors`);
  const prepared = prepareInputs(tf, analysis, [{ kind: 'image', file: SAMPLE, bytes: readFileSync(SAMPLE) }], choosePreset(analysis.graph.name, c.file));
  const weights = c.weightsFile ? (await loadWeights(c.weightsFile, analysis, { tf })).weights : randomWeights(tf, analysis.graph, analysis, 0);
  return { analysis, weights, inputs: prepared.tensors, image: prepared.notes.join('; ') };
}

describe('running a model in the diagram webview (Chromium: WebGL, WebGPU)', function () {
  this.timeout(180_000);
  let server: { base: string; close(): void };
  /** Chromium as the other tests run it (no WebGPU adapter: WebGL on SwiftShader), and with WebGPU enabled (Dawn on SwiftShader). */
  const browsers: Record<'webgl' | 'webgpu', Browser | undefined> = { webgl: undefined, webgpu: undefined };
  let home = '';
  const problems: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    await tf.setBackend('cpu');
    mkdirSync(SHOTS, { recursive: true });
    // Each page shows the report of the very text it runs (MobileNet at 96 is not a file of the zoo).
    let build = true;
    for (const c of CASES) {
      const file = join(OUT, `${c.name}.model.json`);
      mkdirSync(OUT, { recursive: true });
      writeFileSync(file, c.text);
      await writeStandalone({ input: file, name: c.name, outDir: OUT, noBuild: !build });
      build = false;
    }
    copyOrtWasm(ROOT, OUT);
    server = await serveFolder(OUT);
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
    browsers.webgl = await launchChromium(home);
    browsers.webgpu = await launchChromium(home, [...CHROMIUM_ARGS, '--enable-unsafe-webgpu']);
  });

  after(async () => {
    for (const b of Object.values(browsers)) await b?.close();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** A `run` for a case as the host posts it: its inputs, and a seed or the weight file's tensors. */
  async function request(c: Case, host: Awaited<ReturnType<typeof hostSide>>, id = 1, ort = false): Promise<RunRequest> {
    const common = { type: 'run', id, graph: parseModel(c.text, c.file), fileName: c.file, image: host.image, random: !c.weightsFile, stats: true, inputs: await Promise.all(host.inputs.map(tensorBytes)) } as const;
    // onnxruntime-web: the host's ONNX export (the run's weights inside, every layer tapped), as webview-run.ts sends it.
    if (ort) return { ...common, backend: 'onnxruntime-web', weights: { key: `${c.name}#onnx`, onnx: await onnxModelBytes(host.analysis, host.weights) } };
    return {
      ...common, backend: 'webgpu',
      weights: { key: `${c.name}#1`, random: c.weightsFile ? undefined : { seed: 0 }, tensors: c.weightsFile ? await weightBytes(host.weights) : undefined },
    };
  }

  async function run(b: Browser, c: Case, host: Awaited<ReturnType<typeof hostSide>>, ort = false): Promise<{ page: Page; answer: RunAnswer }> {
    const page = await openPage(b, server.base, c.name, problems);
    return { page, answer: await postRun(page, await request(c, host, 1, ort)) };
  }

  it('seeded random weights are the same values on the CPU and WebAssembly backends (bit for bit)', async () => {
    const c = CASES[2];
    const analysis = analyzeText(c.text, c.file);
    const read = async (w: WeightMap) => Promise.all([...w.values()].flatMap((r) => Object.values(r)).map((t) => t.data()));
    const onCpu = randomWeights(tf, analysis.graph, analysis, 0);
    const cpuValues = await read(onCpu);
    disposeWeights(onCpu);
    await chooseBackend('wasm');
    try {
      const onWasm = randomWeights(tf, analysis.graph, analysis, 0);
      const wasmValues = await read(onWasm);
      disposeWeights(onWasm);
      assert.equal(wasmValues.length, cpuValues.length);
      assert.ok(cpuValues.length > 50, 'MobileNet has weights in most layers');
      cpuValues.forEach((v, i) => assert.deepEqual(Buffer.from(wasmValues[i].buffer), Buffer.from(v.buffer), `weight tensor ${i}`));
    } finally {
      await tf.setBackend('cpu');
    }
  });

  const TITLES = {
    webgl: 'on WebGL (WebGPU has no adapter: said)',
    webgpu: 'on WebGPU (--enable-unsafe-webgpu)',
    'ort-wasm': 'on onnxruntime-web wasm (WebGPU has no adapter: said)',
    'ort-webgpu': 'on onnxruntime-web WebGPU (--enable-unsafe-webgpu)',
  } as const;
  const BACKENDS = { webgl: 'webgl', webgpu: 'webgpu', 'ort-wasm': 'onnxruntime-web wasm', 'ort-webgpu': 'onnxruntime-web WebGPU' } as const;
  for (const expect of ['webgl', 'webgpu', 'ort-wasm', 'ort-webgpu'] as const) for (const c of CASES) {
    const ort = expect.startsWith('ort-');
    const tolerance = ort ? ORT_TOLERANCE : TOLERANCE;
    it(`${c.name} ${TITLES[expect]}: every layer's output equals execute() on the CPU, thumbnails show`, async () => {
      const host = await hostSide(c);
      const { page, answer } = await run(browsers[expect === 'webgl' || expect === 'ort-wasm' ? 'webgl' : 'webgpu']!, c, host, ort);
      try {
        assert.equal(answer.type, 'runResult', `the page did not run ${c.name}: ${'message' in answer ? answer.message : ''}`);
        if (answer.type !== 'runResult') return;
        assert.equal(answer.backend, BACKENDS[expect]);
        if (expect === 'webgl' || expect === 'ort-wasm') assert.match(answer.notUsed.join(), /^WebGPU: navigator\.gpu gave no adapter$/, 'says why WebGPU was not used');
        else assert.deepEqual(answer.notUsed, []);

        // (b) Every layer, against the host's execute() on tfjs's CPU backend with the same inputs and weights.
        const ref = await execute(tf, host.analysis, host.weights, host.inputs, { taps: 'all' });
        const expected: Record<string, LayerStats> = await layerStats(tf, ref.taps);
        for (const t of [...ref.outputs, ...ref.taps.values()]) t.dispose();
        const got = answer.stats ?? {};
        assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort(), 'a statistic for every layer');
        let worst = 0;
        for (const [id, e] of Object.entries(expected)) {
          const g = got[id];
          assert.deepEqual(g.shape, e.shape, `${id}: shape`);
          const scale = Math.max(Math.abs(e.min), Math.abs(e.max), 1e-6);
          const pairs: [string, number, number][] = [['min', g.min, e.min], ['max', g.max, e.max], ['mean', g.mean, e.mean], ['mean |x|', g.meanAbs, e.meanAbs], ...e.head.map((v, i): [string, number, number] => [`value ${i}`, g.head[i], v])];
          for (const [what, a, b] of pairs) {
            const off = Math.abs(a - b) / scale;
            worst = Math.max(worst, off);
            assert.ok(off <= tolerance, `${c.name} ${id}: ${what} is ${a} on ${answer.backend}, ${b} on the CPU (${off.toExponential(2)} of the layer's magnitude ${scale.toPrecision(3)})`);
          }
        }
        console.log(`      ${c.name}: ${Object.keys(expected).length} layers on ${answer.backend} in ${answer.ms.toFixed(0)} ms; worst difference ${worst.toExponential(2)} of a layer's magnitude`);

        // (c) A thumbnail per layer, shown by the inspector with the line saying where it ran.
        assert.equal(Object.keys(answer.previews).length, host.analysis.graph.nodes.length);
        for (const p of Object.values(answer.previews)) assert.match(p.thumbnail, /^data:image\/png;base64,.{40}/);
        const layer = host.analysis.graph.nodes.find((n) => n.op === 'Conv2D')!.id;
        await page.evaluate((n) => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal(n), layer);
        await page.locator(`svg.diagram .node[data-id="${layer}"]`).click();
        const section = page.locator('[data-testid="inspector-activation"]');
        await section.waitFor();
        assert.equal(await section.locator('img.activation').getAttribute('src'), answer.previews[layer].thumbnail);
        assert.match(await page.locator('[data-testid="inspector-activation-backend"]').textContent() ?? '', new RegExp(`^Ran on ${answer.backend} in the diagram webview`));
        if (!c.weightsFile) assert.match(await section.textContent() ?? '', /Random weights/);
        await page.screenshot({ path: join(SHOTS, `webview-run-${c.name}-${expect}.png`) });
      } finally {
        for (const t of host.inputs) t.dispose();
        disposeWeights(host.weights);
        await page.context().close();
      }
      const logged = problems.splice(0);
      assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
    });
  }

  for (const ort of [false, true]) it(`a cancelled run${ort ? ' on onnxruntime-web' : ''} answers that it was cancelled (not a fallback); the next run still runs`, async () => {
    const c = CASES[2];
    const host = await hostSide(c);
    const page = await openPage(browsers.webgl!, server.base, c.name, problems);
    try {
      await sendRun(page, await request(c, host, 1, ort));
      await page.evaluate(() => window.postMessage({ type: 'cancelRun', id: 1 }, '*'));
      const cancelled = await answerTo(page, 1);
      assert.equal(cancelled.type, 'runFailed');
      if (cancelled.type !== 'runFailed') return;
      assert.equal(cancelled.message, 'the run was cancelled');
      assert.ok(!cancelled.unavailable, 'a cancel is not a reason to run in the host');
      const next = await postRun(page, await request(c, host, 2, ort));
      assert.equal(next.type, 'runResult');
      assert.equal(next.type === 'runResult' && Object.keys(next.previews).length, host.analysis.graph.nodes.length);
    } finally {
      for (const t of host.inputs) t.dispose();
      disposeWeights(host.weights);
      await page.context().close();
    }
    const logged = problems.splice(0);
    assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
  });

  it('without WebGL (--disable-3d-apis --disable-software-rasterizer) the page says so, for the host to run the model instead', async () => {
    const noGl = await launchChromium(home, [...CHROMIUM_ARGS, '--disable-3d-apis', '--disable-software-rasterizer']);
    const c = CASES[0];
    const host = await hostSide(c);
    try {
      const { answer } = await run(noGl, c, host);
      assert.equal(answer.type, 'runFailed');
      if (answer.type !== 'runFailed') return;
      assert.equal(answer.unavailable, true, 'marked for the host fallback');
      assert.match(answer.message, /^no GPU backend starts \(WebGPU: .+; WebGL: .+\)$/);
      console.log(`      ${answer.message}`);
    } finally {
      for (const t of host.inputs) t.dispose();
      disposeWeights(host.weights);
      await noGl.close();
    }
    const logged = problems.splice(0);
    assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
  });
});
