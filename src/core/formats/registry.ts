import type { Graph } from '../ir';
import type { ModelFormat } from './format';
import { caffeFormat } from './caffe';
import { kerasFormat } from './keras';
import { onnxFormat } from './onnx';
import { textSource, type ModelSource } from './source';

// The list of formats. It drives everything that depends on which files CNN Lens reads: the CLI's
// parsing, the extension's activation, file associations and editors (package.json is checked
// against it by a test), and the webview (which learns a model's format from the report).

export const FORMATS: readonly ModelFormat[] = [onnxFormat, kerasFormat, caffeFormat];

const extensionOf = (name: string): string => /(\.[^./\\]+)$/.exec(name.toLowerCase())?.[1] ?? '';

/** The format whose content the source has; else the one its name ending belongs to; else undefined. */
export function detectFormat(source: ModelSource): ModelFormat | undefined {
  return FORMATS.find((f) => f.detect(source)) ?? FORMATS.find((f) => f.extensions.includes(extensionOf(source.name)));
}

/** The format a parsed graph came from. */
export const formatOfGraph = (graph: Graph): ModelFormat | undefined => FORMATS.find((f) => f.produces.includes(graph.format));

/** Parses with the detected format; a file no format reads gives an empty graph with one error that says so. */
export function parseSource(source: ModelSource): Graph {
  const format = detectFormat(source);
  if (format) return format.parse(source);
  return {
    name: source.name.replace(/^.*[\\/]/, ''),
    format: 'unknown',
    nodes: [], inputs: [], outputs: [], groups: [],
    diagnostics: [{ severity: 'error', code: 'format', message: `${source.name} is not a model file CNN Lens reads (it reads ${FORMATS.map((f) => f.displayName).join(', ')})` }],
  };
}

/** Parses model text (an editor's document, a test's fixture). */
export const parseModel = (text: string, fileName: string): Graph => parseSource(textSource(fileName, text));

/** Parses, then adds the problems only the sibling files show (the format's checkFiles): what hosts call on open. */
export async function parseSourceWithFiles(source: ModelSource): Promise<Graph> {
  const graph = parseSource(source);
  const extra = await formatOfGraph(graph)?.checkFiles?.(source, graph);
  return extra?.length ? { ...graph, diagnostics: [...graph.diagnostics, ...extra] } : graph;
}
