import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { notify, registerGuardedCommand } from './notify';
import { choosePreset, prepareInputs } from '../core/runtime/preprocess';
import { profileCsv, profileJson, profileModel, SUM_VS_WHOLE_EXPLANATION, type ProfileResult } from '../core/runtime/profile';
import { engineInputs } from '../node/engine/previews';
import { renderProfileHtml } from '../../shared/profile-html';
import { PROFILE_PROTOCOL_VERSION, type ProfileHostMessage, type ProfileView, type ProfileWebviewMessage } from '../../shared/profile-protocol';
import { hostBackend } from './host-engine';
import type { ModelStore } from './model-store';
import { backendPreference, backendSummary, preprocessingSetting, weightsFor } from './run-session';
import { targetModel } from './run-target';
import { columnBesideDiagram, tellResult } from './diagram-tabs';
import { selectLayer } from './layer-selection';
import { requireTrust } from './workspace-trust';

// "CNN Lens: Profile Model" (cnnLens.profile): a cancellable progress notification while the
// profiler runs in the extension host (on ONNX Runtime its own profiler, the cancel checked between
// runs; on tfjs the executor yields between nodes, so Cancel lands between nodes), then a webview
// panel with the engine, the table, the bar chart and the totals; its Export buttons save JSON or
// CSV, and Save trace ONNX Runtime's Chrome trace, through the host's save dialog.

export interface ProfiledModel {
  readonly uri: string;
  readonly result: ProfileResult;
  readonly view: ProfileView;
  /** ONNX Runtime's trace of the profiled runs (Chrome trace JSON), when it ran on the engine. */
  readonly trace?: string;
}

export interface ProfileCommandOptions {
  readonly runs?: number;
  readonly warmup?: number;
  readonly showPanel?: boolean;
  /** Saves the engine's trace here once profiled, as the panel's Save trace does (no dialog): for scripts and tests. */
  readonly saveTraceTo?: vscode.Uri;
}

const profiled = new vscode.EventEmitter<ProfiledModel>();
/** Fires after a profile finished: the lead can route per-layer ms to the diagram's latency overlay. */
export const onDidProfile = profiled.event;

const nonce = (): string => randomBytes(16).toString('base64');

export function registerProfileCommand(context: vscode.ExtensionContext, store: ModelStore): vscode.Disposable[] {
  const command = registerGuardedCommand('cnnLens.profile', async (uri?: vscode.Uri, options?: ProfileCommandOptions): Promise<ProfiledModel | undefined> => {
    if (!requireTrust('Profile Model')) return undefined;
    const model = await targetModel(store, uri);
    if (!model) return undefined;
    const { analysis } = model;
    const config = vscode.workspace.getConfiguration('cnnLens');
    const runs = options?.runs ?? config.get<number>('profile.runs', 10);
    const warmup = options?.warmup ?? config.get<number>('profile.warmup', 2);
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `CNN Lens: profiling ${analysis.graph.name}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new vscode.CancellationError()));
      try {
        progress.report({ message: `choosing a backend (${backendPreference()})…` });
        const { backend, engine } = await hostBackend(model, backendPreference());
        progress.report({ message: `${backend.name}: ${engine ? 'profiling' : 'loading weights'}…` });
        const tfjsWeights = engine ? undefined : await weightsFor(backend.tf, model);
        const weights = engine?.weights ?? tfjsWeights!;
        const inputs = prepareInputs(backend.tf, analysis, [], choosePreset(analysis.graph.name, model.uri.fsPath, preprocessingSetting()));
        let reported = 0;
        const timing = {
          runs,
          warmup,
          signal: controller.signal,
          backend: backend.name,
          onProgress: (p: { fraction: number; phase: string; done: number; total: number }) => {
            const pct = Math.round(p.fraction * 100);
            progress.report({ increment: pct - reported, message: `${backend.name}: ${p.phase} ${p.done + 1}/${p.total}` });
            reported = pct;
          },
        };
        try {
          // The engine's modules load only once the chain chose ONNX Runtime (onnxruntime-node may be missing).
          const profiled = engine
            ? await (await import('../node/engine/profile')).profileOnEngine(analysis, engine.model, engineInputs(inputs.tensors), { ...timing, session: backend.engine })
            : { result: await profileModel(backend.tf, analysis, tfjsWeights!.weights, inputs.tensors, timing), trace: undefined };
          const { result } = profiled;
          const view: ProfileView = {
            model: analysis.graph.name,
            file: vscode.workspace.asRelativePath(model.uri),
            backend: backendSummary(backend).split(';')[0],
            notUsed: backend.tried.filter((t) => !t.ok).map((t) => t.reason ?? t.name),
            engine: engine ? `ONNX Runtime ${(await import('onnxruntime-node')).env.versions.common} (its own profiler's kernel times)` : `TensorFlow.js ${backend.tf.version_core} (timed node by node)`,
            hasTrace: profiled.trace !== undefined,
            weights: weights.source,
            randomWeights: weights.random,
            runs: result.runs,
            warmup: result.warmup,
            wholeModelMs: result.wholeModelMs,
            wholeModelP10Ms: result.wholeModelP10Ms,
            wholeModelP90Ms: result.wholeModelP90Ms,
            sumOfLayersMs: result.sumOfLayersMs,
            sumVsWhole: result.sumVsWhole ?? SUM_VS_WHOLE_EXPLANATION,
            peakActivationBytes: result.peakActivationBytes,
            totalActivationBytes: result.totalActivationBytes,
            weightBytes: result.weightBytes,
            layers: result.layers,
          };
          return { uri: model.uri.toString(), result, view, trace: profiled.trace, weightsSource: weights.source, backendTried: backend.tried };
        } finally {
          for (const t of inputs.tensors) t.dispose();
        }
      } catch (e) {
        if (controller.signal.aborted) {
          void notify('info', 'CNN Lens: profiling cancelled.');
          return undefined;
        }
        void notify('error', `CNN Lens: cannot profile ${analysis.graph.name}: ${(e as Error).message}`, e);
        return undefined;
      }
    });
    if (!outcome) return undefined;
    const done: ProfiledModel = { uri: outcome.uri, result: outcome.result, view: outcome.view, ...(outcome.trace !== undefined ? { trace: outcome.trace } : {}) };
    profiled.fire(done);
    if (options?.saveTraceTo) await saveTrace(done, options.saveTraceTo);
    if (options?.showPanel !== false) showProfilePanel(context, model.uri, done, { weights: outcome.weightsSource, backendTried: outcome.backendTried }, (layer) => selectLayer(model.uri, layer, store.current(model.uri)));
    void tellResult(model.uri, `CNN Lens: profiled ${analysis.graph.name}: ${done.result.wholeModelMs.toFixed(1)} ms per run (median of ${done.result.runs}) on ${done.view.backend}.`);
    return done;
  });
  return [command, profiled];
}

/** Writes a profile's engine trace to `target`, or to the file a save dialog asks for; the file written, or undefined. */
export async function saveTrace(profile: ProfiledModel, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (profile.trace === undefined) return undefined;
  const modelUri = vscode.Uri.parse(profile.uri);
  const to =
    target ??
    (await vscode.window.showSaveDialog({
      defaultUri: modelUri.with({ path: `${modelUri.path.replace(/\.[^./]+$/, '')}.ort-trace.json` }),
      filters: { 'Chrome trace JSON': ['json'] },
      title: `Save ONNX Runtime's trace of ${profile.view.model} (open it in Perfetto)`,
    }));
  if (!to) return undefined;
  await vscode.workspace.fs.writeFile(to, new TextEncoder().encode(profile.trace));
  return to;
}

/** The profile panel, beside the model's diagram (not over it); a row clicked there selects the layer (`select`). */
function showProfilePanel(context: vscode.ExtensionContext, modelUri: vscode.Uri, profile: ProfiledModel, extra: Record<string, unknown>, select: (layer: string) => void): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('cnnLens.profile', `Profile: ${profile.view.model}`, { viewColumn: columnBesideDiagram(modelUri), preserveFocus: true }, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
  });
  const webview = panel.webview;
  webview.html = renderProfileHtml({
    cspSource: webview.cspSource,
    nonce: nonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'profile.js')).toString(),
    title: `Profile: ${profile.view.model}`,
  });
  const post = (m: ProfileHostMessage) => void webview.postMessage(m);
  const sub = webview.onDidReceiveMessage(async (m: ProfileWebviewMessage) => {
    if (m.type === 'ready') post({ type: 'profile', version: PROFILE_PROTOCOL_VERSION, profile: profile.view });
    if (m.type === 'reveal' && profile.view.layers.some((l) => l.name === m.layer)) select(m.layer);
    if (m.type === 'saveTrace') {
      const to = await saveTrace(profile);
      if (!to) return;
      post({ type: 'exported', format: 'trace', path: to.fsPath });
      void notify('info', `CNN Lens: ONNX Runtime's trace saved to ${vscode.workspace.asRelativePath(to)} (open it in Perfetto: ui.perfetto.dev).`);
    }
    if (m.type === 'export') {
      const base = modelUri.path.replace(/\.[^./]+$/, '');
      const target = await vscode.window.showSaveDialog({
        defaultUri: modelUri.with({ path: `${base}.profile.${m.format}` }),
        filters: m.format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
        title: `Export the profile of ${profile.view.model}`,
      });
      if (!target) return;
      const text = m.format === 'json' ? JSON.stringify(profileJson(profile.result, extra), null, 2) + '\n' : profileCsv(profile.result);
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
      post({ type: 'exported', format: m.format, path: target.fsPath });
      void notify('info', `CNN Lens: profile saved to ${vscode.workspace.asRelativePath(target)}.`);
    }
  });
  panel.onDidDispose(() => sub.dispose());
  return panel;
}
