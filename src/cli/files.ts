import { SourceError, type ModelSource } from '../core/formats/source';
import { fileSource, readUserFile } from '../node/file-source';
import { inputFileKind, inputSourceFor, type InputSource } from '../core/runtime/preprocess';
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

/** An input file given on the command line (an image or a .npy array), read within its kind's cap. */
export function readInputFile(file: string): InputSource {
  try {
    return inputSourceFor(file, readUserFile(file, inputFileKind(file) === 'npy' ? 'tensor' : 'image'));
  } catch (e) {
    throw cannotRead(file, e);
  }
}
