import * as vscode from 'vscode';
import { analyzeText } from '../core';
import { nodeAtOffset } from '../core/analysis/describe';
import { applyModelEdit, checkModelEdit } from './edit-commands';
import { DiagramWebview } from './diagram-webview';
import { refreshPreviews } from './run-session';
import { layerRange, selectInText } from './layer-selection';
import type { ModelStore } from './model-store';

// "Open With… → CNN Lens Diagram": a custom editor over the text document, so VS Code keeps
// owning the file, its undo stack and saving. The webview only renders (diagram-webview.ts); this
// editor adds what a text document allows: edits, and the selection kept in step with the text cursor.

export class DiagramEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'cnnLens.diagram';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: ModelStore,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const rangeOf = (id: string) => layerRange(document, this.store.get(document), id);

    // A file that is not a model (a package.json opened with Open Diagram) is analysed all the same: its one error is what the diagram says.
    const analysis = () => this.store.get(document) ?? analyzeText(document.getText(), document.fileName);
    const diagram = new DiagramWebview(this.context, panel, { uri: document.uri, analysis }, (message) => {
      if (message.type === 'edit') void applyModelEdit(this.store, document, message.edit).then((outcome) => diagram.post({ type: 'editResult', id: message.id, ...outcome }));
      if (message.type === 'checkEdit') {
        const { ok, message: reason, problems } = checkModelEdit(this.store, document, message.edit);
        diagram.post({ type: 'editCheck', id: message.id, ok, message: reason, problems });
      }
      if (message.type === 'select' && message.node) {
        // Follow the diagram in a visible text editor of the same file, without stealing focus.
        selectInText(document, rangeOf(message.node));
      }
      if (message.type === 'reveal') {
        const range = rangeOf(message.node);
        void vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection: range, preserveFocus: false });
      }
    });

    let refreshing: AbortController | undefined;
    const subscriptions = [
      this.store.onDidAnalyze((e) => {
        if (e.document !== document) return;
        diagram.sendModel();
        // Previews follow the model: rerun on the last image (a half-typed model may not run: keep quiet then).
        refreshing?.abort();
        refreshing = new AbortController();
        if (!e.analysis.diagnostics.some((d) => d.severity === 'error')) void refreshPreviews(document, e.analysis, refreshing.signal).catch(() => undefined);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document !== document || !panel.visible) return;
        const analysis = this.store.get(document);
        const node = analysis && nodeAtOffset(analysis, document.offsetAt(e.selections[0].active));
        diagram.post({ type: 'select', node: node?.id ?? null });
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }
}
