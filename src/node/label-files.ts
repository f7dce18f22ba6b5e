import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SourceError } from '../core/formats/source';
import { IMAGENET_CLASSES, LabelsError, parseLabels, type Labels } from '../core/runtime/labels';
import { readSiblingSync, readUserText } from './file-source';

// Label files on disk: the one the user names, labels.txt next to the model, or the ImageNet names
// CNN Lens ships (see src/core/runtime/labels.ts for what a label file is).

/** Reads a label file (a regular file within the size limit): one class name per line. */
export function readLabelFile(file: string): string[] {
  let text: string;
  try {
    text = readUserText(file, 'labels');
  } catch (e) {
    if (e instanceof SourceError) throw new LabelsError(file, `cannot read the label file (${e.reason})`);
    throw e;
  }
  return parseLabels(text, file);
}

/** media/labels/imagenet.txt, from the source tree (src/node) or next to the bundle (dist/). */
export function imagenetLabelsFile(): string {
  const candidates = [join(__dirname, '..', '..', 'media', 'labels', 'imagenet.txt'), join(__dirname, '..', 'media', 'labels', 'imagenet.txt')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0];
}

/**
 * The labels for a model's outputs: `file` when given (it must be readable), else labels.txt next
 * to the model, else ImageNet's names when an output has 1,000 classes; undefined when none apply.
 */
export function resolveLabels(options: { readonly file?: string; readonly modelFile: string; readonly classes: readonly number[] }): Labels | undefined {
  if (options.file) return { names: readLabelFile(options.file), source: options.file };
  // labels.txt beside the model is one of its siblings: a regular file inside its folder, no link.
  const beside = join(dirname(options.modelFile), 'labels.txt');
  let bytes: Uint8Array | undefined;
  try {
    bytes = readSiblingSync(options.modelFile, 'labels.txt', 'labels');
  } catch (e) {
    if (e instanceof SourceError) throw new LabelsError(beside, `cannot read the label file (${e.reason})`);
    throw e;
  }
  if (bytes) return { names: parseLabels(new TextDecoder('utf-8').decode(bytes), beside), source: beside };
  if (options.classes.includes(IMAGENET_CLASSES)) return { names: readLabelFile(imagenetLabelsFile()), source: 'media/labels/imagenet.txt (ImageNet)' };
  return undefined;
}
