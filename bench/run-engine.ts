// The engine half of `npm run bench:run`: ONNX Runtime through CNN Lens against ONNX Runtime's own
// `session.run` on the same ONNX bytes (untapped, with every layer tapped whole, and with every
// layer's preview summary: its range and first maps, computed in the graph), and against today's
// tfjs-wasm executor on the same model; single-threaded, interleaved, medians. For the zoo's Keras
// models the bytes are the IR → ONNX exporter's (seeded random weights, the same ones tfjs runs).
// GFLOP/s = the model's FLOPs (our analysis) / time, next to ORT's own peak on a large MatMul.
import type * as tfc from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/core';
import { exportOnnx } from '../src/core/engine/onnx-export';
import { plainWeights } from '../src/core/engine/plain-weights';
import { ModelProto } from '../src/core/formats/onnx/proto';
import { execute } from '../src/core/runtime/executor';
import { choosePreset, prepareInputs } from '../src/core/runtime/preprocess';
import { median } from '../src/core/runtime/profile';
import { randomWeights } from '../src/core/runtime/random-weights';
import { disposeWeights } from '../src/core/runtime/weights';
import { engineModelOf } from '../src/node/engine/engine-model';
import { engineInputs, enginePreviews } from '../src/node/engine/previews';
import { defaultThreads } from '../src/node/engine/providers';
import { EngineSession } from '../src/node/engine/session';

const ROOT = join(__dirname, '..');
export const ENGINE_TARGET = { untapped: 1.05, tapped: 1.3, vsWasm: 5, previewMs: 100 };
const PREVIEW_IMAGE = join(ROOT, 'media', 'samples', 'shapes.png');

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

/** ORT's GFLOP/s on one thread for an n×n×n MatMul (fastest of the runs): the engine's practical peak. */
export async function ortMatmulPeak(n: number, runs: number): Promise<number> {
  const tensorType = { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } };
  const bytes = ModelProto.encode(ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'peak', node: [{ opType: 'MatMul', input: ['A', 'B'], output: ['C'] }], input: [{ name: 'A', type: { tensorType } }, { name: 'B', type: { tensorType } }], output: [{ name: 'C', type: { tensorType } }] },
  })).finish();
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const data = new Float32Array(n * n).map(() => Math.random());
  const feeds = { A: new ort.Tensor('float32', data, [n, n]), B: new ort.Tensor('float32', data, [n, n]) };
  await session.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < Math.max(runs, 5); i++) ms.push(await time(() => session.run(feeds)));
  await session.release();
  return (2 * n ** 3) / Math.min(...ms) / 1e6;
}

export interface EngineTimes {
  readonly name: string;
  readonly gflop: number;
  readonly ortMs: number;
  readonly oursMs: number;
  readonly tappedMs: number;
  /** Every layer's preview summary (range and first maps, computed in the graph: what Run Model on Image reads). */
  readonly summaryMs: number;
  readonly wasmMs: number;
  /** max |ours − tfjs-wasm| over the outputs, relative to the output's largest magnitude. */
  readonly relDiff: number;
}

/** One zoo model: exported once, then ORT direct, ours, ours tapped and tfjs-wasm, interleaved. `tf` is on wasm. */
export async function benchEngineModel(tf: typeof tfc, name: string, runs: number): Promise<EngineTimes> {
  const file = `${name}.json`;
  const analysis = analyzeText(readFileSync(join(ROOT, 'models', file), 'utf8'), file);
  const weights = randomWeights(tf, analysis.graph, analysis, 1, { perturb: true });
  const inputs = prepareInputs(tf, analysis, [], choosePreset(analysis.graph.name, file)).tensors;
  const plain = await plainWeights(weights);
  const exported = exportOnnx(analysis, plain);
  const model = engineModelOf(exported);
  const xs = engineInputs(inputs);
  const direct = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const ours = await EngineSession.create(analysis.graph, model, { threads: 1 });
  const oursTapped = await EngineSession.create(analysis.graph, model, { threads: 1 });
  const feeds = Object.fromEntries(exported.inputs.map((n, i) => [n, new ort.Tensor('float32', xs[i].data, [...xs[i].shape])]));
  const wasm = async () => {
    const r = await execute(tf, analysis, weights, inputs);
    const data = await Promise.all(r.outputs.map((o) => o.data()));
    tf.dispose(r.outputs);
    return data as Float32Array[];
  };
  try {
    const want = await wasm();
    const got = (await ours.run(xs)).outputs;
    let relDiff = 0;
    want.forEach((w, i) => {
      const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
      for (let j = 0; j < w.length; j++) relDiff = Math.max(relDiff, Math.abs(got[i].data[j] - w[j]) / scale);
    });
    const layers = analysis.nodes.filter((n) => n.outputShape).map((n) => ({ id: n.id, rank: n.outputShape!.length, channelAxis: model.layerPerms.get(n.id)?.indexOf(3) ?? 3 }));
    const summaries = () => oursTapped.runSummaries(xs, layers, { channels: 16 });
    await direct.run(feeds);
    await oursTapped.run(xs, { taps: 'all' });
    await summaries();
    const t = { ort: [] as number[], ours: [] as number[], tapped: [] as number[], summary: [] as number[], wasm: [] as number[] };
    for (let i = 0; i < runs; i++) {
      t.ort.push(await time(() => direct.run(feeds)));
      t.ours.push(await time(() => ours.run(xs)));
      t.tapped.push(await time(() => oursTapped.run(xs, { taps: 'all' })));
      t.summary.push(await time(summaries));
      t.wasm.push(await time(wasm));
    }
    return { name, gflop: analysis.totals.flops / 1e9, ortMs: median(t.ort), oursMs: median(t.ours), tappedMs: median(t.tapped), summaryMs: median(t.summary), wasmMs: median(t.wasm), relDiff };
  } finally {
    await Promise.all([direct.release(), ours.release(), oursTapped.release()]);
    tf.dispose(inputs);
    disposeWeights(weights);
  }
}

/**
 * Run Model on Image on the engine, as the extension does it with the model exported and its session
 * made (both cached per model): a new image's bytes → preprocessed input → every layer tapped →
 * a thumbnail per layer. Every core, as the extension's default.
 */
export async function enginePreviewLatency(tf: typeof tfc, name: string, runs: number): Promise<{ ms: number; nodes: number; threads: number }> {
  const file = `${name}.json`;
  const analysis = analyzeText(readFileSync(join(ROOT, 'models', file), 'utf8'), file);
  const weights = randomWeights(tf, analysis.graph, analysis, 0);
  const session = await EngineSession.create(analysis.graph, engineModelOf(exportOnnx(analysis, await plainWeights(weights))));
  disposeWeights(weights);
  const choice = choosePreset(analysis.graph.name, file);
  const bytes = readFileSync(PREVIEW_IMAGE);
  let nodes = 0;
  const once = async () => {
    const inputs = prepareInputs(tf, analysis, [{ kind: 'image', file: PREVIEW_IMAGE, bytes }], choice);
    try {
      nodes = Object.keys(await enginePreviews(session, analysis, engineInputs(inputs.tensors), { random: true, signal: new AbortController().signal })).length;
    } finally {
      tf.dispose(inputs.tensors);
    }
  };
  try {
    await once();
    const ms: number[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) ms.push(await time(once));
    return { ms: median(ms), nodes, threads: defaultThreads() };
  } finally {
    await session.release();
  }
}

/** The engine table, printed. */
export async function benchEngine(tf: typeof tfc, models: readonly string[], runs: number, peakSide: number): Promise<void> {
  const peak = await ortMatmulPeak(peakSide, runs);
  console.log(`\nONNX Runtime ${ort.env.versions.node}, one thread; peak: ${peakSide}³ MatMul through ORT ${peak.toFixed(1)} GFLOP/s; ratios: ours / ORT session.run on the same exported bytes, tfjs-wasm / ours`);
  console.log(`${'model'.padEnd(14)}${'GFLOP'.padStart(7)}${'ORT ms'.padStart(9)}${'ours ms'.padStart(9)}${'ratio'.padStart(7)}${'tapped ms'.padStart(11)}${'ratio'.padStart(7)}${'previews ms'.padStart(13)}${'ratio'.padStart(7)}${'wasm ms'.padStart(9)}${'× faster'.padStart(10)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}${'rel |Δ|'.padStart(9)}  targets`);
  for (const name of models) {
    let m: EngineTimes;
    try {
      m = await benchEngineModel(tf, name, runs);
    } catch (e) {
      console.log(`${name.padEnd(14)} cannot run on the engine: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const gflops = m.gflop / (m.oursMs / 1000);
    const [r1, r2, speed] = [m.oursMs / m.ortMs, m.tappedMs / m.ortMs, m.wasmMs / m.oursMs];
    console.log(
      `${m.name.padEnd(14)}${m.gflop.toFixed(2).padStart(7)}${m.ortMs.toFixed(1).padStart(9)}${m.oursMs.toFixed(1).padStart(9)}${r1.toFixed(2).padStart(7)}${m.tappedMs.toFixed(1).padStart(11)}${r2.toFixed(2).padStart(7)}${m.summaryMs.toFixed(1).padStart(13)}${(m.summaryMs / m.ortMs).toFixed(2).padStart(7)}${m.wasmMs.toFixed(0).padStart(9)}${speed.toFixed(1).padStart(10)}${gflops.toFixed(1).padStart(9)}${`${((100 * gflops) / peak).toFixed(0)}%`.padStart(8)}${m.relDiff.toExponential(1).padStart(9)}` +
        `  untapped ${r1 <= ENGINE_TARGET.untapped ? 'met' : 'MISSED'} (≤ ${ENGINE_TARGET.untapped}), tapped ${r2 <= ENGINE_TARGET.tapped ? 'met' : 'MISSED'} (≤ ${ENGINE_TARGET.tapped}), vs wasm ${speed >= ENGINE_TARGET.vsWasm ? 'met' : 'MISSED'} (≥ ${ENGINE_TARGET.vsWasm}×)`,
    );
  }
  const p = await enginePreviewLatency(tf, 'mobilenet_v1', runs);
  console.log(`\nengine preview latency, mobilenet_v1 (image bytes → ${p.nodes} thumbnails, ${p.threads} thread${p.threads === 1 ? '' : 's'}, export and session cached): ${p.ms.toFixed(0)} ms; < ${ENGINE_TARGET.previewMs} ms ${p.ms < ENGINE_TARGET.previewMs ? 'met' : 'MISSED'}`);
}
