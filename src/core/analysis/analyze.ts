import type { Diagnostic, Graph, IRNode, TensorShape } from '../ir';
import { getOp, ShapeError, type OpDef } from '../ops';
import { formatShape, numel } from '../ops/tensor-math';
import { countParameters, type ConstantUse } from './parameters';
import { inputShape } from './input-shape';
import { storedWeightsByNode, type StoredWeights } from './stored-weights';
import type { Analysis, AnalysisOptions, AssumedDim, NodeAnalysis, Totals } from './types';

// Runs the op rules over the graph in topological order: shapes, values of small tensors (so the
// shape arithmetic exporters emit folds), parameters, MACs, FLOPs, memory. A failing node becomes a
// diagnostic and analysis goes on; nodes downstream of it get no shape (and no second complaint),
// everything else is still counted.

const BYTES_PER_FLOAT32 = 4;
/** Above this many elements a single tensor cannot be allocated by TensorFlow.js or indexed by ONNX Runtime (2^31 - 1). */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
/** Above this a parameter count is no longer an exact integer in a double: no real layer comes near. */
const MAX_LAYER_PARAMS = Number.MAX_SAFE_INTEGER;

type Value = readonly number[] | undefined;

/** A size no framework allocates: reported as 'huge-tensor'. */
class TooLarge extends ShapeError {}

export function analyze(graph: Graph, options: AnalysisOptions = {}): Analysis {
  const diagnostics: Diagnostic[] = [...graph.diagnostics];
  const shapes = new Map<string, readonly (TensorShape | undefined)[]>();
  const values = new Map<string, readonly Value[]>();
  const inputShapes = new Map<string, TensorShape>();
  const assumedDims: AssumedDim[] = [];
  const constantUse: ConstantUse = new Set();
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const known = nodeById;
  const nodes: NodeAnalysis[] = [];
  // TF.js manifests say how each weight is stored (uint8-quantised, float16): memory follows them.
  const stored = storedWeightsByNode(graph);
  const problem = (node: IRNode, severity: Diagnostic['severity'], code: string, message: string) =>
    diagnostics.push({ severity, code, message: `${node.id} (${node.sourceClass}): ${message}`, node: node.id, range: node.nameRange ?? node.range });

  for (const node of graph.nodes) {
    const op = getOp(node.op);
    const ins = node.inputs.map((r) => shapes.get(r.node)?.[r.index]);
    const inValues = node.inputs.map((r) => values.get(r.node)?.[r.index]);
    let outs: readonly (TensorShape | undefined)[] = [];
    let value: Value;
    let counts = { trainable: 0, nonTrainable: 0, bytes: 0 };
    let macs = 0;
    let flops = 0;
    let folded = false;
    if (node.op === 'Input') {
      const shape = inputShape(node, graph.symbolicDims?.[node.id], options, (severity, message) => problem(node, severity, 'input-shape', message), assumedDims);
      if (shape) inputShapes.set(node.id, shape);
      outs = [shape];
    } else if (node.op === 'Constant') {
      const tensor = node.tensor ? graph.constants?.[node.tensor] : undefined;
      outs = [tensor?.shape];
      value = tensor?.values;
      folded = true;
    } else if (!op) {
      // Opaque nodes: the shapes the file declares (ONNX value_info, Keras 3 build_config), else unknown; their stored weights still count.
      // A declared open batch (null) is the batch the node's input has: the batch flows through, as it does through known ops.
      const batch = ins[0]?.[0];
      outs = (node.declaredShapes ?? []).map((s) => (s && s[0] === null && typeof batch === 'number' ? [batch, ...s.slice(1)] : s));
      counts = countParameters(graph, nodeById, node, undefined, ins, constantUse);
    } else if (ins.every((s): s is TensorShape => s !== undefined) && node.inputs.every((r) => known.has(r.node))) {
      try {
        checkArity(op, ins.length);
        const out = op.shape(ins, node.attrs, inValues);
        // Only the outputs the node names (ONNX MaxPool's optional indices, Dropout's mask): Keras nodes have one.
        outs = (op.shapes?.(ins, node.attrs, inValues) ?? [out]).slice(0, node.outputNames?.length ?? 1);
        value = op.fold?.(inValues, ins, out, node.attrs);
        // Shape arithmetic with a known result disappears from the picture, like a constant.
        folded = value !== undefined && !graph.outputs.some((r) => r.node === node.id);
        const warning = op.warn?.(ins, node.attrs);
        if (warning) problem(node, 'warning', 'suspicious', warning);
        if (!folded) {
          counts = countParameters(graph, nodeById, node, op, ins, constantUse, (message) => problem(node, 'error', 'weights', message));
          macs = op.macs?.(ins, out, node.attrs) ?? 0;
          flops = op.flops(ins, out, node.attrs);
        }
        // Sizes no framework allocates are errors (the CLI exits 1), not warnings with figures that mean nothing.
        if (numel(out) > MAX_TENSOR_ELEMENTS) throw new TooLarge(`output ${formatShape(out)} has ${numel(out).toExponential(2)} elements, more than one tensor can hold (2^31)`);
        if (counts.trainable + counts.nonTrainable > MAX_LAYER_PARAMS) throw new TooLarge(`${(counts.trainable + counts.nonTrainable).toExponential(2)} parameters, more than can be counted exactly (2^53)`);
      } catch (e) {
        outs = [];
        value = undefined;
        counts = { trainable: 0, nonTrainable: 0, bytes: 0 };
        macs = 0;
        flops = 0;
        // An op rule that fails on input nobody foresaw is still this layer's problem, not an exception for the user.
        if (e instanceof ShapeError) problem(node, 'error', e instanceof TooLarge ? 'huge-tensor' : 'shape', e.message);
        else problem(node, 'error', 'internal', `CNN Lens could not analyse this layer (${(e as Error).message})`);
      }
    }
    shapes.set(node.id, outs);
    if (value !== undefined) values.set(node.id, [value]);
    const out = outs[0];
    const params = counts.trainable + counts.nonTrainable;
    nodes.push({
      id: node.id,
      inputShapes: ins,
      outputShape: out,
      outputShapes: outs,
      value,
      folded,
      trainableParams: counts.trainable,
      nonTrainableParams: counts.nonTrainable,
      params,
      macs,
      flops,
      weightBytes: counts.bytes || (params ? stored.get(node.id)?.bytes : 0) || params * BYTES_PER_FLOAT32,
      activationBytes: folded ? 0 : out ? numel(out) * BYTES_PER_FLOAT32 : NaN,
    });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { graph, nodes, byId, totals: sum(nodes), diagnostics, inputShapes, assumedDims, weightBytesByDtype: bytesByDtype(graph, constantUse, nodes, stored) };
}

function checkArity(op: OpDef, count: number): void {
  if (count >= op.arity.min && count <= op.arity.max) return;
  const expected = op.arity.min === op.arity.max ? `${op.arity.min}` : op.arity.max === Infinity ? `at least ${op.arity.min}` : `${op.arity.min} to ${op.arity.max}`;
  throw new ShapeError(`takes ${expected} input${op.arity.max === 1 ? '' : 's'}, got ${count}`);
}

function sum(nodes: readonly NodeAnalysis[]): Totals {
  const total = (key: keyof Totals) => nodes.reduce((s, n) => s + n[key], 0);
  return {
    params: total('params'),
    trainableParams: total('trainableParams'),
    nonTrainableParams: total('nonTrainableParams'),
    macs: total('macs'),
    flops: total('flops'),
    weightBytes: total('weightBytes'),
    // Layers whose shape is unknown (after an error) hold no activation we can count.
    activationBytes: nodes.reduce((s, n) => s + (Number.isNaN(n.activationBytes) ? 0 : n.activationBytes), 0),
  };
}

/**
 * Weight bytes by the dtype they are stored in: the counted constants' own, a TF.js manifest's
 * (quantised ones by their quantised dtype), float32 for weights a format does not store in the graph.
 */
function bytesByDtype(graph: Graph, counted: ConstantUse, nodes: readonly NodeAnalysis[], stored: ReadonlyMap<string, StoredWeights>): Record<string, number> {
  const out: Record<string, number> = {};
  let fromConstants = 0;
  for (const n of nodes) {
    const s = n.params ? stored.get(n.id) : undefined;
    if (!s || n.weightBytes !== s.bytes) continue;
    for (const [dtype, b] of Object.entries(s.byDtype)) out[dtype] = (out[dtype] ?? 0) + b;
    fromConstants += s.bytes;
  }
  for (const node of graph.nodes) {
    if (!counted.has(node.id) || !node.tensor) continue;
    const t = graph.constants?.[node.tensor];
    if (!t) continue;
    out[t.dtype] = (out[t.dtype] ?? 0) + t.byteLength;
    fromConstants += t.byteLength;
  }
  const rest = nodes.reduce((s, n) => s + n.weightBytes, 0) - fromConstants;
  if (rest > 0) out.float32 = (out.float32 ?? 0) + rest;
  return out;
}
