import * as vscode from 'vscode';
import { analyzeText, type Analysis } from '../core';
import { FORMATS } from '../core/formats/registry';
import { textSource } from '../core/formats/source';
import { analyzeBinaryModel, isBinaryModelName, type BinaryModelDocument } from './binary-model';

// The host's truth about open model files, keyed by URI: text documents (Keras / TF.js JSON), one
// analysis per document version, recomputed (debounced) as the user types; and binary documents
// (ONNX, …) held by the read-only custom editor, analysed again when the file changes on disk.
// Both kinds are announced to the features that draw from them.

const DEBOUNCE_MS = 250;

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
  private readonly changed = new vscode.EventEmitter<Analysed>();
  private readonly closed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a model document was (re)analysed. */
  readonly onDidAnalyze = this.changed.event;
  /** Fires when a model document is closed. */
  readonly onDidClose = this.closed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cache.delete(d.uri.toString());
        this.closed.fire(d.uri);
      }),
      this.changed,
      this.closed,
    ];
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  /** True for documents whose content a text format of the registry reads (Keras / TF.js JSON, Caffe prototxt). */
  isModel(document: vscode.TextDocument): boolean {
    if (!['json', 'jsonc', 'prototxt'].includes(document.languageId)) return false;
    const source = textSource(document.fileName, document.getText());
    return FORMATS.some((f) => !f.binary && f.detect(source));
  }

  /** The current analysis, computed now if the cached one is stale; undefined for non-models. */
  get(document: vscode.TextDocument): Analysis | undefined {
    if (!this.isModel(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.analysis;
    const analysis = analyzeText(document.getText(), document.fileName);
    this.cache.set(key, { version: document.version, analysis });
    return analysis;
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
    if (isBinaryModelName(uri)) return analyzeBinaryModel(uri);
    return this.get(await vscode.workspace.openTextDocument(uri));
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
    for (const s of this.subscriptions) s.dispose();
  }
}
