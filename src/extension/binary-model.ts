import * as vscode from 'vscode';
import { notify } from './notify';
import { analyze, type Analysis } from '../core';
import { FORMATS, parseSource } from '../core/formats/registry';
import { yieldToEventLoop } from '../core/runtime/yield';
import { readWorkspaceFile, workspaceSource } from './workspace-source';

// A binary model file (ONNX, …) as the read-only custom editor holds it: its bytes read through
// workspace.fs, parsed and analysed off the critical path, and analysed again when the file changes
// on disk. VS Code shares one document between the editors open on the same file.

/** Writers (exporters, copies) write in pieces: wait for the file to settle before reading it again. */
const RELOAD_SETTLE_MS = 300;

/** True when the file's name ends like a binary format's files: such files open without a text document. */
export const isBinaryModelName = (uri: vscode.Uri): boolean => {
  const path = uri.path.toLowerCase();
  return FORMATS.some((f) => f.binary && f.extensions.some((e) => path.endsWith(e)));
};

/**
 * Reads, parses and analyses a binary model file. The parse and the analysis are synchronous: the
 * event loop gets a turn before each, so the host answers pending messages between the steps.
 */
export async function analyzeBinaryModel(uri: vscode.Uri): Promise<Analysis> {
  const bytes = await readWorkspaceFile(uri, 'model');
  await yieldToEventLoop();
  const graph = parseSource(workspaceSource(uri, bytes));
  await yieldToEventLoop();
  return analyze(graph);
}

export class BinaryModelDocument implements vscode.CustomDocument {
  private readonly loaded = new vscode.EventEmitter<Analysis>();
  /** Fires after the file was analysed again (it changed on disk). */
  readonly onDidLoad = this.loaded.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  /** Fires when VS Code disposes of the document (its last editor closed). */
  readonly onDidDispose = this.disposed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private settle: NodeJS.Timeout | undefined;
  /** Loads started; a load that finishes after a newer one started is dropped. */
  private generation = 0;

  /** Opens the document once its first analysis is ready (a file that cannot be read rejects: VS Code shows why). */
  static async open(uri: vscode.Uri): Promise<BinaryModelDocument> {
    return new BinaryModelDocument(uri, await analyzeBinaryModel(uri));
  }

  private constructor(
    readonly uri: vscode.Uri,
    private current: Analysis,
  ) {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name));
    const changed = () => this.scheduleReload();
    this.watcher.onDidChange(changed);
    this.watcher.onDidCreate(changed);
  }

  get analysis(): Analysis {
    return this.current;
  }

  private scheduleReload(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => void this.reload(), RELOAD_SETTLE_MS);
  }

  /** Analyses the file again; a file that cannot be read now keeps the last analysis and says why. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    try {
      const analysis = await analyzeBinaryModel(this.uri);
      if (generation !== this.generation) return;
      this.current = analysis;
      this.loaded.fire(analysis);
    } catch (e) {
      if (generation === this.generation) void notify('warning', `CNN Lens: could not read ${vscode.workspace.asRelativePath(this.uri)} again: ${(e as Error).message}`, e);
    }
  }

  dispose(): void {
    clearTimeout(this.settle);
    this.generation++;
    this.watcher.dispose();
    this.loaded.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }
}
