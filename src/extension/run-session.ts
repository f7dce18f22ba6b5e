import type * as tfc from '@tensorflow/tfjs-core';
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { notify, registerGuardedCommand } from './notify';
import type { Analysis } from '../core';
import { BACKEND_PREFERENCES, chooseBackend, describeBackend, memoryLimit, type BackendPreference, type ChosenBackend } from '../node/backend';
import { engineInputs, enginePreviews } from '../node/engine/previews';
import { assertRunFits } from '../core/runtime/run-memory';
import { labelFileFor, labelPreviews, labelsHint, outputClasses, type Labels } from '../core/runtime/labels';
import { choosePreset, prepareInputs, resolveRunWeights, type InputSource, type RunWeights } from '../core/runtime/preprocess';
import { previewEveryNode } from '../core/runtime/previews';
import type { ActivationPreview } from '../core/runtime/thumbnails';
import { disposeWeights } from '../core/runtime/weights';
import { resolveLabels } from '../node/label-files';
import { hostBackend, releaseHostEngine } from './host-engine';
import type { ModelStore } from './model-store';
import { runTarget, targetModel, type RunTarget } from './run-target';
import { tellResult } from './diagram-tabs';
import { runInDiagram } from './webview-run';
import { requireTrust } from './workspace-trust';
import { readWorkspaceFile } from './workspace-source';

// Running a model in the extension host: the backend (setting cnnLens.backend; ONNX Runtime first,
// host-engine.ts), the weights (next to the model, else seeded random), the input (an image with the
// model's preprocessing, setting cnnLens.preprocessing) and the activation previews the diagram
// shows. Activations stay here: only thumbnails (PNG data URLs) and a few numbers go to webviews.
// The extension host is its own process, so the UI never waits on a run; ONNX Runtime computes on
// its own threads and the cancel is checked between runs, the tfjs executor yields between nodes.
// With `cnnLens.backend` set to webgpu or webgl the forward pass of a text model runs in the diagram
// webview instead (webview-run.ts); this host still prepares the inputs.

const SETTING = 'cnnLens';

/** The backend preference from `cnnLens.backend` (auto when unset or unknown). */
export function backendPreference(): BackendPreference {
  const value = vscode.workspace.getConfiguration(SETTING).get<string>('backend', 'auto');
  return BACKEND_PREFERENCES.includes(value as BackendPreference) ? (value as BackendPreference) : 'auto';
}

/** `cnnLens.preprocessing`: file glob → preset name. */
export const preprocessingSetting = (): Record<string, string> => vscode.workspace.getConfiguration(SETTING).get<Record<string, string>>('preprocessing', {}) ?? {};

/** The label file `cnnLens.labels` (file glob → file) gives this model, resolved from its workspace folder. */
function labelsSetting(uri: vscode.Uri): string | undefined {
  const file = labelFileFor(uri.fsPath, vscode.workspace.getConfiguration(SETTING).get<Record<string, string>>('labels', {}) ?? {});
  if (!file || isAbsolute(file)) return file;
  return join(vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? dirname(uri.fsPath), file);
}

/** Class names for the model's top-5 previews (media/labels/imagenet.txt for 1000-class outputs unless set). */
const labelsFor = (uri: vscode.Uri, analysis: Analysis): Labels | undefined => resolveLabels({ file: labelsSetting(uri), modelFile: uri.fsPath, classes: outputClasses(analysis) });

let chosen: { preference: BackendPreference; backend: ChosenBackend } | undefined;

/** The tfjs for the current setting, to load weights with (tfjs has one active backend per process); runs choose theirs with hostBackend. */
export async function currentBackend(): Promise<ChosenBackend> {
  const preference = backendPreference();
  if (chosen?.preference === preference && chosen.backend.tf.getBackend()) return chosen.backend;
  weightsCache.clear(); // tensors belong to the backend that made them
  const backend = await chooseBackend(preference);
  chosen = { preference, backend };
  return backend;
}

/** "wasm (SIMD); not used: tfjs-node-gpu not installed, …" (or "… (set by cnnLens.backend)"). */
export function backendSummary(backend: ChosenBackend): string {
  return backendPreference() === 'auto' ? describeBackend(backend) : `${backend.name} (set by cnnLens.backend)`;
}

/** Weights per model document version (reloading 100 MB of VGG weights per preview would be slow). */
const weightsCache = new (class {
  private entry: { key: string; weights: RunWeights } | undefined;
  get(key: string) {
    return this.entry?.key === key ? this.entry.weights : undefined;
  }
  set(key: string, weights: RunWeights) {
    this.clear();
    this.entry = { key, weights };
  }
  clear() {
    if (this.entry) disposeWeights(this.entry.weights.weights);
    this.entry = undefined;
  }
})();

export async function weightsFor(tf: typeof tfc, target: RunTarget, seed = 0): Promise<RunWeights> {
  const key = `${target.key}#${tf.getBackend()}#${seed}`;
  const cached = weightsCache.get(key);
  if (cached) return cached;
  assertRunFits(target.analysis, vscode.workspace.asRelativePath(target.uri), memoryLimit(tf.getBackend()));
  const weights = await resolveRunWeights(tf, target.analysis, await target.source(), undefined, seed);
  weightsCache.set(key, weights);
  return weights;
}

export interface PreviewResult {
  readonly uri: string;
  readonly previews: Record<string, ActivationPreview>;
  readonly backend: string;
  readonly weights: string;
  readonly random: boolean;
  readonly input: string;
  readonly ms: number;
  /** How to give class names, when a classifier's output has none. */
  readonly labelsHint?: string;
}

/**
 * Runs the model on an image (or a seeded random input) and returns a thumbnail per node:
 * `{ [nodeId]: { thumbnail: 'data:image/png;base64,…', min, max, channels, random } }`.
 * The lead routes the result to the diagram (onDidComputePreviews fires with it too).
 */
export async function activationPreviews(target: RunTarget, image: { readonly bytes: Uint8Array; readonly name: string } | undefined, signal?: AbortSignal): Promise<PreviewResult> {
  const start = performance.now();
  const { analysis, uri, document } = target;
  if (image) lastImages.set(uri.toString(), image);
  const preference = backendPreference();
  const labels = labelsFor(uri, analysis); // before the run: a bad label file fails at once
  const host = await hostBackend(target, preference);
  const { backend } = host;
  const { tf } = backend;
  const choice = choosePreset(analysis.graph.name, uri.fsPath, preprocessingSetting());
  const sources: InputSource[] = image ? [{ kind: 'image', file: image.name, bytes: image.bytes }] : [];
  const inputs = prepareInputs(tf, analysis, sources, choice);
  let ran: Pick<PreviewResult, 'previews' | 'backend' | 'weights' | 'random'>;
  try {
    // The diagram webview runs text models (it parses their text); binary ones run here.
    const inWebview = document ? await runInDiagram(document, analysis.graph, inputs, () => weightsFor(tf, target), signal) : undefined;
    if (inWebview && 'previews' in inWebview) ran = inWebview;
    else {
      const fallback = inWebview ? `; ${inWebview.fallback}` : '';
      if (host.engine) {
        const random = host.engine.weights.random || inputs.random;
        const previews = await enginePreviews(await host.engine.session(), analysis, engineInputs(inputs.tensors), { random, signal });
        ran = { previews, backend: `${backendSummary(backend)}${fallback}`, weights: host.engine.weights.source, random };
      } else {
        const weights = await weightsFor(tf, target);
        const random = weights.random || inputs.random;
        const previews = await previewEveryNode(tf, analysis, weights.weights, inputs.tensors, { random, signal });
        ran = { previews, backend: `${backendSummary(backend)}${fallback}`, weights: weights.source, random };
      }
    }
  } finally {
    for (const t of inputs.tensors) t.dispose();
  }
  const hint = labelsHint(analysis, labels, uri.fsPath || uri.path);
  const result: PreviewResult = { uri: uri.toString(), ...ran, previews: labelPreviews(ran.previews, labels), input: inputs.notes.join('; '), ms: performance.now() - start, ...(hint ? { labelsHint: hint } : {}) };
  previewsComputed.fire(result);
  return result;
}

const previewsComputed = new vscode.EventEmitter<PreviewResult>();
/** The image each model was last run on, so previews follow edits of the model. */
const lastImages = new Map<string, { readonly bytes: Uint8Array; readonly name: string }>();

/** Recomputes a model's previews on the image it was last run on (after an edit); nothing if it never ran. */
export async function refreshPreviews(document: vscode.TextDocument, analysis: Analysis, signal?: AbortSignal): Promise<void> {
  const image = lastImages.get(document.uri.toString());
  if (image) await activationPreviews(runTarget(document.uri, analysis, document), image, signal);
}
/** Fires after previews were computed for a model: the diagram (wired by the lead) shows them. */
export const onDidComputePreviews = previewsComputed.event;

/** The bundled samples (media/samples/*.png, drawn procedurally) and workspace images to choose from. */
async function pickImage(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  const samples = vscode.Uri.joinPath(context.extensionUri, 'media', 'samples');
  let bundled: vscode.Uri[] = [];
  try {
    bundled = (await vscode.workspace.fs.readDirectory(samples)).filter(([name]) => /\.(png|jpe?g)$/i.test(name)).map(([name]) => vscode.Uri.joinPath(samples, name));
  } catch {
    // no samples folder: only the workspace's images
  }
  const workspace = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,PNG,JPG,JPEG}', '**/node_modules/**', 200);
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: boolean };
  const items: Item[] = [
    ...bundled.map((uri) => ({ label: `$(file-media) ${uri.path.split('/').pop()}`, description: 'bundled sample (drawn procedurally)', uri })),
    ...workspace.map((uri) => ({ label: `$(file-media) ${vscode.workspace.asRelativePath(uri)}`, description: 'workspace', uri })),
    { label: '$(folder-opened) Choose an image file…', browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'CNN Lens: run the model on an image', placeHolder: 'A PNG or JPEG; it is resized and preprocessed for the model' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.uri;
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: 'Image for CNN Lens' });
  return files?.[0];
}

/** "CNN Lens: Run Model on Image…" (cnnLens.runOnImage). Arguments: the model URI, the image URI (both optional). */
export function registerRunOnImage(context: vscode.ExtensionContext, store: ModelStore): vscode.Disposable[] {
  const command = registerGuardedCommand('cnnLens.runOnImage', async (uri?: vscode.Uri, imageUri?: vscode.Uri): Promise<PreviewResult | undefined> => {
    if (!requireTrust('Run Model on Image')) return undefined;
    const model = await targetModel(store, uri);
    if (!model) return undefined;
    const image = imageUri instanceof vscode.Uri ? imageUri : await pickImage(context);
    if (!image) return undefined;
    const name = image.path.split('/').pop() ?? 'image';
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `CNN Lens: running ${model.analysis.graph.name} on ${name}`, cancellable: true }, async (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new vscode.CancellationError()));
      try {
        const bytes = await readWorkspaceFile(image, 'image');
        const result = await activationPreviews(model, { bytes, name: image.fsPath || name }, controller.signal);
        void tellResult(model.uri, `CNN Lens: activations of ${Object.keys(result.previews).length} layers in ${result.ms.toFixed(0)} ms on ${result.backend}.${result.random ? ` ${result.weights}.` : ''}${result.labelsHint ? ` ${result.labelsHint}` : ''}`);
        return result;
      } catch (e) {
        if (controller.signal.aborted) return undefined;
        void notify('error', `CNN Lens: ${(e as Error).message}`, e);
        return undefined;
      }
    });
  });
  return [command, previewsComputed, { dispose: () => weightsCache.clear() }, { dispose: releaseHostEngine }];
}
