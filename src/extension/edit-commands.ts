import * as vscode from 'vscode';
import { notify, registerGuardedCommand } from './notify';
import { blockOfLayer } from '../core/edit/block';
import { planEdit } from '../core/edit/plan';
import { EditError, type ModelEdit, type PlannedEdit } from '../core/edit/types';
import { nodeAtOffset } from '../core/analysis/describe';
import type { ModelStore } from './model-store';

// Every edit kind as a command taking the document URI, the layer and the arguments, so keyboard
// users, other extensions, tests and the diagram drive the same machinery. Each edit is one
// WorkspaceEdit on the text: VS Code's undo, dirty state and save stay in step.

export interface EditOutcome {
  readonly ok: boolean;
  readonly message?: string;
  readonly focus?: string;
  readonly problems?: readonly string[];
}

/** Plans one edit on the document as it is now, or says why it is refused. */
function planOn(store: ModelStore, document: vscode.TextDocument, edit: ModelEdit): PlannedEdit | EditOutcome {
  const analysis = store.get(document);
  if (!analysis) {
    const name = vscode.workspace.asRelativePath(document.uri);
    // (a big model's analysis of this version may still be under way in the worker)
    return { ok: false, message: store.isModel(document) ? `${name} is still being analysed: try again when its totals show` : `${name} is not a Keras or TF.js model` };
  }
  try {
    return planEdit(document.getText(), document.fileName, edit, analysis);
  } catch (e) {
    if (e instanceof EditError) return { ok: false, message: e.message };
    throw e;
  }
}

/** Would this edit be applied? The same planning as `applyModelEdit`, nothing changed (the diagram asks while the user drags). */
export function checkModelEdit(store: ModelStore, document: vscode.TextDocument, edit: ModelEdit): EditOutcome {
  const planned = planOn(store, document, edit);
  return 'ok' in planned ? planned : { ok: true, focus: planned.focus, problems: planned.newProblems.map((p) => p.message) };
}

/** Plans and applies one edit; a refused edit leaves the document untouched and says why. */
export async function applyModelEdit(store: ModelStore, document: vscode.TextDocument, edit: ModelEdit): Promise<EditOutcome> {
  const planned = planOn(store, document, edit);
  if ('ok' in planned) return planned;
  const workspaceEdit = new vscode.WorkspaceEdit();
  for (const e of planned.edits) {
    workspaceEdit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
  }
  if (!(await vscode.workspace.applyEdit(workspaceEdit))) return { ok: false, message: 'VS Code did not apply the edit (is the file read-only?)' };
  store.refresh(document);
  return { ok: true, focus: planned.focus, problems: planned.newProblems.map((p) => p.message) };
}

async function documentFor(uri: unknown): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri || typeof uri === 'string') return vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
  return vscode.window.activeTextEditor?.document;
}

/** The layer the user means: the argument, or the one under the cursor. */
function layerAt(store: ModelStore, document: vscode.TextDocument, layer: unknown): string | undefined {
  if (typeof layer === 'string') return layer;
  const editor = vscode.window.activeTextEditor;
  const analysis = store.get(document);
  return editor?.document === document && analysis ? nodeAtOffset(analysis, document.offsetAt(editor.selection.active))?.id : undefined;
}

const ask = (prompt: string, value?: string) => vscode.window.showInputBox({ prompt, value, ignoreFocusOut: true });

/** Parses what a user typed for an attribute: JSON when it is JSON (3, [3, 3], true, "same"), else the text. */
function typedValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Builder = (store: ModelStore, document: vscode.TextDocument, args: unknown[]) => Promise<ModelEdit | undefined>;

const COMMANDS: Readonly<Record<string, Builder>> = {
  'cnnLens.edit.setAttribute': async (store, doc, [layer, attr, value]) => {
    const id = layerAt(store, doc, layer);
    const name = typeof attr === 'string' ? attr : id && (await ask(`Attribute of ${id} to change (e.g. filters, kernelSize, strides)`));
    const typed = value === undefined && name ? await ask(`New value of ${name} (JSON: 64, [3, 3], "same", true)`) : undefined;
    const v = value !== undefined ? value : typed !== undefined ? typedValue(typed) : undefined;
    return id && name && v !== undefined ? ({ kind: 'setAttribute', layer: id, attr: name, value: v } as ModelEdit) : undefined;
  },
  'cnnLens.edit.insertLayer': async (store, doc, [anchor, op, position, attrs, name]) => {
    const id = layerAt(store, doc, anchor);
    const kind = typeof op === 'string' ? op : id && (await ask(`Layer kind to insert after ${id} (e.g. BatchNormalization, Conv2D, Dropout)`));
    return id && kind ? { kind: 'insertLayer', anchor: id, op: kind, position: position === 'before' ? 'before' : 'after', attrs: attrs as never, name: name as string | undefined } : undefined;
  },
  'cnnLens.edit.deleteLayer': async (store, doc, [layer]) => {
    const id = layerAt(store, doc, layer);
    return id ? { kind: 'deleteLayer', layer: id } : undefined;
  },
  'cnnLens.edit.duplicateLayer': async (store, doc, [layer]) => {
    const id = layerAt(store, doc, layer);
    return id ? { kind: 'duplicateLayer', layer: id } : undefined;
  },
  'cnnLens.edit.duplicateBlock': async (store, doc, [block]) => {
    if (typeof block === 'string') return { kind: 'duplicateBlock', block };
    const layer = layerAt(store, doc, undefined);
    const graph = store.get(doc)?.graph;
    const name = await ask('Block to duplicate (e.g. conv2_block2, inception_4b; its output shape must equal its input shape)', layer && graph ? blockOfLayer(graph, layer) : undefined);
    return name ? { kind: 'duplicateBlock', block: name } : undefined;
  },
  'cnnLens.edit.renameLayer': async (store, doc, [layer, newName]) => {
    const id = layerAt(store, doc, layer);
    const name = typeof newName === 'string' ? newName : id && (await ask(`New name for ${id}`, id.split('/').pop()));
    return id && name ? { kind: 'renameLayer', layer: id, newName: name } : undefined;
  },
  'cnnLens.edit.connect': async (store, doc, [layer, input, from]) => {
    const id = layerAt(store, doc, layer);
    const source = typeof from === 'string' ? from : id && (await ask(`Layer whose output feeds ${id}`));
    return id && source ? { kind: 'connect', layer: id, input: typeof input === 'number' ? input : 0, from: source } : undefined;
  },
  'cnnLens.edit.scaleWidth': async (_store, _doc, [factor]) => {
    const typed = typeof factor === 'number' ? undefined : await ask('Width multiplier α (e.g. 0.5: every layer half as wide, the classifier kept)', '0.5');
    const value = typeof factor === 'number' ? factor : typed === undefined ? undefined : Number(typed);
    return value === undefined ? undefined : { kind: 'scaleWidth', factor: value };
  },
  'cnnLens.edit.setInputShape': async (_store, _doc, [shape, layer]) => {
    const text = Array.isArray(shape) ? undefined : await ask('Input shape, batch first (e.g. 1,160,160,3)');
    const dims = Array.isArray(shape) ? shape : text?.split(',').map((d) => (/none|null|\?/i.test(d) ? null : Number(d)));
    return dims ? { kind: 'setInputShape', shape: dims as number[], layer: layer as string | undefined } : undefined;
  },
};

export function registerEditCommands(store: ModelStore): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([command, build]) =>
    registerGuardedCommand(command, async (uri?: unknown, ...args: unknown[]): Promise<EditOutcome | undefined> => {
      const document = await documentFor(uri);
      if (!document) {
        void notify('warning', 'CNN Lens: open a model file first.');
        return undefined;
      }
      const edit = await build(store, document, args);
      if (!edit) return undefined;
      const outcome = await applyModelEdit(store, document, edit);
      if (!outcome.ok) void notify('error', `CNN Lens: ${edit.kind} refused: ${outcome.message}`);
      else if (outcome.problems?.length) void notify('warning', `CNN Lens: the edit breaks ${outcome.problems.length} layer(s) downstream: ${outcome.problems[0]}${outcome.problems.length > 1 ? ' …' : ''} (Undo restores the file.)`);
      return outcome;
    }),
  );
}
