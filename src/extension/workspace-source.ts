import * as vscode from 'vscode';
import { READ_LIMITS, tooLargeReason, type FileKind } from '../core/formats/limits';
import { bytesSource, SourceError, siblingNameProblem, type ModelSource, type SiblingFile } from '../core/formats/source';

// A model file read through vscode.workspace.fs, so it opens wherever the workspace lives (local,
// Remote-SSH, WSL, code-server, virtual file systems). A model file is untrusted input: the files
// it names next to itself (external data, shards) are read with the guards every host applies.

/**
 * A file the user opened or chose (a model, an image), read through workspace.fs: a file (not a
 * folder; workspace.fs shows no FIFOs or devices as files), its size checked against its kind's cap first.
 */
export async function readWorkspaceFile(uri: vscode.Uri, kind: FileKind): Promise<Uint8Array> {
  const name = vscode.workspace.asRelativePath(uri);
  const stat = await vscode.workspace.fs.stat(uri);
  if (!(stat.type & vscode.FileType.File)) throw new SourceError(name, 'is not a regular file; CNN Lens reads only regular files');
  if (stat.size > READ_LIMITS[kind].bytes) throw new SourceError(name, tooLargeReason(stat.size, kind));
  const data = await vscode.workspace.fs.readFile(uri);
  if (data.length > READ_LIMITS[kind].bytes) throw new SourceError(name, tooLargeReason(data.length, kind));
  return data;
}

/** The model file at `uri`, whose bytes were read already. */
export function workspaceSource(uri: vscode.Uri, bytes: Uint8Array): ModelSource {
  return bytesSource(vscode.workspace.asRelativePath(uri, false), bytes, (relativeName) => openSibling(uri, relativeName));
}

/** A file next to the model: named relative to its folder, inside it, a regular file (no link), read within its size. */
async function openSibling(model: vscode.Uri, relativeName: string): Promise<SiblingFile> {
  const problem = siblingNameProblem(relativeName);
  if (problem) throw new SourceError(relativeName, problem);
  const folder = vscode.Uri.joinPath(model, '..');
  const target = vscode.Uri.joinPath(folder, relativeName);
  // joinPath normalises; the name check above already refused `..`, this is the check that matters.
  if (!target.path.startsWith(folder.path.endsWith('/') ? folder.path : `${folder.path}/`)) throw new SourceError(relativeName, 'the name leaves the model\u2019s folder');
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(target);
  } catch (e) {
    const missing = e instanceof vscode.FileSystemError && e.code === 'FileNotFound';
    throw new SourceError(relativeName, missing ? 'no such file next to the model' : (e as Error).message, missing);
  }
  // workspace.fs follows links and marks them: a link to a file is File | SymbolicLink.
  if (stat.type & vscode.FileType.SymbolicLink) throw new SourceError(relativeName, 'is a symbolic link; CNN Lens reads only regular files next to the model');
  if (stat.type !== vscode.FileType.File) throw new SourceError(relativeName, 'is not a regular file');
  const size = stat.size;
  let whole: Promise<Uint8Array> | undefined;
  return {
    name: relativeName,
    size,
    async read(offset = 0, length = size - offset) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new SourceError(relativeName, `bytes ${offset}..${offset + length} are outside the file (${size} bytes)`);
      }
      // workspace.fs reads whole files into one buffer: refuse what the weights cap does not allow rather than fail halfway.
      if (size > READ_LIMITS.weights.bytes) throw new SourceError(relativeName, tooLargeReason(size, 'weights'));
      // workspace.fs has no ranged read: read the file once, then serve every range from it.
      const data = await (whole ??= Promise.resolve(vscode.workspace.fs.readFile(target)));
      if (data.length !== size) throw new SourceError(relativeName, 'changed while it was being read');
      return data.subarray(offset, offset + length);
    },
  };
}
