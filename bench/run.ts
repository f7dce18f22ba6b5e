// npm run bench:run: the executor's speed against tfjs-layers' own `predict` on the same backend.
// For each model (default MobileNet v1, ResNet-50, VGG-16 at 224): tfjs-layers builds the same
// Keras JSON and gets our seeded random weights, so both compute the same thing (the outputs'
// max |Δ| is printed); then, interleaved, whole-model times of tfjs-layers `predict`, our `execute`
// with no taps, and our `execute` with every node tapped (as previews need). Each run ends when the
// output values have been read back. Achieved GFLOP/s = the model's FLOPs (our analysis) / time,
// against the backend's peak measured on a large matmul. Last, the activation-preview latency of
// MobileNet v1: from a new image's bytes to a thumbnail for every node, weights already loaded
// (the extension's path: prepareInputs → previewEveryNode). Targets are reported, not asserted.
//   npm run bench:run [-- --backend wasm|cpu|tfjs-node|tfjs-node-gpu|auto]   (or CNN_LENS_BACKEND; default wasm)
//   BENCH_RUNS (timed runs per measurement, default 7), BENCH_MODELS (default mobilenet_v1,resnet50,vgg16),
//   BENCH_PEAK_SIDE (the peak matmul's side, default 1024), BENCH_ENGINE=0 skips the engine table
// Then, on the wasm backend, the engine table (bench/run-engine.ts): CNN Lens on ONNX Runtime against
// ORT's own session.run on the same exported bytes and against tfjs-wasm, one thread.
import type * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText, type Analysis } from '../src/core';
import { BackendError, chooseBackend, describeBackend, type BackendPreference } from '../src/node/backend';
import { execute } from '../src/core/runtime/executor';
import { choosePreset, prepareInputs } from '../src/core/runtime/preprocess';
import { previewEveryNode, tapChunks } from '../src/core/runtime/previews';
import { median, SYNCHRONOUS_BACKENDS } from '../src/core/runtime/profile';
import { randomWeights } from '../src/core/runtime/random-weights';
import { disposeWeights } from '../src/core/runtime/weights';
import { forTfjs, setTfjsWeights } from '../test/support/tfjs-oracle';
import { benchEngine } from './run-engine';
import { timed, type Time } from './timing';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MODELS = (process.env.BENCH_MODELS ?? 'mobilenet_v1,resnet50,vgg16').split(',').filter(Boolean);
/** The matmul that measures the peak; a GPU needs a larger one (4096) to be busy. */
const PEAK_SIDE = Number(process.env.BENCH_PEAK_SIDE ?? 1024);
const PREVIEW_MODEL = 'mobilenet_v1';
const PREVIEW_IMAGE = join(ROOT, 'media', 'samples', 'shapes.png');
const TARGET = { untapped: 1.05, tapped: 1.3, previewMs: 300 };

const flagBackend = (): string | undefined => parseArgs({ options: { backend: { type: 'string' } }, strict: false }).values.backend as string | undefined;

/** Medians of the wall and the CPU times. */
const medianTime = (times: readonly Time[]): Time => ({ ms: median(times.map((t) => t.ms)), cpuMs: median(times.map((t) => t.cpuMs)) });

/** GFLOP/s of a square matmul of side `n`, its fastest run: the backend's practical peak for dense arithmetic. */
async function matmulPeak(tf: typeof tfc, n: number): Promise<number> {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const once = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await once();
  const ms: number[] = [];
  for (let i = 0; i < Math.max(RUNS, 5); i++) ms.push((await timed(once)).ms);
  tf.dispose([a, b]);
  return (2 * n ** 3) / Math.min(...ms) / 1e6;
}

/** Largest |a − b| over the model's outputs: both builds must compute the same thing for the ratio to mean anything. */
async function maxDifference(tf: typeof tfc, ours: tfc.Tensor[], theirs: tfc.Tensor[]): Promise<number> {
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const [a, b] = await Promise.all([ours[i].data(), theirs[i].data()]);
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]));
  }
  tf.dispose([...ours, ...theirs]);
  return worst;
}

interface ModelTimes {
  readonly name: string;
  readonly gflop: number;
  readonly tfjs: Time;
  readonly ours: Time;
  readonly tapped: Time;
  readonly worst: number;
}

async function benchModel(tf: typeof tfc, name: string): Promise<ModelTimes> {
  const text = readFileSync(join(ROOT, 'models', `${name}.json`), 'utf8');
  const analysis: Analysis = analyzeText(text, `${name}.json`);
  const weights = randomWeights(tf, analysis.graph, analysis, 1, { perturb: true });
  const model = await tfl.models.modelFromJSON(forTfjs(text) as never);
  setTfjsWeights(model.layers, weights);
  const inputs = prepareInputs(tf, analysis, [], choosePreset(analysis.graph.name, `${name}.json`)).tensors;
  try {
    const predict = () => {
      const y = model.predict(inputs.length === 1 ? inputs[0] : inputs);
      return Array.isArray(y) ? y : [y];
    };
    const run = async (taps?: 'all') => {
      const r = await execute(tf, analysis, weights, inputs, { taps });
      await Promise.all(r.outputs.map((o) => o.data()));
      tf.dispose([...r.outputs, ...r.taps.values()]);
    };
    const theirs = async () => {
      const ys = predict();
      await Promise.all(ys.map((y) => y.data()));
      tf.dispose(ys);
    };
    // Warm-up (kernels compiled, buffers allocated) and the check that both compute the same thing.
    const worst = await maxDifference(tf, (await execute(tf, analysis, weights, inputs)).outputs, predict());
    await run('all');
    // Interleaved, so that load from elsewhere on a shared machine spreads over all three.
    const t: Record<'tfjs' | 'ours' | 'tapped', Time[]> = { tfjs: [], ours: [], tapped: [] };
    for (let i = 0; i < RUNS; i++) {
      t.tfjs.push(await timed(theirs));
      t.ours.push(await timed(() => run()));
      t.tapped.push(await timed(() => run('all')));
    }
    return { name, gflop: analysis.totals.flops / 1e9, tfjs: medianTime(t.tfjs), ours: medianTime(t.ours), tapped: medianTime(t.tapped), worst };
  } finally {
    tf.dispose(inputs);
    model.dispose();
    disposeWeights(weights);
  }
}

/** MobileNet v1: a new image's bytes → a thumbnail for every node, weights loaded (what the extension does after an image change). */
async function previewLatency(tf: typeof tfc): Promise<Time & { nodes: number; passes: number }> {
  const file = `${PREVIEW_MODEL}.json`;
  const text = readFileSync(join(ROOT, 'models', file), 'utf8');
  const analysis = analyzeText(text, file);
  const weights = randomWeights(tf, analysis.graph, analysis, 0);
  const choice = choosePreset(analysis.graph.name, file);
  const bytes = readFileSync(PREVIEW_IMAGE);
  let nodes = 0;
  const once = async () => {
    const inputs = prepareInputs(tf, analysis, [{ kind: 'image', file: PREVIEW_IMAGE, bytes }], choice);
    try {
      // With a signal, as the extension calls it: the run then yields now and then so that a cancel can land.
      nodes = Object.keys(await previewEveryNode(tf, analysis, weights, inputs.tensors, { random: true, signal: new AbortController().signal })).length;
    } finally {
      tf.dispose(inputs.tensors);
    }
  };
  try {
    await once();
    const times: Time[] = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) times.push(await timed(once));
    return { ...medianTime(times), nodes, passes: tapChunks(analysis).length };
  } finally {
    disposeWeights(weights);
  }
}

const verdict = (value: number, target: number) => `${value <= target ? 'met' : 'MISSED'} (≤ ${target})`;

async function main(): Promise<void> {
  const backend = await chooseBackend((flagBackend() ?? process.env.CNN_LENS_BACKEND ?? 'wasm') as BackendPreference);
  const { tf } = backend;
  console.log(`backend: ${describeBackend(backend)}; median of ${RUNS} timed runs after one warm-up; ratios are ours / tfjs-layers predict`);
  const peak = await matmulPeak(tf, PEAK_SIDE);
  console.log(`peak: ${PEAK_SIDE}×${PEAK_SIDE}×${PEAK_SIDE} matmul ${peak.toFixed(1)} GFLOP/s\n`);
  const head = (what: string) => `${'model'.padEnd(14)}${'GFLOP'.padStart(7)}${`tfjs ${what}`.padStart(13)}${`ours ${what}`.padStart(13)}${'ratio'.padStart(7)}${`tapped ${what}`.padStart(15)}${'ratio'.padStart(7)}`;
  const row = (m: ModelTimes, key: keyof Time) =>
    `${m.name.padEnd(14)}${m.gflop.toFixed(2).padStart(7)}${m.tfjs[key].toFixed(0).padStart(13)}${m.ours[key].toFixed(0).padStart(13)}${(m.ours[key] / m.tfjs[key]).toFixed(2).padStart(7)}${m.tapped[key].toFixed(0).padStart(15)}${(m.tapped[key] / m.tfjs[key]).toFixed(2).padStart(7)}`;
  const results: ModelTimes[] = [];
  console.log(`wall time (what a user waits for)\n${head('ms')}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}${'max |Δ|'.padStart(10)}  targets`);
  for (const name of MODELS) {
    const m = await benchModel(tf, name);
    results.push(m);
    const gflops = m.gflop / (m.ours.ms / 1000);
    console.log(
      `${row(m, 'ms')}${gflops.toFixed(1).padStart(9)}${`${((100 * gflops) / peak).toFixed(0)}%`.padStart(8)}${m.worst.toExponential(1).padStart(10)}` +
        `  untapped ${verdict(m.ours.ms / m.tfjs.ms, TARGET.untapped)}, tapped ${verdict(m.tapped.ms / m.tfjs.ms, TARGET.tapped)}`,
    );
  }
  // Elsewhere (tfjs-node's thread pool, a GPU) the process's CPU time is not the run's cost: not shown.
  if (results.length && SYNCHRONOUS_BACKENDS.has(tf.getBackend())) console.log(`\nprocess CPU time (the same runs; steadier than wall time when the machine is shared)\n${head('CPU')}\n${results.map((m) => row(m, 'cpuMs')).join('\n')}`);
  if (process.env.BENCH_ENGINE !== '0' && tf.getBackend() === 'wasm') await benchEngine(tf, MODELS, RUNS, PEAK_SIDE);
  const p = await previewLatency(tf);
  console.log(`\npreview latency, ${PREVIEW_MODEL} (image bytes → ${p.nodes} thumbnails, ${p.passes} forward pass${p.passes === 1 ? '' : 'es'}): ${p.ms.toFixed(0)} ms (process CPU ${p.cpuMs.toFixed(0)} ms); < ${TARGET.previewMs} ms ${p.ms < TARGET.previewMs ? 'met' : 'MISSED'}`);
}

main().catch((e) => {
  console.error(e instanceof BackendError ? `bench:run: ${e.message}` : e);
  process.exit(1);
});
