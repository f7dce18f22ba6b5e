import type { Graph } from '../ir';
import { looksLikeKerasModel, parseKeras } from './keras';

// The format registry: each module recognises its files and parses them into the IR. ONNX,
// TF.js graph models, Caffe prototxt and .keras archives join this list as one module each.

export interface ModelFormat {
  readonly id: string;
  /** Recognises a file by its name and content (content wins: users rename files). */
  readonly detect: (text: string, fileName: string) => boolean;
  readonly parse: (text: string, fileName: string) => Graph;
}

export const FORMATS: readonly ModelFormat[] = [
  { id: 'keras', detect: (text, fileName) => looksLikeKerasModel(text) || /\.json$/i.test(fileName), parse: parseKeras },
];

/** Parses a model file with the first format that recognises it. */
export function parseModel(text: string, fileName: string): Graph {
  const format = FORMATS.find((f) => f.detect(text, fileName)) ?? FORMATS[0];
  return format.parse(text, fileName);
}
