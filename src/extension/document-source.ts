import type * as vscode from 'vscode';
import { textSource, type ModelSource } from '../core/formats/source';
import { siblingsOf } from '../node/file-source';

/**
 * An open text document as a model source: its text as the editor holds it (unsaved edits
 * included), its siblings (weight files, shards) read from the disk next to it with the file guards.
 * Local files only, for now (src/node); a workspace.fs source would serve remote ones.
 */
export const documentSource = (document: vscode.TextDocument): ModelSource => textSource(document.uri.fsPath, document.getText(), siblingsOf(document.uri.fsPath));
