import * as vscode from 'vscode';
import { totalsLine, totalsShort } from '../core/analysis/describe';
import type { ModelStore } from './model-store';
import { nothingToDraw } from './diagram-webview';

/** The file of the active editor: a text editor's, or the one behind an active custom editor (the diagrams). */
export function activeModelUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/**
 * Follows the active editor: its model's totals in the status bar (hidden for other files), and
 * the context keys menus read: `cnnLens.isModel` for any model (recognised by its content, not
 * its name; Run Model on Image, Profile Model and Export read binary models too), `cnnLens.isTextModel`
 * for models in a text document (the commands that edit the text).
 */
export function registerActiveModel(store: ModelStore): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('cnnLens.totals', vscode.StatusBarAlignment.Right, 100);
  item.name = 'CNN Lens model totals';
  item.command = 'cnnLens.openDiagramToSide';
  const update = () => {
    const uri = activeModelUri();
    // A file with nothing to draw (a format not read yet) is no model for the menus and the status bar.
    const current = uri && store.current(uri);
    const analysis = current && !nothingToDraw(current) ? current : undefined;
    void vscode.commands.executeCommand('setContext', 'cnnLens.isModel', !!analysis);
    void vscode.commands.executeCommand('setContext', 'cnnLens.isTextModel', !!analysis && vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri?.toString()));
    if (!analysis) return item.hide();
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
    item.text = `$(circuit-board) ${totalsShort(analysis)}${errors ? ` $(error) ${errors}` : ''}`;
    item.tooltip = `${analysis.graph.name}: ${totalsLine(analysis)}\nClick to open the diagram.`;
    item.show();
  };
  update();
  return [item, vscode.window.onDidChangeActiveTextEditor(update), vscode.window.tabGroups.onDidChangeTabs(update), store.onDidAnalyze(update), store.onDidClose(update)];
}
