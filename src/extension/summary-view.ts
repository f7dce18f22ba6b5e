import * as vscode from 'vscode';
import { buildReport } from '../core';
import { renderMarkdown } from '../core/analysis/summary-text';
import type { ModelStore } from './model-store';

// "Show Model Summary": the layer table as a read-only virtual document (scheme cnn-lens-summary),
// shown as a rendered Markdown preview beside the model. Nothing to save, no dirty untitled buffer,
// and it follows the model as it is edited (the store announces each new analysis).

export const SUMMARY_SCHEME = 'cnn-lens-summary';

/** The summary document of a model: `cnn-lens-summary:/path/model.json.summary.md?<the model's URI>`. */
export const summaryUri = (model: vscode.Uri): vscode.Uri => vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `${model.path}.summary.md`, query: model.toString() });

/** The model a summary document is of. */
const modelOf = (summary: vscode.Uri): vscode.Uri => vscode.Uri.parse(summary.query);

export class SummaryProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ModelStore) {
    // Open summaries follow their model.
    this.subscription = store.onDidAnalyze(({ uri }) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === SUMMARY_SCHEME && modelOf(d.uri).toString() === uri.toString());
      if (open) this.changed.fire(open.uri);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const model = modelOf(uri);
    const name = vscode.workspace.asRelativePath(model);
    try {
      const analysis = await this.store.analysisOf(model);
      return analysis ? renderMarkdown(buildReport(analysis)) : `${name} is not a model file CNN Lens reads.`;
    } catch (e) {
      return `${name} cannot be read: ${(e as Error).message}`;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Opens the summary of `model` as a rendered preview beside it (VS Code's Markdown preview, else
 * the read-only document itself); returns the summary document (tests read it).
 */
export async function showSummaryView(model: vscode.Uri): Promise<vscode.TextDocument> {
  const uri = summaryUri(model);
  const document = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    // No Markdown extension (disabled): the read-only text, beside the model.
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }
  return document;
}
