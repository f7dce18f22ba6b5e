import * as vscode from 'vscode';
import { totalsLine } from '../core/analysis/describe';
import type { ModelStore } from './model-store';

/**
 * Follows the active editor: its model's totals in the status bar (hidden for other files), and
 * the `cnnLens.isModel` context key, so menus recognise a model by its content, not its name.
 */
export function registerActiveModel(store: ModelStore): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('cnnLens.totals', vscode.StatusBarAlignment.Right, 100);
  item.name = 'CNN Lens model totals';
  item.command = 'cnnLens.openDiagramToSide';
  /** The active model document: a text editor's, or the one behind an active diagram editor. */
  const activeDocument = (): vscode.TextDocument | undefined => {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === 'cnnLens.diagram') {
      return vscode.workspace.textDocuments.find((d) => d.uri.toString() === input.uri.toString());
    }
    return vscode.window.activeTextEditor?.document;
  };
  const update = () => {
    const document = activeDocument();
    const analysis = document && store.get(document);
    void vscode.commands.executeCommand('setContext', 'cnnLens.isModel', !!analysis);
    if (!analysis) return item.hide();
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
    item.text = `$(circuit-board) ${totalsLine(analysis).split(' · ').slice(0, 2).join(' · ')}${errors ? ` $(error) ${errors}` : ''}`;
    item.tooltip = `${analysis.graph.name}: ${totalsLine(analysis)}\nClick to open the diagram.`;
    item.show();
  };
  update();
  return [item, vscode.window.onDidChangeActiveTextEditor(update), vscode.window.tabGroups.onDidChangeTabs(update), store.onDidAnalyze(update)];
}
