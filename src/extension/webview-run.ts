import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readUserFile } from '../node/file-source';
import * as vscode from 'vscode';
import type { WeightMap } from '../core/runtime/weight-map';
import { randomWeightsNotice, weightsNextTo, type PreparedInputs, type RunWeights } from '../core/runtime/preprocess';
import type { ActivationPreview } from '../core/runtime/thumbnails';
import type { Graph } from '../core/ir';
import { analyze } from '../core/analysis/analyze';
import { documentSource } from './document-source';
import type { HostMessage, OnnxModelBytes, RunRequest, WebviewBackend, WebviewMessage, WeightBytes } from '../../shared/protocol';
import { onnxModelBytes } from '../../shared/run-onnx';
import { tensorBytes, weightBytes } from '../../shared/run-bytes';
import { describeWebviewRun } from '../../shared/run-describe';

// Running a model in the diagram webview, on the local machine's GPU (WebGPU or WebGL), when
// `cnnLens.backend` says 'webgpu' or 'webgl': useful when the extension host has no GPU (Remote-SSH
// to a CPU box, code-server). The host still decodes and preprocesses the image; it sends the input
// tensors (one image: small), the model text, and the weights: only a seed for seeded random ones
// (the webview draws the same values), a file's tensors as ArrayBuffers once per weights key.
// Only thumbnails and top-k values come back. When the webview has neither WebGPU nor WebGL, the
// caller runs the model in the host and says why.
// 'onnxruntime-web': the host exports the model to ONNX with the run's weights and every layer
// tapped (shared/run-onnx.ts), once per graph and weights; the webview runs it on onnxruntime-web
// (WebGPU, else its wasm build) and, as above, sends back only thumbnails and top-k values.

const SEED = 0;
/** How long a diagram may take to open before the host runs the model itself (the diagram keeps its page when hidden: retainContextWhenHidden). */
const READY_TIMEOUT_MS = 20_000;

/** `cnnLens.backend` when it names a webview backend; undefined for the host's own ones. */
export function webviewBackend(): WebviewBackend | undefined {
  const value = vscode.workspace.getConfiguration('cnnLens').get<string>('backend');
  return value === 'webgpu' || value === 'webgl' || value === 'onnxruntime-web' ? value : undefined;
}

type RunAnswer = Extract<WebviewMessage, { type: 'runResult' | 'runFailed' }>;
type WeightsToSend = { readonly key: string; readonly random?: { readonly seed: number }; readonly tensors?: () => Promise<WeightBytes[]>; readonly onnx?: () => Promise<OnnxModelBytes> };

/** One diagram panel's side of webview runs (created by the diagram editor, fed its webview's messages). */
export class DiagramRunner {
  private next = 1;
  private readonly pending = new Map<number, (answer: RunAnswer) => void>();
  /** The weights key the webview holds (it forgets them when it reloads). */
  private held: string | undefined;
  /** Resolved by the page's `ready`; a run waits for it (the diagram may still be loading). */
  private ready: Promise<void>;
  private markReady: (() => void) | undefined;

  constructor(private readonly panel: vscode.WebviewPanel) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Feeds the webview's messages in: `ready` (a fresh page) and the answers to runs. */
  receive(message: WebviewMessage): void {
    if (message.type === 'ready') {
      // A second `ready` is a reloaded page: it holds no weights and will not answer earlier runs.
      for (const [id, settle] of this.pending) settle({ type: 'runFailed', id, message: 'the diagram was reloaded during the run' });
      this.pending.clear();
      this.held = undefined;
      this.markReady?.();
      this.markReady = undefined;
      this.ready = Promise.resolve();
    } else if (message.type === 'runResult' || message.type === 'runFailed') {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    }
  }

  /** The panel was closed: pending runs fail. */
  dispose(): void {
    for (const [id, settle] of this.pending) settle({ type: 'runFailed', id, message: 'the diagram was closed during the run' });
    this.pending.clear();
  }

  async run(request: Omit<RunRequest, 'type' | 'id' | 'weights'>, weights: WeightsToSend, signal?: AbortSignal): Promise<RunAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([this.ready.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!ready) return { type: 'runFailed', id: 0, unavailable: true, message: 'the diagram did not answer' };
    const send = async (withTensors: boolean): Promise<RunAnswer> => {
      const tensors = withTensors && weights.tensors ? await weights.tensors() : undefined;
      const onnx = withTensors && weights.onnx ? await weights.onnx() : undefined;
      const id = this.next++;
      const message: HostMessage = { ...request, type: 'run', id, weights: { key: weights.key, random: weights.random, tensors, onnx } };
      const answer = new Promise<RunAnswer>((resolve) => this.pending.set(id, resolve));
      const cancel = () => void this.panel.webview.postMessage({ type: 'cancelRun', id } satisfies HostMessage);
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        await this.panel.webview.postMessage(message);
        const settled = await answer;
        if (signal?.aborted) throw signal.reason ?? new Error('the run was cancelled');
        return settled;
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    };
    let answer = await send(this.held !== weights.key);
    // The webview lost the weights (it was reloaded): send them once more.
    if (answer.type === 'runFailed' && answer.needWeights) answer = await send(true);
    this.held = answer.type === 'runResult' ? weights.key : this.held;
    return answer;
  }
}

const runners = new Map<string, Set<DiagramRunner>>();
const registered = new vscode.EventEmitter<string>();

/** Makes a diagram panel available for runs of its document; dispose when the panel closes. */
export function registerDiagramRunner(uri: vscode.Uri, runner: DiagramRunner): vscode.Disposable {
  const key = uri.toString();
  const set = runners.get(key) ?? new Set();
  set.add(runner);
  runners.set(key, set);
  registered.fire(key);
  return new vscode.Disposable(() => {
    runner.dispose();
    set.delete(runner);
    if (!set.size) runners.delete(key);
  });
}

/** A diagram of the document to run in: an open one, else one opened beside the text. */
async function diagramFor(document: vscode.TextDocument): Promise<DiagramRunner | undefined> {
  const key = document.uri.toString();
  const open = runners.get(key);
  if (open?.size) return [...open][0];
  const opened = new Promise<DiagramRunner | undefined>((resolve) => {
    const timer = setTimeout(() => (listener.dispose(), resolve(undefined)), READY_TIMEOUT_MS);
    const listener = registered.event((k) => {
      if (k !== key) return;
      clearTimeout(timer);
      listener.dispose();
      resolve([...runners.get(key)!][0]);
    });
  });
  await vscode.commands.executeCommand('vscode.openWith', document.uri, 'cnnLens.diagram', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  return opened;
}

/**
 * Names a weights file's tensors as the webview holds them: the file's identity and which tensors of which
 * shapes were mapped. An edit that leaves the weighted layers alone (most edits) keeps the key, so the
 * tensors (528 MB for VGG-16) are not sent again.
 */
function fileWeightsKey(file: string, map: WeightMap): string {
  const hash = createHash('sha1');
  const stat = statSync(file, { throwIfNoEntry: false });
  hash.update(`${file}#${stat?.mtimeMs}#${stat?.size}`);
  for (const [node, record] of map) for (const [name, t] of Object.entries(record)) hash.update(`|${node}/${name}:${t.shape.join('x')}:${t.dtype}`);
  return `file#${hash.digest('hex')}`;
}

export interface WebviewRunResult {
  readonly previews: Record<string, ActivationPreview>;
  /** "webgl in the diagram webview; not used: WebGPU: navigator.gpu unavailable". */
  readonly backend: string;
  readonly weights: string;
  readonly random: boolean;
}

/**
 * Runs the model in a diagram webview when `cnnLens.backend` asks for it. Returns undefined when it
 * does not, `{ fallback }` (the reason) when the webview cannot run it on a GPU: the host then does.
 */
export async function runInDiagram(document: vscode.TextDocument, graph: Graph, inputs: PreparedInputs, hostWeights: () => Promise<RunWeights>, signal?: AbortSignal): Promise<WebviewRunResult | { readonly fallback: string } | undefined> {
  const backend = webviewBackend();
  if (!backend) return undefined;
  const runner = await diagramFor(document);
  if (!runner) return { fallback: `${backend} in the diagram webview not used: the diagram did not open` };
  // A weights file next to the model is read here (the host caches it per version); else the webview draws seeded random weights.
  const file = await weightsNextTo(documentSource(document));
  const loaded = file ? await hostWeights() : undefined;
  const weights: WeightsToSend = loaded && file
    ? { key: fileWeightsKey(file.name, loaded.weights), tensors: () => weightBytes(loaded.weights) }
    : { key: `${document.uri.toString()}#${document.version}#random${SEED}`, random: { seed: SEED } };
  const random = !loaded || inputs.random;
  if (backend === 'onnxruntime-web') return runOnOrtWeb(runner, document, graph, inputs, hostWeights, signal);
  const answer = await runner.run({
    backend,
    graph,
    fileName: vscode.workspace.asRelativePath(document.uri),
    inputs: await Promise.all(inputs.tensors.map(tensorBytes)),
    image: inputs.notes.join('; '),
    random,
  }, weights, signal);
  if (answer.type === 'runFailed') {
    if (answer.unavailable) return { fallback: `${backend} in the diagram webview not used: ${answer.message}` };
    throw new Error(answer.message);
  }
  // The worker makes them with core's activationPreviewsWith: the full ActivationPreview, not only the protocol's fields.
  return { previews: answer.previews as Record<string, ActivationPreview>, backend: describeWebviewRun(answer.backend, answer.notUsed), weights: loaded?.source ?? randomWeightsNotice(SEED), random };
}

/** The last export per document: a run of the same graph with the same weights sends nothing again. */
const exports = new Map<string, { key: string; model: Promise<OnnxModelBytes> }>();

/** cnnLens.backend 'onnxruntime-web': the host's ONNX export run in the webview (WebGPU, else wasm). */
async function runOnOrtWeb(runner: DiagramRunner, document: vscode.TextDocument, graph: Graph, inputs: PreparedInputs, hostWeights: () => Promise<RunWeights>, signal?: AbortSignal): Promise<WebviewRunResult | { readonly fallback: string }> {
  const weights = await hostWeights(); // a weights file next to the model, else seeded random ones (labelled)
  const file = await weightsNextTo(documentSource(document));
  // The key: the graph itself (an edit that changes nothing the export reads keeps it) and the weights' identity.
  const key = `onnx#${createHash('sha1').update(JSON.stringify(graph)).update(file && !weights.random ? fileWeightsKey(file.name, weights.weights) : `random${SEED}`).digest('hex')}`;
  const doc = document.uri.toString();
  let held = exports.get(doc);
  if (held?.key !== key) {
    const source = graph.format === 'onnx' ? readUserFile(document.uri.fsPath, 'model') : undefined;
    held = { key, model: onnxModelBytes(analyze(graph), weights.weights, source) };
    exports.set(doc, held);
  }
  let model: OnnxModelBytes;
  try {
    model = await held.model;
  } catch (e) {
    exports.delete(doc);
    return { fallback: `onnxruntime-web in the diagram webview not used: the model does not export to ONNX (${(e as Error).message})` };
  }
  const random = weights.random || inputs.random;
  // Sent only when the webview does not hold `key` (postMessage copies; the page moves its copy to the worker).
  const answer = await runner.run({
    backend: 'onnxruntime-web',
    graph,
    fileName: vscode.workspace.asRelativePath(document.uri),
    inputs: await Promise.all(inputs.tensors.map(tensorBytes)),
    image: inputs.notes.join('; '),
    random,
  }, { key, onnx: async () => model }, signal);
  if (answer.type === 'runFailed') {
    if (answer.unavailable) return { fallback: `onnxruntime-web in the diagram webview not used: ${answer.message}` };
    throw new Error(answer.message);
  }
  return { previews: answer.previews as Record<string, ActivationPreview>, backend: describeWebviewRun(answer.backend, answer.notUsed), weights: weights.source, random };
}
