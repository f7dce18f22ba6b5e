import * as vscode from 'vscode';
import { notify, registerGuardedCommand } from './notify';
import type { Analysis } from '../core';
import { BinaryDiagramEditorProvider } from './binary-editor';
import { isBinaryModelName } from './binary-model';
import { DiagramEditorProvider } from './diagram-editor';
import { registerEditCommands } from './edit-commands';
import { StylePanelProvider } from './style-panel';
import { registerLanguageFeatures } from './language-features';
import { ModelStore } from './model-store';
import { AnalysisWorker } from '../node/analysis/analysis-worker';
import { activeModelUri, registerActiveModel } from './active-model';
import { registerExportCommand } from './export-command';
import { registerProfileCommand } from './profile-command';
import { registerRunOnImage } from './run-session';
import { showSummaryView, SUMMARY_SCHEME, SummaryProvider } from './summary-view';
import { keepRunResults, lastResults } from './run-results';
import type { HostMessage } from '../../shared/protocol';
import { layerSelectionDisposables } from './layer-selection';

// Activation: wires the ModelStore to the editor features, the diagrams (text and binary formats)
// and the commands. Thin: everything it shows comes from src/core.

/** What other extensions (and the integration tests) can ask: the analysis of a model file, open or not. */
export interface CnnLensApi {
  readonly analysisOf: (uri: vscode.Uri) => Promise<Analysis | undefined>;
  /** The last run's and profile's results kept for a model (what a diagram opened now is sent). */
  readonly runResults: (uri: vscode.Uri) => readonly HostMessage[];
}

export function activate(context: vscode.ExtensionContext): CnnLensApi {
  const store = new ModelStore(new AnalysisWorker(context.asAbsolutePath('dist/analysis-worker.js')));
  const summaries = new SummaryProvider(store);
  context.subscriptions.push(
    store,
    summaries,
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    ...registerLanguageFeatures(store),
    ...registerActiveModel(store),
    ...registerEditCommands(store),
    ...registerProfileCommand(context, store),
    ...registerExportCommand(store),
    ...registerRunOnImage(context, store),
    ...keepRunResults(),
    ...layerSelectionDisposables(),
    vscode.window.registerWebviewViewProvider(StylePanelProvider.viewType, new StylePanelProvider(context), { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerCustomEditorProvider(DiagramEditorProvider.viewType, new DiagramEditorProvider(context, store), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.registerCustomEditorProvider(BinaryDiagramEditorProvider.viewType, new BinaryDiagramEditorProvider(context, store), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    registerGuardedCommand('cnnLens.openDiagramToSide', (uri?: vscode.Uri) => openDiagram(uri, vscode.ViewColumn.Beside)),
    registerGuardedCommand('cnnLens.openDiagram', (uri?: vscode.Uri) => openDiagram(uri, vscode.ViewColumn.Active)),
    registerGuardedCommand('cnnLens.showSummary', (uri?: vscode.Uri) => showSummary(store, uri)),
  );
  return { analysisOf: (uri) => store.analysisOf(uri), runResults: lastResults };
}

/** The model the user means: the argument (from a CodeLens or the explorer) or the active editor's file. */
function targetUri(uri: vscode.Uri | undefined): vscode.Uri | undefined {
  return uri instanceof vscode.Uri ? uri : activeModelUri();
}

async function openDiagram(uri: vscode.Uri | undefined, column: vscode.ViewColumn): Promise<void> {
  const target = targetUri(uri);
  if (!target) {
    void notify('warning', 'CNN Lens: open a model file first.');
    return;
  }
  const viewType = isBinaryModelName(target) ? BinaryDiagramEditorProvider.viewType : DiagramEditorProvider.viewType;
  await vscode.commands.executeCommand('vscode.openWith', target, viewType, column);
}

/** Opens the layer-by-layer summary, read-only and rendered, beside the model; returns its document (tests read it). */
async function showSummary(store: ModelStore, uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  const target = targetUri(uri);
  if (!target) {
    void notify('warning', 'CNN Lens: open a model file first.');
    return undefined;
  }
  let analysis: Analysis | undefined;
  try {
    analysis = await store.analysisOf(target);
  } catch (e) {
    void notify('warning', `CNN Lens: ${vscode.workspace.asRelativePath(target)} cannot be read: ${(e as Error).message}`, e);
    return undefined;
  }
  if (!analysis) {
    void notify('warning', `CNN Lens: ${vscode.workspace.asRelativePath(target)} is not a model file CNN Lens reads.`);
    return undefined;
  }
  return showSummaryView(target);
}

export function deactivate(): void {}
