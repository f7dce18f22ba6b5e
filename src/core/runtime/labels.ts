import type { Analysis } from '../analysis/types';
import { globToRegExp } from './preprocess';
import type { ActivationPreview } from './preview-images';

// Class names for classifier outputs, so that a top-5 reads "tabby, tabby cat" rather than "class 281".
// A label file is plain text, one class name per line, line n naming class n - 1. Which file: the one
// the user gives (cnn-lens run --labels, the cnnLens.labels setting), else labels.txt next to the
// model, else, for an output of 1,000 classes, the ImageNet names shipped in media/labels/imagenet.txt
// (from @tensorflow-models/mobilenet, Apache-2.0: see media/labels/README.md). Finding and reading
// the files is the host's (src/node/label-files.ts); here: their text, and what the names are put on.

/** Classes of an ImageNet (ILSVRC-2012) classifier. */
export const IMAGENET_CLASSES = 1000;

export interface Labels {
  /** Class names by class index. */
  readonly names: readonly string[];
  /** Where they came from, for the user: a path, with "(ImageNet)" for the shipped default. */
  readonly source: string;
}

/** A label file that cannot be read, with the file and the reason. */
export class LabelsError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'LabelsError';
  }
}

/** A label file's text as class names: one per line, trimmed; a final empty line is not a class. */
export function parseLabels(text: string, file: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!lines.some((l) => l)) throw new LabelsError(file, 'the label file is empty (one class name per line)');
  return lines;
}

/** The last-axis size of each model output (0 where unknown): what decides whether ImageNet's names apply. */
export const outputClasses = (analysis: Analysis): number[] =>
  analysis.graph.outputs.map((o) => analysis.nodes.find((n) => n.id === o.node)?.outputShape?.at(-1) ?? 0);

/** The label file the `cnnLens.labels` setting (file glob → label file) gives a model, as written there; the first matching glob wins. */
export function labelFileFor(modelFile: string, setting: Readonly<Record<string, string>>): string | undefined {
  const path = modelFile.replace(/\\/g, '/');
  return Object.entries(setting).find(([glob]) => globToRegExp(glob).test(path))?.[1];
}

/** The previews with class names on the top-k of every output that has as many classes as there are labels. */
export function labelPreviews(previews: Readonly<Record<string, ActivationPreview>>, labels: Labels | undefined): Record<string, ActivationPreview> {
  if (!labels) return { ...previews };
  const out: Record<string, ActivationPreview> = {};
  for (const [id, p] of Object.entries(previews)) {
    out[id] = p.top && p.channels === labels.names.length ? { ...p, top: p.top.map((t) => ({ ...t, label: labels.names[t.index] })) } : p;
  }
  return out;
}

/** The classifier outputs of a model: an output made by a softmax (a Softmax layer, or an activation of softmax), with its classes. */
export function classifierOutputs(analysis: Analysis): { readonly layer: string; readonly classes: number }[] {
  return analysis.graph.outputs.flatMap((o) => {
    const node = analysis.graph.nodes.find((n) => n.id === o.node);
    const classes = analysis.byId.get(o.node)?.outputShape?.at(-1) ?? 0;
    const softmax = node && (node.op === 'Softmax' || node.attrs.activation === 'softmax');
    return softmax && typeof classes === 'number' && classes > 1 ? [{ layer: node.id, classes }] : [];
  });
}

/**
 * What to do for class names where a classifier has none: how to give a label file (the setting
 * `cnnLens.labels`, or labels.txt next to the model). Undefined when labels were found, or no output is a classifier's.
 */
export function labelsHint(analysis: Analysis, labels: Labels | undefined, modelFile: string): string | undefined {
  if (labels) return undefined;
  const out = classifierOutputs(analysis)[0];
  if (!out) return undefined;
  const name = modelFile.replace(/^.*[\\/]/, '');
  return `${out.layer} is a classifier's output (softmax over ${out.classes} classes) without class names: give a label file (one class name per line, ${out.classes} lines) with the setting cnnLens.labels, e.g. "cnnLens.labels": { "**/${name}": "labels.txt" }, or put labels.txt next to ${name}.`;
}
