import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { notify } from './notify';
import { buildReport, type Analysis } from '../core';
import { opCatalog } from '../core/edit/catalog';
import { formatOfGraph } from '../core/formats/registry';
import { renderWebviewHtml } from '../../shared/html';
import { inspectorLayout } from '../../shared/inspector-layout';
import { PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../../shared/protocol';
import { PanelInputShapes } from './panel-input-shapes';
import { lastResults, onDidKeepResult } from './run-results';
import { onDidRequestLayer } from './layer-selection';
import { DiagramRunner, registerDiagramRunner } from './webview-run';

// The diagram webview as both custom editors use it (the text editor over Keras JSON, the
// read-only one over binary files): its HTML and CSP, the `model` message, the op catalog for
// editable formats, the panel's own input shapes (panel-input-shapes.ts), profile and activation
// overlays, runs on the local GPU, and SVG/PNG export.
// Each editor adds what only it can do (edits, text selection) through `onMessage`.

export interface DiagramModel {
  readonly uri: vscode.Uri;
  /** The analysis to show now: of a file that is not a model too (its one error says why, and the diagram shows it). */
  readonly analysis: () => Analysis | undefined;
}

/** True when the file has nothing to draw and its analysis says why (not a model, a format not read yet). */
export const nothingToDraw = (analysis: Analysis): boolean => analysis.graph.nodes.length === 0 && analysis.diagnostics.some((d) => d.severity === 'error');

/** The format's name when CNN Lens cannot edit it (its format has no edit planner), else undefined. */
export function readOnlyFormat(analysis: Analysis): string | undefined {
  const format = formatOfGraph(analysis.graph);
  return format && !format.edits ? format.displayName : undefined;
}

export class DiagramWebview implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private readonly inputShapes = new PanelInputShapes();

  constructor(
    context: vscode.ExtensionContext,
    private readonly panel: vscode.WebviewPanel,
    private readonly model: DiagramModel,
    onMessage?: (message: WebviewMessage) => void,
  ) {
    const webview = panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...path)).toString();
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')] };
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: asset('dist', 'webview.js'),
      workerUri: asset('dist', 'layout-worker.js'),
      runWorkerUri: asset('dist', 'run-worker.js'),
      cssUri: asset('media', 'webview.css'),
    });

    const uri = model.uri.toString();
    // Runs on the local GPU when cnnLens.backend is webgpu or webgl (webview-run.ts).
    const runner = new DiagramRunner(panel);
    this.subscriptions = [
      registerDiagramRunner(model.uri, runner),
      onDidKeepResult((r) => {
        if (r.uri === uri) this.post(r.message);
      }),
      onDidRequestLayer((r) => {
        if (r.uri === uri) this.post({ type: 'select', node: r.node });
      }),
      webview.onDidReceiveMessage((message: WebviewMessage) => {
        runner.receive(message);
        if (message.type === 'ready') {
          // Before the model, so that the first layout is fitted to the room the inspector leaves.
          const inspector = inspectorLayout(context.workspaceState.get(INSPECTOR_KEY));
          if (inspector) this.post({ type: 'panelLayout', inspector });
          // The op palette only where the format can be edited: without it the webview offers no editing.
          const analysis = model.analysis();
          const vocabulary = analysis && !nothingToDraw(analysis) && formatOfGraph(analysis.graph)?.edits?.vocabulary;
          if (vocabulary) this.post({ type: 'catalog', ops: opCatalog(vocabulary) });
          this.sendModel();
          // Runs made before this diagram opened (or while it was closed): their thumbnails and overlay.
          for (const result of lastResults(model.uri)) this.post(result);
        }
        if (message.type === 'panelLayout') {
          const inspector = inspectorLayout(message.inspector);
          if (inspector) void context.workspaceState.update(INSPECTOR_KEY, inspector);
        }
        if (message.type === 'export') void saveExport(model.uri, message);
        if (message.type === 'analyzeAt') {
          this.inputShapes.set(message.inputShape);
          this.sendModel();
        }
        onMessage?.(message);
      }),
    ];
    panel.onDidDispose(() => this.dispose());
  }

  post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  /**
   * Sends the current report (never the raw file), with the format's read-only state: at this
   * panel's input shapes where the user set some (the status bar and summary stay on the file's own).
   */
  sendModel(): void {
    const file = this.model.analysis();
    if (!file) return;
    if (nothingToDraw(file)) this.tellOnce(file);
    const analysis = this.inputShapes.applyTo(file);
    const analyzedAt = this.inputShapes.current;
    this.post({ type: 'model', version: PROTOCOL_VERSION, uri: this.model.uri.toString(), report: buildReport(analysis), readOnly: readOnlyFormat(analysis), ...(analyzedAt ? { analyzedAt } : {}) });
  }

  private told = false;

  /** Says why there is no drawing in a notification too, once per panel (the diagram shows the same words). */
  private tellOnce(analysis: Analysis): void {
    if (this.told) return;
    this.told = true;
    const message = analysis.diagnostics.find((d) => d.severity === 'error')!.message;
    void notify('warning', `CNN Lens: ${message.replace(/`/g, '')}`);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}

/** Saves an exported SVG or PNG next to the model, where the user chooses. */
async function saveExport(model: vscode.Uri, message: Extract<WebviewMessage, { type: 'export' }>): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(model, '..', message.fileName),
    filters: message.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
  });
  if (!target) return;
  const bytes = message.format === 'svg' ? Buffer.from(message.data, 'utf8') : Buffer.from(message.data.replace(/^data:image\/png;base64,/, ''), 'base64');
  await vscode.workspace.fs.writeFile(target, bytes);
  void notify('info', `CNN Lens: diagram saved to ${vscode.workspace.asRelativePath(target)}.`);
}

/** Where the inspector sits (hidden, width, sheet height), one value for every diagram of the workspace. */
const INSPECTOR_KEY = 'cnnLens.diagram.inspector';

/** A fresh, unguessable nonce per webview for the Content Security Policy. */
const nonce = (): string => randomBytes(18).toString('base64url');
