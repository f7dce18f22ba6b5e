import * as vscode from 'vscode';
import type { Analysis } from '../core';

// Selecting a layer from outside the diagram (a row of the profile view): the diagrams of the model
// select it, and visible text editors of the file put the cursor on its name.

const requested = new vscode.EventEmitter<{ readonly uri: string; readonly node: string }>();
/** Fires when something outside the diagram selects a layer: the diagrams of `uri` follow. */
export const onDidRequestLayer = requested.event;

/** The layer's name in the text, without its quotes (else its whole definition). */
export function layerRange(document: vscode.TextDocument, analysis: Analysis | undefined, id: string): vscode.Range | undefined {
  const node = analysis?.graph.nodes.find((n) => n.id === id);
  const r = node?.nameRange ?? node?.range;
  if (!r) return undefined;
  const quoted = node?.nameRange && document.getText().charAt(r.start) === '"';
  return new vscode.Range(document.positionAt(r.start + (quoted ? 1 : 0)), document.positionAt(r.end - (quoted ? 1 : 0)));
}

/** Puts the cursor on the layer in every visible text editor of the document, without taking the focus. */
export function selectInText(document: vscode.TextDocument, range: vscode.Range | undefined): void {
  if (!range) return;
  for (const editor of vscode.window.visibleTextEditors.filter((e) => e.document === document)) {
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

/** Selects a layer of the model at `uri` in its diagrams and its text. */
export function selectLayer(uri: vscode.Uri, node: string, analysis: Analysis | undefined): void {
  requested.fire({ uri: uri.toString(), node });
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document) selectInText(document, layerRange(document, analysis, node));
}

export const layerSelectionDisposables = (): vscode.Disposable[] => [requested];
