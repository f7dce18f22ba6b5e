import * as vscode from 'vscode';
import { analyzeText, type Analysis } from '../core';
import { looksLikeKerasModel } from '../core/formats/keras/parse';

// The host's truth about open model files: one analysis per document version, recomputed
// (debounced) as the user types, announced to the features that draw from it.

const DEBOUNCE_MS = 250;

export interface Analysed {
  readonly document: vscode.TextDocument;
  readonly analysis: Analysis;
}

export class ModelStore implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; analysis: Analysis }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
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

  /** True for JSON documents whose content is a Keras or TF.js layers model. */
  isModel(document: vscode.TextDocument): boolean {
    return ['json', 'jsonc'].includes(document.languageId) && looksLikeKerasModel(document.getText());
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

  /** Analyses now and tells listeners. */
  refresh(document: vscode.TextDocument): void {
    const analysis = this.get(document);
    if (analysis) this.changed.fire({ document, analysis });
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
