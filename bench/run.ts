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
//   BENCH_RUNS (timed runs per measurement, default 5), BENCH_MODELS (default mobilenet_v1,resnet50,vgg16)
import type * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText, type Analysis } from '../src/core';
import { BackendError, chooseBackend, describeBackend, type BackendPreference } from '../src/core/runtime/backend';
import { execute } from '../src/core/runtime/executor';
import { choosePreset, prepareInputs } from '../src/core/runtime/preprocess';
import { previewEveryNode, tapChunks } from '../src/core/runtime/previews';
import { median } from '../src/core/runtime/profile';
import { randomWeights } from '../src/core/runtime/random-weights';
import { disposeWeights } from '../src/core/runtime/weights';
import { forTfjs, setTfjsWeights } from '../test/support/tfjs-oracle';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MODELS = (process.env.BENCH_MODELS ?? 'mobilenet_v1,resnet50,vgg16').split(',').filter(Boolean);
const PREVIEW_MODEL = 'mobilenet_v1';
const PREVIEW_IMAGE = join(ROOT, 'media', 'samples', 'shapes.png');
const TARGET = { untapped: 1.05, tapped: 1.3, previewMs: 300 };

const flagBackend = (): string | undefined => parseArgs({ options: { backend: { type: 'string' } }, strict: false }).values.backend as string | undefined;

/** Times `fn` (ms) once per call; `await`ed to completion. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** GFLOP/s of a square matmul of side `n`: the backend's practical peak for dense arithmetic. */
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
  for (let i = 0; i < Math.max(RUNS, 5); i++) ms.push(await timed(once));
  tf.dispose([a, b]);
  return (2 * n ** 3) / median(ms) / 1e6;
}

/** Largest |a − b| over the model's outputs: both builds must compute the same thing for the ratio to mean anything. */
async function maxDifference(tf: typeof tfc, ours: tfc.Tensor[], theirs: tfc.Tensor[]): Promise<{ worst: number; big: number }> {
  let worst = 0;
  let big = 0;
  for (let i = 0; i < ours.length; i++) {
    const [a, b] = await Promise.all([ours[i].data(), theirs[i].data()]);
    for (let j = 0; j < a.length; j++) {
      worst = Math.max(worst, Math.abs(a[j] - b[j]));
      big = Math.max(big, Math.abs(b[j]));
    }
  }
  tf.dispose([...ours, ...theirs]);
  return { worst, big };
}

interface ModelTimes {
  readonly name: string;
  readonly gflop: number;
  readonly tfjsMs: number;
  readonly oursMs: number;
  readonly tappedMs: number;
  readonly worst: number;
  readonly big: number;
}

async function benchModel(tf: typeof tfc, name: string): Promise<ModelTimes> {
  const text = readFileSync(join(ROOT, 'models', `${name}.json`), 'utf8');
  const analysis: Analysis = analyzeText(text, `${name}.json`);
  const weights = randomWeights(tf, analysis.graph, analysis, 1, { text, perturb: true });
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
    const { worst, big } = await maxDifference(tf, (await execute(tf, analysis, weights, inputs)).outputs, predict());
    await run('all');
    // Interleaved, so that load from elsewhere on a shared machine spreads over all three.
    const t: Record<'tfjs' | 'ours' | 'tapped', number[]> = { tfjs: [], ours: [], tapped: [] };
    for (let i = 0; i < RUNS; i++) {
      t.tfjs.push(await timed(theirs));
      t.ours.push(await timed(() => run()));
      t.tapped.push(await timed(() => run('all')));
    }
    return { name, gflop: analysis.totals.flops / 1e9, tfjsMs: median(t.tfjs), oursMs: median(t.ours), tappedMs: median(t.tapped), worst, big };
  } finally {
    tf.dispose(inputs);
    model.dispose();
    disposeWeights(weights);
  }
}

/** MobileNet v1: a new image's bytes → a thumbnail for every node, weights loaded (what the extension does after an image change). */
async function previewLatency(tf: typeof tfc): Promise<{ ms: number; cpuMs: number; nodes: number; passes: number }> {
  const file = `${PREVIEW_MODEL}.json`;
  const text = readFileSync(join(ROOT, 'models', file), 'utf8');
  const analysis = analyzeText(text, file);
  const weights = randomWeights(tf, analysis.graph, analysis, 0, { text });
  const choice = choosePreset(analysis.graph.name, file);
  const bytes = readFileSync(PREVIEW_IMAGE);
  let nodes = 0;
  const once = async () => {
    const inputs = prepareInputs(tf, analysis, [{ kind: 'image', file: PREVIEW_IMAGE, bytes }], choice);
    try {
      nodes = Object.keys(await previewEveryNode(tf, analysis, weights, inputs.tensors, { random: true, signal: new AbortController().signal })).length;
    } finally {
      tf.dispose(inputs.tensors);
    }
  };
  try {
    await once();
    const ms: number[] = [];
    const cpuMs: number[] = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      const cpu0 = process.cpuUsage();
      ms.push(await timed(once));
      const cpu = process.cpuUsage(cpu0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
    return { ms: median(ms), cpuMs: median(cpuMs), nodes, passes: tapChunks(analysis).length };
  } finally {
    disposeWeights(weights);
  }
}

const verdict = (value: number, target: number) => `${value <= target ? 'met' : 'MISSED'} (≤ ${target})`;

async function main(): Promise<void> {
  const backend = await chooseBackend((flagBackend() ?? process.env.CNN_LENS_BACKEND ?? 'wasm') as BackendPreference);
  const { tf } = backend;
  console.log(`backend: ${describeBackend(backend)}; median of ${RUNS} timed runs after one warm-up; ratios are ours / tfjs-layers predict`);
  const peak = await matmulPeak(tf, 1024);
  console.log(`peak: 1024×1024×1024 matmul ${peak.toFixed(1)} GFLOP/s\n`);
  console.log(`${'model'.padEnd(14)}${'GFLOP'.padStart(7)}${'tfjs ms'.padStart(10)}${'ours ms'.padStart(10)}${'ratio'.padStart(7)}${'tapped ms'.padStart(11)}${'ratio'.padStart(7)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}${'max |Δ|'.padStart(10)}  targets`);
  for (const name of MODELS) {
    const m = await benchModel(tf, name);
    const r = m.oursMs / m.tfjsMs;
    const rt = m.tappedMs / m.tfjsMs;
    const gflops = m.gflop / (m.oursMs / 1000);
    console.log(
      `${name.padEnd(14)}${m.gflop.toFixed(2).padStart(7)}${m.tfjsMs.toFixed(0).padStart(10)}${m.oursMs.toFixed(0).padStart(10)}${r.toFixed(2).padStart(7)}${m.tappedMs.toFixed(0).padStart(11)}${rt.toFixed(2).padStart(7)}` +
        `${gflops.toFixed(1).padStart(9)}${`${((100 * gflops) / peak).toFixed(0)}%`.padStart(8)}${m.worst.toExponential(1).padStart(10)}  untapped ${verdict(r, TARGET.untapped)}, tapped ${verdict(rt, TARGET.tapped)}`,
    );
  }
  const p = await previewLatency(tf);
  console.log(`\npreview latency, ${PREVIEW_MODEL} (image bytes → ${p.nodes} thumbnails, ${p.passes} forward pass${p.passes === 1 ? '' : 'es'}): ${p.ms.toFixed(0)} ms (process CPU ${p.cpuMs.toFixed(0)} ms); < ${TARGET.previewMs} ms ${p.ms < TARGET.previewMs ? 'met' : 'MISSED'}`);
}

main().catch((e) => {
  console.error(e instanceof BackendError ? `bench:run: ${e.message}` : e);
  process.exit(1);
});
