import type { Graph } from '../ir';
import type { ModelFormat } from './format';
import { caffeFormat } from './caffe';
import { kerasFormat } from './keras';
import { kerasFileFormat } from './keras-h5';
import { onnxFormat } from './onnx';
import { pytorchFormat } from './pytorch';
import { tfjsGraphFormat } from './tfjs-graph';
import { textSource, type ModelSource } from './source';
import { tfliteFormat } from './tflite';
import { recogniseUnread, UNREAD_CODE, unreadMessage } from './unread';

// The list of formats. It drives everything that depends on which files CNN Lens reads: the CLI's
// parsing, the extension's activation, file associations and editors (package.json is checked
// against it by a test), and the webview (which learns a model's format from the report).

// Binary formats first: their detection reads leading bytes, the text formats' decodes the file as
// text. A TF.js graph model and a layers model are both model.json and each one's detect refuses the
// other; where content decides nothing (a damaged JSON), the name ending goes to the first format
// that claims it, so Keras / TF.js layers (whose parser says what is wrong with a JSON model) comes first.
export const FORMATS: readonly ModelFormat[] = [onnxFormat, tfliteFormat, kerasFileFormat, pytorchFormat, kerasFormat, tfjsGraphFormat, caffeFormat];

const extensionOf = (name: string): string => /(\.[^./\\]+)$/.exec(name.toLowerCase())?.[1] ?? '';

/** The format whose content the source has; else the one its name ending belongs to; else undefined. */
export function detectFormat(source: ModelSource): ModelFormat | undefined {
  return FORMATS.find((f) => f.detect(source)) ?? FORMATS.find((f) => f.extensions.includes(extensionOf(source.name)));
}

/** The format a parsed graph came from. */
export const formatOfGraph = (graph: Graph): ModelFormat | undefined => FORMATS.find((f) => f.produces.includes(graph.format));

/**
 * Parses with the format that recognises the content; a model of a format not read yet (a TFLite
 * file, a TF.js graph model.json) gets one error that names it and says what to do now; else the
 * JSON file without a model says so; else the format that claims the name parses it (a truncated
 * .onnx: its own errors say what is wrong); else one error says what CNN Lens reads.
 */
export function parseSource(source: ModelSource): Graph {
  const byContent = FORMATS.find((f) => f.detect(source));
  if (byContent) return byContent.parse(source);
  const unread = recogniseUnread(source, FORMATS);
  // A JSON file that no format recognises holds no model, whatever its name: say that, not a parser's complaint.
  const byName = unread.kind !== 'unknown' ? undefined : FORMATS.find((f) => f.extensions.includes(extensionOf(source.name)));
  if (byName) return byName.parse(source);
  return {
    name: source.name.replace(/^.*[\\/]/, ''),
    format: 'unknown',
    nodes: [], inputs: [], outputs: [], groups: [],
    diagnostics: [{ severity: 'error', code: UNREAD_CODE, message: unreadMessage(unread) }],
  };
}

/** Parses model text (an editor's document, a test's fixture). */
export const parseModel = (text: string, fileName: string): Graph => parseSource(textSource(fileName, text));

/** The source's format with what its parse needs loaded (h5wasm for Keras .h5): hosts that parse synchronously await this first. */
export async function preparedFormat(source: ModelSource): Promise<ModelFormat | undefined> {
  const format = detectFormat(source);
  await format?.prepare?.();
  return format;
}

/**
 * What hosts call on open: loads the detected format's parser where it loads asynchronously (its
 * `prepare`), parses, then adds the problems only the sibling files show (its `checkFiles`).
 */
export async function parseSourceWithFiles(source: ModelSource): Promise<Graph> {
  const format = await preparedFormat(source);
  const graph = format?.parseWithFiles ? await format.parseWithFiles(source) : parseSource(source);
  const extra = await formatOfGraph(graph)?.checkFiles?.(source, graph);
  return extra?.length ? { ...graph, diagnostics: [...graph.diagnostics, ...extra] } : graph;
}
