import * as vscode from 'vscode';
import { notify } from './notify';
import { analyze, type Analysis } from '../core';
import { FORMATS, parseSourceWithFiles } from '../core/formats/registry';
import { unreadBinaryExtensions } from '../core/formats/unread';
import { yieldToEventLoop } from '../core/runtime/yield';
import { Superseded, type AnalysisWorker } from '../node/analysis/analysis-worker';
import { readWorkspaceFile, workspaceSource } from './workspace-source';

// A binary model file (ONNX, …) as the read-only custom editor holds it: its bytes read through
// workspace.fs, parsed and analysed off the critical path, and analysed again when the file changes
// on disk. VS Code shares one document between the editors open on the same file.

/** Writers (exporters, copies) write in pieces: wait for the file to settle before reading it again. */
const RELOAD_SETTLE_MS = 300;

/** Binary name endings: the binary formats', and those of formats not read yet (the diagram says what to do with them). */
const BINARY_ENDINGS = [...FORMATS.filter((f) => f.binary).flatMap((f) => f.extensions), ...unreadBinaryExtensions(FORMATS)];

/** True when the file's name ends like a binary format's files: such files open without a text document. */
export const isBinaryModelName = (uri: vscode.Uri): boolean => {
  const path = uri.path.toLowerCase();
  return BINARY_ENDINGS.some((e) => path.endsWith(e));
};

/**
 * Reads, parses and analyses a binary model file: in the analysis worker when there is one (off the
 * host's main thread), else here, synchronously, the event loop getting a turn before each step so
 * that the host answers pending messages between them. `key`: a newer request with the same key
 * supersedes this one (the document's loads share its URI).
 */
export async function analyzeBinaryModel(uri: vscode.Uri, worker?: AnalysisWorker, key = uri.toString()): Promise<Analysis> {
  const bytes = await readWorkspaceFile(uri, 'model');
  if (worker) return worker.analyze(key, { name: vscode.workspace.asRelativePath(uri, false), bytes });
  await yieldToEventLoop();
  const graph = await parseSourceWithFiles(workspaceSource(uri, bytes));
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
  static async open(uri: vscode.Uri, worker?: AnalysisWorker): Promise<BinaryModelDocument> {
    return new BinaryModelDocument(uri, await analyzeBinaryModel(uri, worker), worker);
  }

  private constructor(
    readonly uri: vscode.Uri,
    private current: Analysis,
    private readonly worker: AnalysisWorker | undefined,
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
      const analysis = await analyzeBinaryModel(this.uri, this.worker);
      if (generation !== this.generation) return;
      this.current = analysis;
      this.loaded.fire(analysis);
    } catch (e) {
      if (e instanceof Superseded) return; // a newer load of the same file is under way
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
