import { SourceError, type ModelSource } from '../core/formats/source';
import { fileSource, readUserFile } from '../node/file-source';
import { UsageError } from './usage';

// The files a command line names: a file that cannot be read is a usage error (exit 2) that says
// which file and why; siblings a model names are read through the source's guards.

const cannotRead = (file: string, e: unknown): unknown => (e instanceof SourceError ? new UsageError(`cannot read ${file}: ${e.reason}`) : e);

/** The model file as a source (its siblings within its folder). */
export function openModelFile(file: string): ModelSource {
  try {
    return fileSource(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
}

/** The bytes of a file given on the command line (an input image or array). */
export function readNamedFile(file: string): Uint8Array {
  try {
    return readUserFile(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
}
