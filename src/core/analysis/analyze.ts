import type { Diagnostic, Graph, IRNode, TensorShape } from '../ir';
import { getOp, ShapeError } from '../ops';
import { formatShape, numel } from '../ops/tensor-math';
import type { Analysis, AnalysisOptions, NodeAnalysis, Totals } from './types';

// Runs the op rules over the graph in topological order: shapes, parameters, MACs, FLOPs, memory.
// A failing layer becomes a diagnostic and analysis goes on; layers downstream of it get no shape
// (and no second complaint), everything else is still counted.

const BYTES_PER_FLOAT32 = 4;
/** Above this many elements a single tensor cannot be allocated by TensorFlow.js (2^31 - 1). */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

export function analyze(graph: Graph, options: AnalysisOptions = {}): Analysis {
  const diagnostics: Diagnostic[] = [...graph.diagnostics];
  const shapes = new Map<string, TensorShape>();
  const inputShapes = new Map<string, TensorShape>();
  const known = new Set(graph.nodes.map((n) => n.id));
  const nodes: NodeAnalysis[] = [];
  const problem = (node: IRNode, severity: Diagnostic['severity'], code: string, message: string) =>
    diagnostics.push({ severity, code, message: `${node.id} (${node.sourceClass}): ${message}`, node: node.id, range: node.nameRange ?? node.range });

  for (const node of graph.nodes) {
    const op = getOp(node.op);
    const ins = node.inputs.map((r) => shapes.get(r.node));
    let out: TensorShape | undefined;
    let trainable = 0;
    let nonTrainable = 0;
    let macs = 0;
    let flops = 0;
    if (op && node.op === 'Input') {
      out = inputShape(node, options, (severity, message) => problem(node, severity, 'input-shape', message));
      if (out) inputShapes.set(node.id, out);
    } else if (op && ins.every((s): s is TensorShape => s !== undefined) && node.inputs.every((r) => known.has(r.node))) {
      try {
        if (ins.length < op.arity.min || ins.length > op.arity.max) {
          const expected = op.arity.min === op.arity.max ? `${op.arity.min}` : op.arity.max === Infinity ? `at least ${op.arity.min}` : `${op.arity.min} to ${op.arity.max}`;
          throw new ShapeError(`takes ${expected} input${op.arity.max === 1 ? '' : 's'}, got ${ins.length}`);
        }
        out = op.shape(ins, node.attrs, []);
        const warning = op.warn?.(ins, node.attrs);
        if (warning) problem(node, 'warning', 'suspicious', warning);
        if (!node.sharesWeightsWith) {
          for (const w of op.weights?.(ins, node.attrs) ?? []) {
            const size = w.shape.reduce((p, d) => p * d, 1);
            if (w.trainable) trainable += size;
            else nonTrainable += size;
          }
        }
        macs = op.macs?.(ins, out, node.attrs) ?? 0;
        flops = op.flops(ins, out, node.attrs);
        if (numel(out) > MAX_TENSOR_ELEMENTS) problem(node, 'warning', 'huge-tensor', `output ${formatShape(out)} has ${numel(out).toExponential(2)} elements, more than one tensor can hold (2^31)`);
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        out = undefined;
        problem(node, 'error', 'shape', e.message);
      }
    }
    if (out) shapes.set(node.id, out);
    const params = trainable + nonTrainable;
    nodes.push({
      id: node.id,
      inputShapes: ins,
      outputShape: out,
      trainableParams: trainable,
      nonTrainableParams: nonTrainable,
      params,
      macs,
      flops,
      weightBytes: params * BYTES_PER_FLOAT32,
      activationBytes: out ? numel(out) * BYTES_PER_FLOAT32 : NaN,
    });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { graph, nodes, byId, totals: sum(nodes), diagnostics, inputShapes };
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

/** The shape an input node runs with: the declared one, or the override, with the batch filled in. */
function inputShape(node: IRNode, options: AnalysisOptions, report: (severity: Diagnostic['severity'], message: string) => void): TensorShape | undefined {
  const declared = node.attrs.batchShape as TensorShape;
  const override = pickOverride(node, options);
  if (override && override.length !== declared.length) {
    report('error', `the input shape override ${formatShape(override)} has ${override.length} dimensions, the model's input ${formatShape(declared)} has ${declared.length}`);
    return undefined;
  }
  const shape = [...(override ?? declared)];
  if (options.batch !== undefined) shape[0] = options.batch;
  else if (shape[0] === null) shape[0] = 1;
  const bad = shape.find((d) => d !== null && (!Number.isInteger(d) || d < 1));
  if (bad !== undefined) {
    report('error', `dimension ${bad} in ${formatShape(shape)} is not a positive integer`);
    return undefined;
  }
  if (shape.slice(1).includes(null)) {
    report('warning', `input shape ${formatShape(shape)} leaves dimensions open, so costs that depend on them are unknown; give a concrete shape (CLI: --input-shape 1,224,224,3)`);
  }
  return shape;
}

function pickOverride(node: IRNode, options: AnalysisOptions): TensorShape | undefined {
  const o = options.inputShape;
  if (!o) return undefined;
  if (Array.isArray(o)) return o as TensorShape;
  const byName = o as Readonly<Record<string, TensorShape>>;
  return byName[node.id] ?? byName[node.layer];
}
