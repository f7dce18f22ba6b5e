import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import type { IRNode, TensorShape } from '../ir';
import { getOp } from '../ops';
import { formatShape } from '../ops/tensor-math';
import { declaredWeights } from './random-weights';
import { planRun } from './run-plan';
import { operandRole } from '../ops/op';
import { CONSTANT_VALUE, weightsFor, type WeightMap } from './weight-map';
import { yieldToEventLoop } from './yield';

// Runs an analysed graph on TensorFlow.js, node by node in topological order, with each op's own
// kernel (OpDef.run). Only the nodes the outputs and taps need are run. Every intermediate tensor
// is freed as soon as no later node, tap or output needs it, so peak memory stays that of the
// widest cut of the graph, not of the whole graph. `tf` is passed in: core never picks a backend.

export interface ExecuteOptions {
  /** Node outputs to hand back besides the model's outputs: every node, or these ids. */
  readonly taps?: 'all' | readonly string[];
  /** Called after each node with its wall time in ms (dispatch time on asynchronous backends). */
  readonly onNode?: (id: string, ms: number) => void;
  /**
   * Checked between nodes; an aborted run frees what it made and rejects with the signal's reason.
   * With a signal, the run yields to the event loop every ~16 ms so that an abort from elsewhere can land.
   */
  readonly signal?: AbortSignal;
}

export interface ExecuteResult {
  /** One per `graph.outputs`, in order. The caller owns (and disposes) them. */
  readonly outputs: tfc.Tensor[];
  /** Tapped node outputs by node id. The caller owns (and disposes) them; each is a distinct tensor object. */
  readonly taps: Map<string, tfc.Tensor>;
}

/** A node the executor cannot run: the message names the node, its class and the reason. */
export class ExecutionError extends Error {
  constructor(readonly node: string, message: string) {
    super(message);
    this.name = 'ExecutionError';
  }
}

/** How long a cancellable run computes before it lets other work (an abort) in. */
const YIELD_MS = 16;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

const sameShape = (actual: readonly number[], expected: TensorShape): boolean =>
  actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);

/**
 * Runs the graph. `inputs` are in `graph.inputs` order, shaped as analysis computed the inputs
 * (the batch included); they stay the caller's and are never disposed here.
 */
export async function execute(tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const { graph } = analysis;
  const fail = (node: IRNode, reason: string): never => {
    throw new ExecutionError(node.id, `cannot run ${node.id} (${node.sourceClass}): ${reason}`);
  };

  if (inputs.length !== graph.inputs.length) {
    throw new Error(`the model takes ${graph.inputs.length} input${graph.inputs.length === 1 ? '' : 's'} (${graph.inputs.join(', ')}), got ${inputs.length}`);
  }
  const fed = new Map(graph.inputs.map((id, i) => [id, inputs[i]]));
  for (const [id, t] of fed) {
    const expected = analysis.inputShapes.get(id);
    if (expected && !sameShape(t.shape, expected)) throw new Error(`input ${id} has shape ${formatShape(t.shape)}, the model (as analysed) takes ${formatShape(expected)}`);
  }

  const plan = planRun(graph, options.taps);
  const { order, kept, tapIds } = plan;
  // How many later reads each node's output still has, counted down as they run.
  const reads = new Map(plan.reads);
  // A tensor may be held by several node ids (identity ops pass theirs through): count holders per tensor.
  const holders = new Map<tfc.Tensor, number>();
  const values = new Map<string, tfc.Tensor>();
  const callerOwned = new Set<tfc.Tensor>(inputs);
  const release = (id: string) => {
    const t = values.get(id);
    if (!t) return;
    values.delete(id);
    const left = (holders.get(t) ?? 1) - 1;
    if (left > 0) holders.set(t, left);
    else {
      holders.delete(t);
      if (!callerOwned.has(t)) t.dispose();
    }
  };
  const hold = (id: string, t: tfc.Tensor) => {
    values.set(id, t);
    holders.set(t, (holders.get(t) ?? 0) + 1);
  };

  await tf.ready();
  let lastYield = now();
  try {
    for (const node of order) {
      if (options.signal) {
        if (now() - lastYield > YIELD_MS) {
          await yieldToEventLoop();
          lastYield = now();
        }
        if (options.signal.aborted) throw options.signal.reason ?? new Error('execution was cancelled');
      }
      if (node.op === 'Constant') {
        // A graph format's constant read as data (`Add(x, c)`: TFLite, TF.js graph models) runs as its loaded value;
        // one a node takes as a weight reaches that node through its own weights instead.
        const value = weightsFor(weights, node)?.[CONSTANT_VALUE];
        if (value) {
          callerOwned.add(value);
          hold(node.id, value);
        }
        continue;
      }
      const info = analysis.byId.get(node.id);
      const op = getOp(node.op);
      if (!op) fail(node, node.op === 'Unknown' ? `"${node.sourceClass}" is not a layer CNN Lens knows` : `unknown op ${node.op}`);
      if (!op!.run) fail(node, `the op ${node.op} has no TensorFlow.js kernel`);
      if (!info?.outputShape) {
        const why = analysis.diagnostics.find((d) => d.node === node.id && d.severity === 'error');
        fail(node, why ? `its shape could not be computed: ${why.message}` : 'its shape could not be computed (an input before it failed)');
      }
      // Graph formats pass weights and static operands as inputs too: the kernel reads those as weights and attributes.
      const ins = node.op === 'Input' ? [fed.get(node.id) ?? fail(node, 'it is not one of the graph inputs')] : node.inputs.filter((_, i) => operandRole(op, i) === 'data').map((r) => values.get(r.node) ?? fail(node, `its input ${r.node} was not computed`));
      const w = nodeWeights(node, analysis, weights, fail);
      const start = now();
      let out: tfc.Tensor;
      try {
        out = tf.tidy(() => op!.run!(tf, ins, w, node.attrs));
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        const oom = /allocation failed|out of memory|\bOOM\b|Cannot enlarge memory|Maximum memory/i.test(reason);
        throw new ExecutionError(node.id, `cannot run ${node.id} (${node.sourceClass}): ${reason}${oom ? ' (out of memory: lower the batch size or the input size)' : ''}`);
      }
      options.onNode?.(node.id, now() - start);
      if (!sameShape(out.shape, info!.outputShape!)) {
        if (!ins.includes(out)) out.dispose();
        fail(node, `the kernel produced ${formatShape(out.shape)}, analysis expects ${formatShape(info!.outputShape!)}`);
      }
      hold(node.id, out);
      for (const ref of node.inputs) {
        const left = reads.get(ref.node)! - 1;
        reads.set(ref.node, left);
        if (left === 0 && !kept.has(ref.node)) release(ref.node);
      }
      if (!reads.get(node.id) && !kept.has(node.id)) release(node.id);
    }

    // Hand back distinct tensor objects the caller may dispose freely (a clone shares the data, copies nothing).
    const given = new Set<tfc.Tensor>();
    const give = (t: tfc.Tensor): tfc.Tensor => {
      const mine = given.has(t) || callerOwned.has(t) ? tf.clone(t) : t;
      given.add(mine);
      return mine;
    };
    const outputs = graph.outputs.map((ref) => give(values.get(ref.node)!));
    // Constants that are weights or static operands have no value of their own to tap.
    const taps = new Map(tapIds.filter((id) => values.has(id)).map((id) => [id, give(values.get(id)!)]));
    for (const t of new Set(values.values())) if (!given.has(t) && !callerOwned.has(t)) t.dispose();
    values.clear();
    return { outputs, taps };
  } catch (e) {
    for (const t of new Set(values.values())) if (!callerOwned.has(t)) t.dispose();
    throw e;
  }
}

/** A node's weight tensors, checked against what its op declares (names and shapes). */
function nodeWeights(node: IRNode, analysis: Analysis, weights: WeightMap, fail: (node: IRNode, reason: string) => never): Readonly<Record<string, tfc.Tensor>> {
  const declared = declaredWeights(node, analysis) ?? [];
  if (!declared.length) return {};
  const w = weightsFor(weights, node);
  if (!w) return fail(node, `no weights were given for it (it needs ${declared.map((d) => d.name).join(', ')})`);
  for (const d of declared) {
    const t = w[d.name];
    if (!t) fail(node, `weight "${d.name}" is missing (have ${Object.keys(w).join(', ') || 'none'})`);
    if (t.shape.length !== d.shape.length || t.shape.some((s, i) => s !== d.shape[i])) fail(node, `weight "${d.name}" has shape ${formatShape(t.shape)}, the layer needs ${formatShape(d.shape)}`);
  }
  return w;
}
