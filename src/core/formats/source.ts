// What a format reads from: the model file's bytes and text, and the files next to it (external
// data, weight shards, a weights file). The CLI and the extension provide it (src/node, and
// workspace.fs in the extension); core does no file I/O of its own, so the same parsers run in
// the extension host, the CLI, workers and tests.

export interface ModelSource {
  /** The file's name as the user knows it (a path relative to the workspace or the command's folder). */
  readonly name: string;
  /** The whole file. */
  bytes(): Uint8Array;
  /** The file as UTF-8 text. */
  text(): string;
  /**
   * A file next to the model, named relative to the model's folder. Hosts refuse names that leave
   * the folder (`..`, absolute paths), links and anything that is not a regular file: the promise
   * rejects with a SourceError that says why.
   */
  sibling(relativeName: string): Promise<SiblingFile>;
}

export interface SiblingFile {
  readonly name: string;
  /** Size in bytes, known before anything is read, so declared sizes can be checked first. */
  readonly size: number;
  /** `length` bytes from `offset` (default: the whole file). */
  read(offset?: number, length?: number): Promise<Uint8Array>;
}

/** A sibling that cannot be read: missing, outside the model's folder, not a regular file, too large. */
export class SourceError extends Error {
  /** `missing`: the file does not exist, which callers looking for optional siblings may pass over; anything else is refused. */
  constructor(readonly file: string, readonly reason: string, readonly missing = false) {
    super(`${file}: ${reason}`);
    this.name = 'SourceError';
  }
}

/**
 * Why a sibling name may not be read, or undefined when it may: the check every host applies
 * before it touches the disk (a model file is untrusted input).
 */
export function siblingNameProblem(relativeName: string): string | undefined {
  if (relativeName === '') return 'the name is empty';
  if (relativeName.includes('\0')) return 'the name contains a NUL character';
  if (/^([A-Za-z]:)?[\\/]/.test(relativeName)) return 'the name is an absolute path; files next to the model are named relative to its folder';
  const parts = relativeName.split(/[\\/]+/);
  if (parts.includes('..')) return 'the name leaves the model\u2019s folder (..)';
  return undefined;
}

const utf8 = new TextDecoder('utf-8');

/** A source over text held in memory (an open editor's document, a test's fixture). */
export function textSource(name: string, text: string, sibling?: ModelSource['sibling']): ModelSource {
  let bytes: Uint8Array | undefined;
  return {
    name,
    bytes: () => (bytes ??= new TextEncoder().encode(text)),
    text: () => text,
    sibling: sibling ?? ((rel) => Promise.reject(new SourceError(rel, 'no files next to an in-memory model'))),
  };
}

/** A source over bytes held in memory (a binary document read through workspace.fs, a test's fixture). */
export function bytesSource(name: string, data: Uint8Array, sibling?: ModelSource['sibling']): ModelSource {
  let text: string | undefined;
  return {
    name,
    bytes: () => data,
    text: () => (text ??= utf8.decode(data)),
    sibling: sibling ?? ((rel) => Promise.reject(new SourceError(rel, 'no files next to an in-memory model'))),
  };
}

/** The last part of a file name (`models/vgg16.json` → `vgg16.json`), for messages; core has no node:path. */
export const baseName = (name: string): string => name.replace(/^.*[\\/]/, '');
