import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { buildReport } from '../core';
import { nodeAtOffset } from '../core/analysis/describe';
import { renderWebviewHtml } from '../../shared/html';
import { PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../../shared/protocol';
import { opCatalog } from '../core/edit/catalog';
import { applyModelEdit, checkModelEdit } from './edit-commands';
import { onDidProfile } from './profile-command';
import { onDidComputePreviews, refreshPreviews } from './run-session';
import type { ModelStore } from './model-store';
import { DiagramRunner, registerDiagramRunner } from './webview-run';

// "Open With… → CNN Lens Diagram": a custom editor over the text document, so VS Code keeps
// owning the file, its undo stack and saving. The webview only renders; the host sends it the
// report (never the raw file) and keeps the selection in step with the text cursor.

export class DiagramEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'cnnLens.diagram';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: ModelStore,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...path)).toString();
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: asset('dist', 'webview.js'),
      workerUri: asset('dist', 'layout-worker.js'),
      runWorkerUri: asset('dist', 'run-worker.js'),
      cssUri: asset('media', 'webview.css'),
    });

    const post = (message: HostMessage) => void webview.postMessage(message);
    const sendModel = () => {
      const analysis = this.store.get(document);
      if (analysis) post({ type: 'model', version: PROTOCOL_VERSION, uri: document.uri.toString(), report: buildReport(analysis) });
    };
    const rangeOf = (id: string) => {
      const node = this.store.get(document)?.graph.nodes.find((n) => n.id === id);
      const r = node?.nameRange ?? node?.range;
      if (!r) return undefined;
      // Select the name itself, without its quotes.
      const quoted = node?.nameRange && document.getText().charAt(r.start) === '"';
      return new vscode.Range(document.positionAt(r.start + (quoted ? 1 : 0)), document.positionAt(r.end - (quoted ? 1 : 0)));
    };

    let refreshing: AbortController | undefined;
    // Runs on the local GPU when cnnLens.backend is webgpu or webgl (webview-run.ts).
    const runner = new DiagramRunner(panel);
    const subscriptions = [
      registerDiagramRunner(document.uri, runner),
      this.store.onDidAnalyze((e) => {
        if (e.document !== document) return;
        sendModel();
        // Previews follow the model: rerun on the last image (a half-typed model may not run: keep quiet then).
        refreshing?.abort();
        refreshing = new AbortController();
        if (!e.analysis.diagnostics.some((d) => d.severity === 'error')) void refreshPreviews(document, e.analysis, refreshing.signal).catch(() => undefined);
      }),
      onDidProfile((p) => {
        if (p.uri === document.uri.toString()) post({ type: 'latency', backend: p.result.backend, ms: Object.fromEntries(p.result.layers.map((l) => [l.name, l.ms])) });
      }),
      onDidComputePreviews((r) => {
        if (r.uri === document.uri.toString()) post({ type: 'activations', image: r.input, random: r.random, previews: r.previews, backend: r.backend });
      }),
      webview.onDidReceiveMessage((message: WebviewMessage) => {
        runner.receive(message);
        if (message.type === 'ready') {
          post({ type: 'catalog', ops: opCatalog() });
          sendModel();
        }
        if (message.type === 'edit') void applyModelEdit(this.store, document, message.edit).then((outcome) => post({ type: 'editResult', id: message.id, ...outcome }));
        if (message.type === 'checkEdit') {
          const { ok, message: reason, problems } = checkModelEdit(this.store, document, message.edit);
          post({ type: 'editCheck', id: message.id, ok, message: reason, problems });
        }
        if (message.type === 'select' && message.node) {
          // Follow the diagram in a visible text editor of the same file, without stealing focus.
          const range = rangeOf(message.node);
          for (const editor of vscode.window.visibleTextEditors.filter((e) => e.document === document)) {
            if (range) {
              editor.selection = new vscode.Selection(range.start, range.end);
              editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
            }
          }
        }
        if (message.type === 'export') void saveExport(document, message);
        if (message.type === 'reveal') {
          const range = rangeOf(message.node);
          void vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection: range, preserveFocus: false });
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document !== document || !panel.visible) return;
        const analysis = this.store.get(document);
        const node = analysis && nodeAtOffset(analysis, document.offsetAt(e.selections[0].active));
        post({ type: 'select', node: node?.id ?? null });
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }
}

/** Saves an exported SVG or PNG next to the model, where the user chooses. */
async function saveExport(document: vscode.TextDocument, message: Extract<WebviewMessage, { type: 'export' }>): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(document.uri, '..', message.fileName),
    filters: message.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
  });
  if (!target) return;
  const bytes = message.format === 'svg' ? Buffer.from(message.data, 'utf8') : Buffer.from(message.data.replace(/^data:image\/png;base64,/, ''), 'base64');
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`CNN Lens: diagram saved to ${vscode.workspace.asRelativePath(target)}.`);
}

/** A fresh, unguessable nonce per webview for the Content Security Policy. */
const nonce = (): string => randomBytes(18).toString('base64url');
