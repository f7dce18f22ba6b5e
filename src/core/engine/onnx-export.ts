import type { Analysis } from '../analysis/types';
import { ModelProto } from '../formats/onnx/proto';
import type { Graph, IRNode, TensorShape } from '../ir';
import { getOp } from '../ops';
import { operandRole } from '../ops/op';
import { formatShape } from '../ops/tensor-math';
import { declaredWeights } from '../runtime/random-weights';
import { CONSTANT_VALUE, weightsFor } from '../runtime/weight-map';
import { identityPerm, OnnxEmitter, OnnxExportError, type OnnxValue, type PlainTensor, type PlainWeights } from './onnx-emitter';

// IR → ONNX: an analysed model and its weights as an ONNX ModelProto, each layer written by its
// op's own `onnx` member. Keras graphs are NHWC, ONNX's convolutions NCHW: each value is stored in
// the layout its producer made (a convolution's output stays channels first), an op asks for the
// layout it needs, and a Transpose is made once per value and layout, only where asked. Graphs that
// are ONNX already are passed through as their file's bytes.
//
// Layer values (activations, taps): a value stored channels first has its IR-layout view made only
// for the layers the caller names in `taps`. Measured here, onnxruntime 1.23 runs every node of a
// graph, used or not, so views made for every layer would cost each untapped run their transposes;
// and the file a user exports holds only what the model computes.

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

/** The IR version each opset came with (onnx/docs/Versioning.md): the lowest a runtime must read. */
const IR_VERSION = (opset: number): number => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

export interface OnnxExportOptions {
  /** The default opset's version (ai.onnx); DEFAULT_OPSET unless given. */
  readonly opset?: number;
  /** Layers whose values the caller will read: each gets its value in the IR's layout, named in `layerValues`. */
  readonly taps?: 'all' | readonly string[];
  /** The model file's bytes: an ONNX graph is passed through as they are. */
  readonly source?: Uint8Array;
}

export interface OnnxExport {
  /** A serialised ModelProto. */
  readonly bytes: Uint8Array;
  /** ONNX input names, in `graph.inputs` order. */
  readonly inputs: string[];
  /** ONNX output names, in `graph.outputs` order. */
  readonly outputs: string[];
  /**
   * Each IR node's output as an ONNX value in the IR's own layout (NHWC for Keras), by node id: every
   * tapped node, and every node whose value is stored in that layout anyway. A layer written as
   * several ONNX nodes maps to its last node's output; Dropout and Identity to their input's value.
   */
  readonly layerValues: Map<string, string>;
  /**
   * Each IR node's output as the graph stores it (no view made), by node id: the value to tap when
   * the reader can read a layout itself. Tapping a stored value adds no node, so ORT keeps its
   * fusions and layout choices (a Transpose per tapped layer cost Keras models 2.6–3.9× measured).
   */
  readonly storedValues: Map<string, OnnxValue>;
}

export function exportOnnx(analysis: Analysis, weights: PlainWeights, options: OnnxExportOptions = {}): OnnxExport {
  const { graph } = analysis;
  if (graph.format === 'onnx') return passThrough(graph, options.source);
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new OnnxExportError(`opset ${opset} is not one CNN Lens writes: choose ${MIN_OPSET} to ${MAX_OPSET}`);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new OnnxExportError(`${graph.name} has errors, so it cannot be exported: ${errors[0].message}`);

  const g = new OnnxEmitter(opset);
  const values = new Map<string, OnnxValue>();
  for (const id of graph.inputs) values.set(id, { name: g.unique(id), perm: identityPerm(analysis.inputShapes.get(id)!.length) });
  for (const node of graph.nodes) {
    if (node.op === 'Input') continue;
    // A graph constant (TFLite, TF.js graph models) becomes an initializer only where a node reads it as data; the
    // constants nodes take as weights reach them through `weights`, re-laid out by their op.
    if (node.op === 'Constant') continue;
    values.set(node.id, lower(g, analysis, node, values, weights));
  }

  const outputs = graph.outputs.map((r) => g.logical(values.get(r.node)!));
  const tapped = new Set(options.taps === 'all' ? graph.nodes.map((n) => n.id) : options.taps ?? []);
  for (const id of tapped) if (!values.has(id)) throw new OnnxExportError(`cannot tap "${id}": there is no such node in ${graph.name}`);
  const layerValues = new Map<string, string>();
  for (const [id, value] of values) if (tapped.has(id) || value.perm.every((p, i) => p === i)) layerValues.set(id, g.logical(value));
  graph.outputs.forEach((r, i) => layerValues.set(r.node, outputs[i]));
  const storedValues = new Map([...values].map(([id, v]) => [id, { name: v.name, perm: [...v.perm] }]));

  const bytes = encode(analysis, g, outputs);
  return { bytes, inputs: [...graph.inputs], outputs, layerValues, storedValues };
}

/** One IR node as ONNX nodes, through its op's `onnx` member; errors name the node. */
function lower(g: OnnxEmitter, analysis: Analysis, node: IRNode, values: Map<string, OnnxValue>, weights: PlainWeights): OnnxValue {
  const fail = (reason: string): never => {
    throw new OnnxExportError(`cannot export ${node.id} (${node.sourceClass}) to ONNX: ${reason}`);
  };
  const op = getOp(node.op);
  if (!op) return fail(node.op === 'Unknown' ? `"${node.sourceClass}" is not a layer CNN Lens knows` : `unknown op ${node.op}`);
  if (!op.onnx) return fail(`the op ${node.op} has no ONNX form`);
  const info = analysis.byId.get(node.id);
  if (!info?.outputShape || info.inputShapes.some((s) => !s)) return fail('its shape could not be computed');
  // Graph formats pass weights and static operands as inputs too: the op reads those as weights and attributes.
  const data = node.inputs.map((r, i) => ({ r, i })).filter(({ i }) => operandRole(op, i) === 'data');
  const inputs = data.map(({ r }) => (r.index === 0 ? values.get(r.node) ?? constantValue(g, analysis, r.node, weights, values) : undefined) ?? fail(`its input ${r.node}:${r.index} has no ONNX value`));
  const context = { weights: nodeWeights(node, analysis, weights, fail), inputShapes: data.map(({ i }) => info.inputShapes[i]) as TensorShape[], outputShape: info.outputShape };
  g.beginLayer(node.id);
  try {
    return g.endLayer(op.onnx(g, inputs, node.attrs, context));
  } catch (e) {
    if (e instanceof OnnxExportError) fail(e.message);
    throw e;
  }
}

/** A graph constant a node reads as data (`Add(x, c)`), written once as an initializer from its loaded value (the format's loader gives it). */
function constantValue(g: OnnxEmitter, analysis: Analysis, id: string, weights: PlainWeights, values: Map<string, OnnxValue>): OnnxValue | undefined {
  const node = analysis.graph.nodes.find((n) => n.id === id);
  const value = node?.op === 'Constant' ? weights.get(id)?.[CONSTANT_VALUE] : undefined;
  if (!value) return undefined;
  const made = { name: g.weight(value, 'value'), perm: identityPerm(value.shape.length) };
  values.set(id, made);
  return made;
}

/** A node's weights, checked against what its op declares (names and shapes), as the executor checks them. */
function nodeWeights(node: IRNode, analysis: Analysis, weights: PlainWeights, fail: (reason: string) => never): Readonly<Record<string, PlainTensor>> {
  const declared = declaredWeights(node, analysis) ?? [];
  if (!declared.length) return {};
  const w = weightsFor(weights, node) ?? fail(`no weights were given for it (it needs ${declared.map((d) => d.name).join(', ')})`);
  for (const d of declared) {
    const t = w[d.name] ?? fail(`weight "${d.name}" is missing (have ${Object.keys(w).join(', ') || 'none'})`);
    if (t.shape.length !== d.shape.length || t.shape.some((s, i) => s !== d.shape[i])) fail(`weight "${d.name}" has shape ${formatShape(t.shape)}, the layer needs ${formatShape(d.shape)}`);
  }
  return w;
}

/**
 * The graph's inputs and outputs as ValueInfoProtos. An input dimension the file leaves open and
 * analysis filled in (an open batch) stays open, under its name; outputs share the batch's.
 */
function encode(analysis: Analysis, g: OnnxEmitter, outputs: readonly string[]): Uint8Array {
  const { graph } = analysis;
  const open = (input: string, axis: number) => analysis.assumedDims.find((d) => d.input === input && d.axis === axis)?.name;
  const batch = graph.inputs.length ? open(graph.inputs[0], 0) : undefined;
  const valueInfo = (name: string, shape: TensorShape, param: (axis: number) => string | undefined) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: shape.map((d, axis) => (param(axis) ? { dimParam: param(axis) } : d === null ? {} : { dimValue: d })) } } },
  });
  const model = {
    irVersion: IR_VERSION(g.opset),
    producerName: 'CNN Lens',
    opsetImport: [{ domain: '', version: g.opset }],
    graph: {
      name: graph.name,
      node: g.nodes,
      initializer: g.initializers,
      input: graph.inputs.map((id) => valueInfo(id, analysis.inputShapes.get(id)!, (axis) => open(id, axis))),
      output: graph.outputs.map((r, i) => valueInfo(outputs[i], analysis.byId.get(r.node)!.outputShape!, (axis) => (axis === 0 ? batch : undefined))),
    },
  };
  return ModelProto.encode(model as object).finish();
}

/** An ONNX graph as it is: the file's bytes, and the names the file gives each value. */
function passThrough(graph: Graph, source: Uint8Array | undefined): OnnxExport {
  if (!source) throw new OnnxExportError(`${graph.name} is an ONNX model: pass its file's bytes (options.source) to export it as it is`);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const valueOf = (id: string, index = 0): string => byId.get(id)?.outputNames?.[index] ?? id;
  const layerValues = new Map<string, string>();
  const storedValues = new Map<string, OnnxValue>();
  for (const n of graph.nodes) {
    const name = n.outputNames?.[0];
    if (!name) continue;
    layerValues.set(n.id, name);
    storedValues.set(n.id, { name, perm: [] }); // an ONNX file's values are the IR's: no permutation
  }
  return { bytes: source, inputs: graph.inputs.map((id) => valueOf(id)), outputs: graph.outputs.map((r) => valueOf(r.node, r.index)), layerValues, storedValues };
}
