import * as vscode from 'vscode';
import { BinaryModelDocument } from './binary-model';
import { DiagramWebview } from './diagram-webview';
import type { ModelStore } from './model-store';

// The diagram over a binary model file (ONNX, …): a read-only custom editor, so opening the file
// from the explorer shows the diagram instead of VS Code's "binary file" notice. There is no text
// to select or reveal and no edits: the webview explores (selection, inspector, totals, summary
// table, export) and says the format is read-only.

export class BinaryDiagramEditorProvider implements vscode.CustomReadonlyEditorProvider<BinaryModelDocument> {
  static readonly viewType = 'cnnLens.binaryDiagram';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: ModelStore,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<BinaryModelDocument> {
    const document = await BinaryModelDocument.open(uri, this.store.worker);
    this.store.addBinary(document);
    return document;
  }

  resolveCustomEditor(document: BinaryModelDocument, panel: vscode.WebviewPanel): void {
    const diagram = new DiagramWebview(this.context, panel, { uri: document.uri, analysis: () => document.analysis });
    const reloaded = document.onDidLoad(() => diagram.sendModel());
    panel.onDidDispose(() => reloaded.dispose());
  }
}
