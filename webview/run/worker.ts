// The run worker: runs a model on the machine's GPU (WebGPU or WebGL) for the diagram webview, off
// the page's thread; or, for cnnLens.backend 'onnxruntime-web', the host's ONNX export on
// onnxruntime-web (ort-run.ts). The page starts it from a blob: URL on the first run only, so opening a
// diagram never loads TensorFlow.js. It analyses the host's parsed graph with src/core as the host does, feeds
// the host's preprocessed inputs, draws the seeded random weights itself (or takes a file's tensors,
// kept per weights key), taps every layer (in chunks, as the host does) and answers with thumbnails and top-k values: the
// activations never leave the GPU except as those small pictures.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { analyze } from '../../src/core/analysis/analyze';
import { previewEveryNodeWith } from '../../src/core/runtime/preview-images';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { disposeWeights, type NodeWeights, type WeightMap } from '../../src/core/runtime/weight-map';
import type { LayerStats, RunRequest, WebviewMessage } from '../../shared/protocol';
import { chooseWebviewBackend, type TfjsWebviewBackend } from './backend';
import { pngDataUrl } from './encode';
import { runOnOrt } from './ort-run';
import { layerStats } from './stats';

/** `assets`: the folder of the worker's bundle (onnxruntime-web's wasm lies there), added by the page. */
export type WorkerRequest = (RunRequest & { readonly assets?: string }) | { readonly type: 'cancelRun'; readonly id: number };
export type WorkerReply = Extract<WebviewMessage, { type: 'runResult' | 'runFailed' }>;

const scope = self as unknown as DedicatedWorkerGlobalScope;

let backend: { preference: string; name: string; notUsed: string[] } | undefined;
/** The weights of the last run, on the current backend; a new key or backend replaces them. */
let held: { key: string; weights: WeightMap } | undefined;

function drop(): void {
  if (held) disposeWeights(held.weights);
  held = undefined;
}

/** The weights a request names: those held, seeded random ones drawn here, or the tensors it carries. */
function weightsFor(request: RunRequest, analysis: ReturnType<typeof analyze>): WeightMap | undefined {
  const { key, random, tensors } = request.weights;
  if (held?.key === key) return held.weights;
  drop();
  let weights: WeightMap;
  if (random) weights = randomWeights(tf, analysis.graph, analysis, random.seed);
  else if (tensors) {
    const map = new Map<string, Record<string, tf.Tensor>>();
    for (const w of tensors) {
      const record = map.get(w.node) ?? {};
      record[w.name] = tf.tensor(new Float32Array(w.data), [...w.shape], 'float32');
      map.set(w.node, record);
    }
    weights = map as ReadonlyMap<string, NodeWeights>;
  } else return undefined;
  held = { key, weights };
  return weights;
}

async function run(request: RunRequest & { readonly assets?: string }, signal: AbortSignal): Promise<WorkerReply> {
  if (request.backend === 'onnxruntime-web') return runOnOrt(request, request.assets, signal);
  return runOnTfjs(request, request.backend, signal);
}

async function runOnTfjs(request: RunRequest, preference: TfjsWebviewBackend, signal: AbortSignal): Promise<WorkerReply> {
  const start = performance.now();
  const { id } = request;
  if (backend?.preference !== preference) {
    drop(); // tensors belong to the backend that made them
    const choice = await chooseWebviewBackend(tf, preference);
    if ('failed' in choice) {
      backend = undefined;
      return { type: 'runFailed', id, unavailable: true, message: `no GPU backend starts (${choice.failed.join('; ')})` };
    }
    backend = { preference, name: choice.name, notUsed: choice.notUsed };
  }
  const analysis = analyze(request.graph);
  const error = analysis.diagnostics.find((d) => d.severity === 'error');
  if (error) return { type: 'runFailed', id, message: `${request.fileName}: ${error.message}` };
  const weights = weightsFor(request, analysis);
  if (!weights) return { type: 'runFailed', id, needWeights: true, message: `the diagram webview no longer holds the weights ${request.weights.key}` };

  const inputs = request.inputs.map((x) => tf.tensor(new Float32Array(x.data), [...x.shape], 'float32'));
  try {
    const stats: Record<string, LayerStats> | undefined = request.stats ? {} : undefined;
    const onTaps = stats && (async (taps: ReadonlyMap<string, tf.Tensor>) => void Object.assign(stats, await layerStats(tf, taps)));
    const previews = await previewEveryNodeWith(tf, analysis, weights, inputs, { random: request.random, signal, onTaps }, pngDataUrl);
    return { type: 'runResult', id, backend: backend.name, notUsed: backend.notUsed, previews, ms: performance.now() - start, stats };
  } finally {
    for (const t of inputs) t.dispose();
  }
}

// One run at a time (a refresh after an edit queues behind the run before it); a cancel lands at once.
const running = new Map<number, AbortController>();
let queue: Promise<unknown> = Promise.resolve();

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const m = event.data;
  if (m.type === 'cancelRun') {
    running.get(m.id)?.abort(new Error('the run was cancelled'));
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  queue = queue.then(async () => {
    let answer: WorkerReply;
    try {
      answer = controller.signal.aborted ? { type: 'runFailed', id: m.id, message: 'the run was cancelled' } : await run(m, controller.signal);
    } catch (e) {
      answer = { type: 'runFailed', id: m.id, message: e instanceof Error ? e.message : String(e) };
    }
    running.delete(m.id);
    scope.postMessage(answer);
  });
};
