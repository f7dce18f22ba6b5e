import type * as tfc from '@tensorflow/tfjs-core';
import * as tfcore from '@tensorflow/tfjs-core';
import type { Analysis } from '../../analysis/types';
import type { Graph } from '../../ir';
import { transposeData } from '../../engine/onnx-emitter';
import { getOp } from '../../ops';
import { operandRole } from '../../ops/op';
import { declaredWeights } from '../../runtime/random-weights';
import { asAnalysis, WeightsError, type LoadedWeights, type LoadOptions } from '../../runtime/weights';
import type { ModelSource } from '../source';
import { STORED_LAYOUTS } from './ops-map';
import { dequantize } from './quantization';
import { readTflite, type TfliteTensor } from './read';

// A TFLite model's own weights for the engine: each constant a node reads, as float32 — float16
// widened, int8 / uint8 / int32 dequantised through their scales and zero points (per channel
// where the file says so) — and re-laid out from TFLite's kernel layouts into the ones the ops
// declare (ops-map.ts, STORED_LAYOUTS). Constants a node reads as data (an ADD's stored operand)
// are given under the Constant node's id as `value`, for the exporter to write as initializers.
// A quantised model therefore runs in float32 after dequantisation, and the weights' source says so.

const QUANTISED = new Set(['int8', 'uint8', 'int16', 'int4']);

export async function loadTfliteWeights(source: ModelSource, of: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> {
  const analysis = asAnalysis(of);
  const tf: typeof tfc = options.tf ?? tfcore;
  const { graph } = analysis;
  const model = readTflite(source.bytes());
  // Constants are found again by their buffer's place in the file and their name (the IR keeps both).
  const byPlace = new Map<string, TfliteTensor>();
  for (const t of model.subgraphs[0].tensors) {
    const b = model.buffers[t.buffer];
    if (b?.length) byPlace.set(`${b.offset}:${t.name}`, t);
  }
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const bytes = source.bytes();
  const stored = new Set<string>();
  const problems: string[] = [];
  const read = (constantId: string): { shape: number[]; data: Float32Array } | undefined => {
    const c = nodes.get(constantId);
    const ir = c?.tensor ? graph.constants?.[c.tensor] : undefined;
    const t = ir?.location ? byPlace.get(`${ir.location.offset}:${ir.name}`) : undefined;
    if (!ir || !t) return undefined;
    if (!(t.dtype === 'int32' && t.quantization)) stored.add(t.dtype!); // a quantised model's int32 biases go with its int8 weights
    return { shape: [...t.shape], data: dequantize(t, bytes.subarray(ir.location!.offset, ir.location!.offset + ir.location!.length)) };
  };
  const weights = new Map<string, Record<string, tfc.Tensor>>();
  for (const node of graph.nodes) {
    const op = getOp(node.op);
    if (!op || node.op === 'Constant') continue;
    const declared = declaredWeights(node, analysis) ?? [];
    const record: Record<string, tfc.Tensor> = {};
    node.inputs.forEach((ref, i) => {
      const role = operandRole(op, i);
      if (role === 'static' || nodes.get(ref.node)?.op !== 'Constant') return;
      try {
        const plain = read(ref.node);
        if (!plain) return;
        if (role === 'data') {
          if (!weights.has(ref.node)) weights.set(ref.node, { value: tf.tensor(plain.data, plain.shape, 'float32') });
          return;
        }
        const want = declared.find((w) => w.name === role.weight);
        if (!want) {
          problems.push(`${node.id} (${node.sourceClass}): the op has no weight "${role.weight}"`);
          return;
        }
        const perm = STORED_LAYOUTS[node.sourceClass]?.[role.weight];
        const laid = perm && perm.length === plain.shape.length ? transposeData(plain, perm) : plain;
        if (laid.data.length !== want.shape.reduce((p, d) => p * d, 1)) {
          problems.push(`${node.id} (${node.sourceClass}): weight "${role.weight}" holds ${laid.data.length} values, the op needs [${want.shape.join(', ')}]`);
          return;
        }
        record[role.weight] = tf.tensor(laid.data, [...want.shape], 'float32');
      } catch (e) {
        problems.push(`${node.id} (${node.sourceClass}): ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    if (Object.keys(record).length) weights.set(node.id, record);
  }
  if (problems.length) {
    for (const r of weights.values()) for (const t of Object.values(r)) t.dispose();
    throw new WeightsError(source.name, problems, `${source.name}: its weights cannot be read`);
  }
  return { weights, source: describeSource(source.name, stored) };
}

/** Where the weights came from, and how they were read: a quantised model is said to run in float32 after dequantisation. */
function describeSource(file: string, dtypes: ReadonlySet<string>): string {
  const quantised = [...dtypes].filter((d) => QUANTISED.has(d));
  const widened = [...dtypes].filter((d) => d !== 'float32' && !QUANTISED.has(d));
  const notes = [
    ...(quantised.length ? [`${quantised.join('/')} model run in float32 after dequantisation (the integer kernels' rounding is not reproduced)`] : []),
    ...(widened.length ? [`${widened.join('/')} weights read as float32`] : []),
  ];
  return `the TFLite file's own weights (${file.replace(/^.*[\\/]/, '')}${notes.length ? `; ${notes.join('; ')}` : ''})`;
}
