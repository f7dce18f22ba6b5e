// Runs in the run worker for cnnLens.backend 'onnxruntime-web': the host's ONNX export of the model
// (its weights inside, every layer's value a graph output) on onnxruntime-web, WebGPU first, its
// wasm build when WebGPU does not start (a host without a GPU of its own: Remote-SSH, code-server),
// with the reason. Only thumbnails and top-k values (and, for tests, each layer's statistics) go back.
//
// onnxruntime-web's "bundle" build is used: its Emscripten glue is inside this worker's bundle, so
// nothing is imported at run time (the CSP's script-src has nonces only); the one binary,
// ort-wasm-simd-threaded.jsep.wasm (the WebGPU EP and the CPU kernels), is fetched from the
// webview's own dist folder (`assets`: connect-src) and compiled under 'wasm-unsafe-eval'.
import * as ort from 'onnxruntime-web';
import type { ArrayActivation } from '../../src/core/runtime/preview-images';
import { arrayPreviewsWith } from '../../src/core/runtime/preview-images';
import type { Graph } from '../../src/core/ir';
import type { LayerStats, OnnxModelBytes, RunRequest, WebviewMessage } from '../../shared/protocol';
import { webgpuUnavailable } from './backend';
import { pngDataUrl } from './encode';
import { arrayStats } from './stats';

/** The binary scripts/build.mjs copies into dist/ next to run-worker.js. */
export const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';

type Reply = Extract<WebviewMessage, { type: 'runResult' | 'runFailed' }>;

/** The session of the last model sent (a new key replaces it), with the provider it runs on. */
let held: { key: string; model: Omit<OnnxModelBytes, 'bytes'>; session: ort.InferenceSession; backend: string; notUsed: string[] } | undefined;

function configure(assets: string): void {
  // The binary's URL only: with a folder prefix (or an .mjs URL) onnxruntime-web would import its glue
  // from there instead of using the bundled one, which script-src (nonces only) refuses.
  ort.env.wasm.wasmPaths = { wasm: `${assets}${ORT_WASM}` };
  // Threads need SharedArrayBuffer, i.e. a cross-origin-isolated page; VS Code's webviews are not.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  ort.env.wasm.proxy = false; // this is a worker already
  ort.env.logLevel = 'error';
}

/** A session on WebGPU, else on wasm; each provider not used comes with the reason. */
async function createSession(bytes: Uint8Array): Promise<{ session: ort.InferenceSession; backend: string; notUsed: string[] } | { failed: string[] }> {
  const notUsed: string[] = [];
  const options = (ep: string): ort.InferenceSession.SessionOptions => ({
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    // Errors only: ORT's native warnings (e.g. "Some nodes were not assigned to the preferred execution
    // providers": shape ops on the CPU, by design) reach the console as errors through Emscripten's stderr.
    logSeverityLevel: 3,
  });
  const noGpu = await webgpuUnavailable();
  if (noGpu) notUsed.push(`WebGPU: ${noGpu}`);
  else {
    try {
      return { session: await ort.InferenceSession.create(bytes, options('webgpu')), backend: 'onnxruntime-web WebGPU', notUsed };
    } catch (e) {
      notUsed.push(`WebGPU: ${(e as Error).message}`);
    }
  }
  try {
    return { session: await ort.InferenceSession.create(bytes, options('wasm')), backend: 'onnxruntime-web wasm', notUsed };
  } catch (e) {
    notUsed.push(`wasm: ${(e as Error).message}`);
    return { failed: notUsed };
  }
}

const cancelled = (signal: AbortSignal): never => {
  throw signal.reason ?? new Error('the run was cancelled');
};

export async function runOnOrt(request: RunRequest, assets: string | undefined, signal: AbortSignal): Promise<Reply> {
  const start = performance.now();
  const { id } = request;
  const sent = request.weights.onnx;
  if (held?.key !== request.weights.key) {
    if (!sent) return { type: 'runFailed', id, needWeights: true, message: `the diagram webview no longer holds the model ${request.weights.key}` };
    if (!assets) return { type: 'runFailed', id, unavailable: true, message: 'onnxruntime-web: this page does not say where its wasm files are' };
    await held?.session.release();
    held = undefined;
    configure(assets);
    const made = await createSession(new Uint8Array(sent.bytes));
    if ('failed' in made) return { type: 'runFailed', id, unavailable: true, message: `onnxruntime-web does not start (${made.failed.join('; ')})` };
    held = { key: request.weights.key, model: { inputs: sent.inputs, outputs: sent.outputs, taps: sent.taps }, ...made };
  }
  if (signal.aborted) cancelled(signal);
  const { session, model, backend, notUsed } = held;
  const feeds: Record<string, ort.Tensor> = {};
  model.inputs.forEach((name, i) => (feeds[name] = new ort.Tensor('float32', new Float32Array(request.inputs[i].data), [...request.inputs[i].shape])));
  // A run in flight cannot be interrupted: a cancel that lands during it is answered when it ends.
  const fetched = await session.run(feeds);
  if (signal.aborted) cancelled(signal);
  const taps = new Map<string, ArrayActivation>();
  for (const [node, name] of model.taps) {
    const t = fetched[name];
    if (!t || (t.type !== 'float32' && t.type !== 'int32' && t.type !== 'int64')) continue;
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number | bigint>, Number);
    taps.set(node, { shape: t.dims.map(Number), data });
  }
  for (const t of Object.values(fetched)) t.dispose();
  const stats: Record<string, LayerStats> | undefined = request.stats ? arrayStats(taps) : undefined;
  const previews = await arrayPreviewsWith(taps, layoutOf(request.graph), { random: request.random, signal }, pngDataUrl);
  return { type: 'runResult', id, backend, notUsed, previews, ms: performance.now() - start, stats };
}

/** How the IR lays out 4-D values (the export keeps it): ONNX files channels first, Keras and TF.js channels last. */
const layoutOf = (graph: Graph): 'channels_first' | 'channels_last' => (graph.format === 'onnx' ? 'channels_first' : 'channels_last');
