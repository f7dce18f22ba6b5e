import * as vscode from 'vscode';
import { notify, registerGuardedCommand } from './notify';
import type { Analysis } from '../core';
import { OnnxExportError } from '../core/engine/onnx-emitter';
import { DEFAULT_OPSET, exportOnnx } from '../core/engine/onnx-export';
import { plainWeights } from '../core/engine/plain-weights';
import { formatOfGraph } from '../core/formats/registry';
import { activeModelUri } from './active-model';
import type { ModelStore } from './model-store';
import { currentBackend, weightsFor } from './run-session';
import { runTarget } from './run-target';
import { readWorkspaceFile } from './workspace-source';

// "CNN Lens: Export to ONNX…" (cnnLens.exportOnnx): the model with its weights (next to it, else
// seeded random, said in the message) as one ONNX file chosen in a save dialog; an ONNX model is
// written as it is. The same exporter as `cnn-lens export`; the weights are the ones Run Model on
// Image and Profile Model use (loaded once per document version).

export interface ExportedModel {
  readonly target: vscode.Uri;
  readonly bytes: number;
  readonly randomWeights: boolean;
}

/** The ONNX bytes of a model, with where its weights came from. */
async function onnxBytes(store: ModelStore, uri: vscode.Uri): Promise<{ bytes: Uint8Array; analysis: Analysis; weights: string; random: boolean } | undefined> {
  const analysis = await store.analysisOf(uri);
  if (!analysis) return undefined;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new OnnxExportError(`it has errors: ${errors[0].message}`);
  if (analysis.graph.format === 'onnx') return { bytes: exportOnnx(analysis, new Map(), { source: await readWorkspaceFile(uri, 'model') }).bytes, analysis, weights: 'its own', random: false };
  // Binary models (TFLite, Keras .h5 / .keras) have no text document: their weights are their own.
  const document = formatOfGraph(analysis.graph)?.binary ? undefined : await vscode.workspace.openTextDocument(uri);
  const backend = await currentBackend();
  const weights = await weightsFor(backend.tf, runTarget(uri, analysis, document));
  return { bytes: exportOnnx(analysis, await plainWeights(weights.weights)).bytes, analysis, weights: weights.source, random: weights.random };
}

export function registerExportCommand(store: ModelStore): vscode.Disposable[] {
  const command = registerGuardedCommand('cnnLens.exportOnnx', async (uri?: vscode.Uri, to?: vscode.Uri): Promise<ExportedModel | undefined> => {
    const model = uri instanceof vscode.Uri ? uri : activeModelUri();
    if (!model) {
      void notify('warning', 'CNN Lens: open a model file first.');
      return undefined;
    }
    const name = vscode.workspace.asRelativePath(model);
    const target =
      to instanceof vscode.Uri
        ? to
        : await vscode.window.showSaveDialog({
            title: `Export ${name} to ONNX`,
            defaultUri: vscode.Uri.joinPath(model, '..', `${model.path.replace(/^.*\//, '').replace(/(\.weights)?\.[^.]*$/, '')}.onnx`),
            filters: { ONNX: ['onnx'] },
          });
    if (!target) return undefined;
    if (target.toString() === model.toString()) {
      void notify('error', `CNN Lens: ${name} is the model itself; choose another file.`);
      return undefined;
    }
    try {
      const made = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `CNN Lens: exporting ${name} to ONNX…` }, () => onnxBytes(store, model));
      if (!made) {
        void notify('warning', `CNN Lens: ${name} is not a model file CNN Lens reads.`);
        return undefined;
      }
      await vscode.workspace.fs.writeFile(target, made.bytes);
      const size = `${(made.bytes.byteLength / 2 ** 20).toFixed(1)} MiB`;
      const how = made.analysis.graph.format === 'onnx' ? 'the ONNX file as it is' : `opset ${DEFAULT_OPSET}, weights: ${made.weights}`;
      void notify(made.random ? 'warning' : 'info', `CNN Lens: wrote ${vscode.workspace.asRelativePath(target)} (${size}; ${how}).`);
      return { target, bytes: made.bytes.byteLength, randomWeights: made.random };
    } catch (e) {
      void notify('error', `CNN Lens: cannot export ${name} to ONNX: ${(e as Error).message}`, e);
      return undefined;
    }
  });
  return [command];
}
