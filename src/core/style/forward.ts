import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { getOp } from '../ops';
import { weightsFor, type WeightMap } from '../runtime/weight-map';
import { trainableConv2d, trainableConv2dTranspose } from './wasm-gradients';

// A synchronous forward pass over an analysed graph, for style transfer's gradients.
//
// runtime/executor.ts is the way to run a graph for inference: it is async (it yields so that a
// run can be cancelled) and frees each intermediate inside its own tf.tidy — both of which keep
// tf.grad / tf.variableGrads from seeing the computation (their function must be synchronous).
// This walks the same graph with the same op kernels (OpDef.run from the op registry), keeps every
// intermediate for the tape, and leaves cleanup to the caller's tf.tidy. One difference, for
// training only: BatchNormalization can use the batch's own statistics (training mode) and report
// them, so that the moving statistics can be set afterwards.

export interface ForwardOptions {
  /** Node outputs to return besides the graph outputs; only ancestors of these (and of the outputs, unless `outputs: false`) run. */
  readonly taps?: readonly string[];
  /** Compute the graph outputs too (default true). The loss network runs taps only. */
  readonly outputs?: boolean;
  /** BatchNormalization uses batch statistics (mean and variance over N, H, W). */
  readonly training?: boolean;
  /** In training mode, called with each BN node's batch mean and variance (tensors of the caller's tidy). */
  readonly onBatchStats?: (node: string, mean: tfc.Tensor, variance: tfc.Tensor) => void;
}

export interface ForwardResult {
  readonly outputs: tfc.Tensor[];
  readonly taps: Map<string, tfc.Tensor>;
}

export function forwardSync(tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: ForwardOptions = {}): ForwardResult {
  const { graph } = analysis;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const taps = options.taps ?? [];
  for (const id of taps) if (!byId.has(id)) throw new Error(`cannot tap "${id}": there is no such node in ${graph.name}`);
  const wanted = [...taps, ...(options.outputs === false ? [] : graph.outputs.map((r) => r.node))];
  const needed = new Set<string>();
  const stack = [...wanted];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const ref of byId.get(id)?.inputs ?? []) stack.push(ref.node);
  }
  const values = new Map<string, tfc.Tensor>();
  graph.inputs.forEach((id, i) => values.set(id, inputs[i]));
  for (const node of graph.nodes) {
    if (!needed.has(node.id) || node.op === 'Input') continue;
    const op = getOp(node.op);
    if (!op?.run) throw new Error(`cannot run ${node.id} (${node.sourceClass}): ${op ? `the op ${node.op} has no TensorFlow.js kernel` : 'unknown op'}`);
    const ins = node.inputs.map((r) => {
      const v = values.get(r.node);
      if (!v) throw new Error(`cannot run ${node.id}: its input ${r.node} was not computed`);
      return v;
    });
    const w = weightsFor(weights, node) ?? {};
    let out: tfc.Tensor;
    if (options.training && node.op === 'BatchNormalization') {
      const a = node.attrs as { epsilon: number; center: boolean; scale: boolean };
      const { mean, variance } = tf.moments(ins[0], [0, 1, 2]);
      options.onBatchStats?.(node.id, mean, variance);
      out = tf.batchNorm(ins[0], mean, variance, a.center ? (w.beta as tfc.Tensor1D) : undefined, a.scale ? (w.gamma as tfc.Tensor1D) : undefined, a.epsilon);
    } else if (options.training && (node.op === 'Conv2D' || node.op === 'Conv2DTranspose') && isPlainConv(node.attrs)) {
      // Kernels trained on any backend (wasm has no Conv2DBackpropFilter): see wasm-gradients.ts.
      const a = node.attrs as unknown as PlainConv;
      const x = ins[0] as tfc.Tensor4D;
      const k = w.kernel as tfc.Tensor4D;
      out = node.op === 'Conv2D'
        ? trainableConv2d(tf, x, k, a.strides, a.padding)
        : trainableConv2dTranspose(tf, x, k, analysis.byId.get(node.id)!.outputShape!.map((d, i) => (i === 0 ? x.shape[0] : i === 1 ? x.shape[1] * a.strides[0] : i === 2 ? x.shape[2] * a.strides[1] : d)) as [number, number, number, number], a.strides, a.padding);
      if (a.useBias) out = tf.add(out, w.bias);
      if (a.activation === 'relu') out = tf.relu(out);
      else if (a.activation !== 'linear') throw new Error(`training ${node.id}: activation ${a.activation} is not supported in training mode`);
    } else {
      out = op.run(tf, ins, w, node.attrs);
    }
    values.set(node.id, out);
  }
  return {
    outputs: options.outputs === false ? [] : graph.outputs.map((r) => values.get(r.node)!),
    taps: new Map(taps.map((id) => [id, values.get(id)!])),
  };
}

interface PlainConv {
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly useBias: boolean;
  readonly activation: string;
  readonly groups?: number;
  readonly dilationRate: readonly number[];
  readonly outputPadding?: unknown;
}
const isPlainConv = (a: unknown): boolean => {
  const c = a as PlainConv;
  return (c.groups ?? 1) === 1 && c.dilationRate.every((d) => d === 1) && (c.outputPadding ?? null) === null && (c.padding === 'same' || c.padding === 'valid');
};
