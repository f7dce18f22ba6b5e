import * as vscode from 'vscode';
import { analyze, analyzeText, type Analysis } from '../core';
import { FORMATS, formatOfGraph, parseSourceWithFiles } from '../core/formats/registry';
import { textSource } from '../core/formats/source';
import { Superseded, type AnalysisWorker } from '../node/analysis/analysis-worker';
import { analyzeBinaryModel, isBinaryModelName, type BinaryModelDocument } from './binary-model';
import { notify } from './notify';
import { workspaceSource } from './workspace-source';

// The host's truth about open model files, keyed by URI: text documents (Keras / TF.js JSON), one
// analysis per document version, recomputed (debounced) as the user types; and binary documents
// (ONNX, …) held by the read-only custom editor, analysed again when the file changes on disk.
// Both kinds are announced to the features that draw from them.
//
// Big text models are analysed in the analysis worker (src/node/analysis), off the extension host's
// main thread, so that a model that takes seconds freezes no extension of the window: until its
// answer comes, `get` has nothing for that version (the features draw again on onDidAnalyze), and a
// newer version supersedes the analysis under way. Small ones (the zoo's take milliseconds) are
// analysed at once, so that edits and hovers read the version they act on.

const DEBOUNCE_MS = 250;
/** Text models from this size (characters) on are analysed in the worker. */
export const WORKER_FROM_CHARS = 512 * 1024;
/** An analysis that takes longer than this shows progress in the status bar. */
const PROGRESS_AFTER_MS = 1000;

export interface Analysed {
  readonly uri: vscode.Uri;
  readonly analysis: Analysis;
  /** The text document, for text formats; binary models have none. */
  readonly document?: vscode.TextDocument;
}

export class ModelStore implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; analysis: Analysis }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly binaries = new Map<string, BinaryModelDocument>();
  /** Worker analyses under way, by URI: the version asked for and its answer. */
  private oneOff = 0;
  private readonly kinds = new Map<string, { version: number; model: boolean; big: boolean }>();
  /** The version whose worker analysis failed, by URI (not asked again). */
  private readonly failed = new Map<string, number>();
  private readonly pending = new Map<string, { version: number; analysis: Promise<Analysis | undefined> }>();
  private readonly changed = new vscode.EventEmitter<Analysed>();
  private readonly closed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a model document was (re)analysed. */
  readonly onDidAnalyze = this.changed.event;
  /** Fires when a model document is closed. */
  readonly onDidClose = this.closed.event;
  private readonly subscriptions: vscode.Disposable[];

  /** `worker`: where big models are analysed; without one, every analysis runs here. */
  constructor(readonly worker?: AnalysisWorker) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cache.delete(d.uri.toString());
        this.pending.delete(d.uri.toString());
        this.kinds.delete(d.uri.toString());
        this.failed.delete(d.uri.toString());
        this.worker?.cancel(d.uri.toString());
        this.closed.fire(d.uri);
      }),
      this.changed,
      this.closed,
    ];
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  /** True for documents whose content a text format of the registry reads (Keras / TF.js JSON, TF.js graph models, Caffe prototxt). */
  isModel(document: vscode.TextDocument): boolean {
    return this.kind(document).model;
  }

  /**
   * What a version of a document is, asked once: the providers ask on every request, and getText()
   * builds the whole text each time (megabytes, for the models that go to the worker).
   */
  private kind(document: vscode.TextDocument): { model: boolean; big: boolean } {
    const key = document.uri.toString();
    const known = this.kinds.get(key);
    if (known?.version === document.version) return known;
    const textFormat = ['json', 'jsonc', 'prototxt'].includes(document.languageId);
    const text = textFormat ? document.getText() : '';
    const source = textSource(document.fileName, text);
    const model = textFormat && FORMATS.some((f) => !f.binary && f.detect(source));
    const kind = { version: document.version, model, big: text.length >= WORKER_FROM_CHARS };
    this.kinds.set(key, kind);
    return kind;
  }

  /**
   * The analysis of the document as it is now, computed now if the cached one is stale; undefined for
   * non-models, and for a big model while the worker analyses this version (see `ready`).
   */
  get(document: vscode.TextDocument): Analysis | undefined {
    if (!this.isModel(document)) return undefined;
    const cached = this.cache.get(document.uri.toString());
    if (cached?.version === document.version) return cached.analysis;
    if (this.inWorker(document)) {
      // (While typing, the debounced refresh asks for the version that stays, not for every keystroke.)
      if (!this.timers.has(document.uri.toString())) void this.analyseInWorker(document);
      return undefined;
    }
    const analysis = analyzeText(document.getText(), document.fileName);
    this.cache.set(document.uri.toString(), { version: document.version, analysis });
    this.withFilesLater(document, analysis);
    return analysis;
  }

  /** The analysis of the document as it is now, waiting for the worker if it has it. */
  async ready(document: vscode.TextDocument): Promise<Analysis | undefined> {
    for (;;) {
      const now = this.get(document);
      if (now || !this.isModel(document)) return now;
      const version = document.version;
      const answer = await this.analyseInWorker(document);
      if (document.isClosed) return undefined;
      // Undefined for this version: the worker failed (and said so). A newer version: wait for that one.
      if (document.version === version) return answer;
    }
  }

  private inWorker(document: vscode.TextDocument): boolean {
    return this.worker !== undefined && this.kind(document).big;
  }

  /**
   * Asks the worker for this version (once), announces the answer if it is still current, and shows
   * progress when it takes a while. Undefined when superseded or when the worker failed (said once).
   */
  private analyseInWorker(document: vscode.TextDocument): Promise<Analysis | undefined> {
    const key = document.uri.toString();
    const version = document.version;
    const under = this.pending.get(key);
    if (under?.version === version) return under.analysis;
    if (this.failed.get(key) === version) return Promise.resolve(undefined); // said once; the next edit tries again
    const started = this.worker!.analyze(key, { name: document.fileName, text: document.getText() });
    const analysis = started.then(
      (a) => {
        if (this.pending.get(key)?.version === version) this.pending.delete(key);
        if (document.isClosed || document.version !== version) return undefined;
        this.cache.set(key, { version, analysis: a });
        this.changed.fire({ uri: document.uri, analysis: a, document });
        this.withFilesLater(document, a);
        return a;
      },
      (e: Error) => {
        if (this.pending.get(key)?.version === version) this.pending.delete(key);
        if (e instanceof Superseded) return undefined;
        this.failed.set(key, version);
        void notify('error', `CNN Lens: could not analyse ${vscode.workspace.asRelativePath(document.uri)}: ${e.message}`, e);
        return undefined;
      },
    );
    this.pending.set(key, { version, analysis });
    const progress = setTimeout(() => {
      const title = `CNN Lens: analysing ${vscode.workspace.asRelativePath(document.uri)}`;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => analysis);
    }, PROGRESS_AFTER_MS);
    void analysis.finally(() => clearTimeout(progress));
    return analysis;
  }

  private withFilesLater(document: vscode.TextDocument, analysis: Analysis): void {
    if (formatOfGraph(analysis.graph)?.parseWithFiles) void this.analyzeWithFiles(document);
  }

  /**
   * Formats whose graph needs the files next to it (a TF.js graph model's shards hold its Reshape
   * shapes) are analysed again with them, off the critical path; the result replaces the text-only
   * analysis of the same version and is announced.
   */
  private async analyzeWithFiles(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const version = document.version;
    try {
      const graph = await parseSourceWithFiles(workspaceSource(document.uri, new TextEncoder().encode(document.getText())));
      if (document.isClosed || this.cache.get(key)?.version !== version) return;
      const analysis = analyze(graph);
      this.cache.set(key, { version, analysis });
      this.changed.fire({ uri: document.uri, analysis, document });
    } catch (e) {
      void notify('warning', `CNN Lens: could not read the files next to ${vscode.workspace.asRelativePath(document.uri)}: ${(e as Error).message}`, e);
    }
  }

  /** The analysis of an open model (a text document or a binary one in the custom editor), if any. */
  current(uri: vscode.Uri): Analysis | undefined {
    const key = uri.toString();
    const binary = this.binaries.get(key);
    if (binary) return binary.analysis;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    return document && this.get(document);
  }

  /**
   * The analysis of the model file at `uri`, open or not. Binary files are read as bytes, never as
   * a text document (VS Code would refuse them, or decode megabytes of weights as text).
   */
  async analysisOf(uri: vscode.Uri): Promise<Analysis | undefined> {
    const open = this.current(uri);
    if (open) return open;
    // (its own key: a one-off question supersedes no document's load, nor is superseded by one)
    if (isBinaryModelName(uri)) return analyzeBinaryModel(uri, this.worker, `${uri.toString()}#${++this.oneOff}`);
    return this.ready(await vscode.workspace.openTextDocument(uri));
  }

  /** Holds a binary document the custom editor opened, until VS Code disposes of it. */
  addBinary(document: BinaryModelDocument): void {
    const key = document.uri.toString();
    this.binaries.set(key, document);
    const announce = (analysis: Analysis) => this.changed.fire({ uri: document.uri, analysis });
    const reloaded = document.onDidLoad(announce);
    document.onDidDispose(() => {
      reloaded.dispose();
      if (this.binaries.get(key) !== document) return;
      this.binaries.delete(key);
      this.closed.fire(document.uri);
    });
    announce(document.analysis);
  }

  /** Analyses now and tells listeners. */
  refresh(document: vscode.TextDocument): void {
    const analysis = this.get(document);
    if (analysis) this.changed.fire({ uri: document.uri, analysis, document });
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.refresh(document);
    }, DEBOUNCE_MS));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.worker?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
