import * as vscode from 'vscode';
import { notify } from './notify';
import type { Analysis } from '../core';
import type { ModelSource } from '../core/formats/source';
import { documentSource } from './document-source';
import type { ModelStore } from './model-store';
import { readWorkspaceFile, workspaceSource } from './workspace-source';

// The model a run or a profile is about: a text model (Keras / TF.js JSON, unsaved edits included)
// or a binary one (ONNX, in the read-only custom editor), with what a run needs from either.

export interface RunTarget {
  readonly uri: vscode.Uri;
  readonly analysis: Analysis;
  /** The text document, for text formats; binary models have none. */
  readonly document?: vscode.TextDocument;
  /** Names this model's version: caches (weights, the exported model, its session) are per key. */
  readonly key: string;
  /** The model file as a source: the text as the editor holds it, or the binary file's bytes. */
  readonly source: () => Promise<ModelSource>;
}

/** Each analysis's number: a text document is analysed once per version, a binary file once per change on disk. */
const analysisIds = new WeakMap<Analysis, number>();
let nextId = 0;
const analysisId = (analysis: Analysis): number => {
  let id = analysisIds.get(analysis);
  if (id === undefined) analysisIds.set(analysis, (id = nextId++));
  return id;
};

export function runTarget(uri: vscode.Uri, analysis: Analysis, document?: vscode.TextDocument): RunTarget {
  return {
    uri,
    analysis,
    document,
    key: `${uri.toString()}#${analysisId(analysis)}`,
    source: async () => (document ? documentSource(document) : workspaceSource(uri, await readWorkspaceFile(uri, 'model'))),
  };
}

/** The model the user means: the argument, the active editor's, or the active diagram's (text or binary). */
export async function targetModel(store: ModelStore, uri: unknown): Promise<RunTarget | undefined> {
  let target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!target && input instanceof vscode.TabInputCustom) target = input.uri;
  const name = target && vscode.workspace.asRelativePath(target);
  const analysis = target && (await store.analysisOf(target).catch(() => undefined));
  if (!target || !analysis) {
    void notify('warning', `CNN Lens: ${target ? `${name} is not a model file CNN Lens reads` : 'open a model file first'}.`);
    return undefined;
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    void notify('error', `CNN Lens: ${name} has errors and cannot run: ${errors[0].message}`);
    return undefined;
  }
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  return runTarget(target, analysis, document);
}
