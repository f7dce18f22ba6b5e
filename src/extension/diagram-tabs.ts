import * as vscode from 'vscode';
import { notify } from './notify';

// Where a model's diagram is open, from VS Code's tab model: so results can offer to open it when
// it is not, and the profile opens beside it rather than over it.

const DIAGRAMS = new Set(['cnnLens.diagram', 'cnnLens.binaryDiagram']);

/** The editor group showing a diagram of `uri`, if one does. */
export function diagramGroup(uri: vscode.Uri): vscode.TabGroup | undefined {
  const key = uri.toString();
  return vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && DIAGRAMS.has(t.input.viewType) && t.input.uri.toString() === key));
}

/** The column to the right of the model's diagram (a new group there if needed), else beside the active editor. */
export function columnBesideDiagram(uri: vscode.Uri): vscode.ViewColumn {
  const group = diagramGroup(uri);
  return group ? Math.min(group.viewColumn + 1, vscode.ViewColumn.Nine) : vscode.ViewColumn.Beside;
}

/**
 * A completion notification; with an "Open Diagram" button when no diagram of the model is open
 * (the diagram opened later shows the results all the same: run-results.ts keeps them).
 */
export async function tellResult(uri: vscode.Uri, message: string): Promise<void> {
  if (diagramGroup(uri)) {
    void notify('info', message);
    return;
  }
  const choice = await notify('info', message, undefined, 'Open Diagram');
  if (choice === 'Open Diagram') await vscode.commands.executeCommand('cnnLens.openDiagramToSide', uri);
}
