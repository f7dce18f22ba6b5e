import * as vscode from 'vscode';
import { buildReport } from '../core';
import { renderMarkdown } from '../core/analysis/summary-text';
import { DiagramEditorProvider } from './diagram-editor';
import { registerEditCommands } from './edit-commands';
import { StylePanelProvider } from './style-panel';
import { registerLanguageFeatures } from './language-features';
import { ModelStore } from './model-store';
import { registerActiveModel } from './active-model';
import { registerProfileCommand } from './profile-command';
import { registerRunOnImage } from './run-session';

// Activation: wires the ModelStore to the editor features, the diagram and the commands. Thin:
// everything it shows comes from src/core.

export function activate(context: vscode.ExtensionContext): void {
  const store = new ModelStore();
  context.subscriptions.push(
    store,
    ...registerLanguageFeatures(store),
    ...registerActiveModel(store),
    ...registerEditCommands(store),
    ...registerProfileCommand(context, store),
    ...registerRunOnImage(context, store),
    vscode.window.registerWebviewViewProvider(StylePanelProvider.viewType, new StylePanelProvider(context), { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerCustomEditorProvider(DiagramEditorProvider.viewType, new DiagramEditorProvider(context, store), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('cnnLens.openDiagramToSide', (uri?: vscode.Uri) => openDiagram(uri, vscode.ViewColumn.Beside)),
    vscode.commands.registerCommand('cnnLens.openDiagram', (uri?: vscode.Uri) => openDiagram(uri, vscode.ViewColumn.Active)),
    vscode.commands.registerCommand('cnnLens.showSummary', (uri?: vscode.Uri) => showSummary(store, uri)),
  );
}

/** The model the user means: the argument (from a CodeLens or the explorer) or the active editor's file. */
function targetUri(uri: vscode.Uri | undefined): vscode.Uri | undefined {
  return uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
}

async function openDiagram(uri: vscode.Uri | undefined, column: vscode.ViewColumn): Promise<void> {
  const target = targetUri(uri);
  if (!target) {
    void vscode.window.showWarningMessage('CNN Lens: open a Keras or TF.js model file (JSON) first.');
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, DiagramEditorProvider.viewType, column);
}

async function showSummary(store: ModelStore, uri: vscode.Uri | undefined): Promise<void> {
  const target = targetUri(uri);
  const document = target && (await vscode.workspace.openTextDocument(target));
  const analysis = document && store.get(document);
  if (!document || !analysis) {
    void vscode.window.showWarningMessage(`CNN Lens: ${document ? `${vscode.workspace.asRelativePath(document.uri)} is not a Keras or TF.js model` : 'open a model file first'}.`);
    return;
  }
  const summary = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderMarkdown(buildReport(analysis)) });
  await vscode.window.showTextDocument(summary, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

export function deactivate(): void {}
