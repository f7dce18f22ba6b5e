import type { Graph } from '../ir';
import { ModelProto } from '../formats/onnx/proto';

// Taps for ONNX Runtime: the values to read besides the model's outputs become extra graph outputs.
//
// The model is not decoded and re-encoded: a protobuf message followed by another of the same type
// parses as their merge (an embedded message field seen twice is merged, repeated fields are
// concatenated), so the ModelProto's bytes followed by `ModelProto { graph { output: [...] } }`
// is the same model with more graph outputs (ONNX Runtime's protobuf merges as the spec says;
// protobufjs does not: it keeps the last embedded message, so never decode the result with it
// expecting the merge). That costs one copy of the bytes and no walk of the
// weights, whatever the model's size. The extra outputs carry a name and no type: onnxruntime 1.23
// infers each output's type from the node that makes it (measured: an untyped output loads, and a
// wrongly typed one is refused with a type error), so no element type has to be guessed for values
// the file's value_info does not describe.

/** The model's bytes with `values` added as graph outputs (those it already outputs, and repeats, are skipped). */
export function withExtraOutputs(model: Uint8Array, values: readonly string[], existingOutputs: readonly string[]): Uint8Array {
  const have = new Set(existingOutputs);
  const extra = [...new Set(values)].filter((v) => !have.has(v));
  if (!extra.length) return model;
  const tail = ModelProto.encode(ModelProto.create({ graph: { output: extra.map((name) => ({ name })) } })).finish();
  const merged = new Uint8Array(model.byteLength + tail.byteLength);
  merged.set(model);
  merged.set(tail, model.byteLength);
  return merged;
}

/**
 * Which engine value each tapped IR node is read from: every node (or these ids) that the model
 * computes. Constants are weights, not activations, and are never tapped; nodes without a value in
 * `layerValues` (a layer the exporter folded away) are left out.
 */
export function tapValues(graph: Graph, layerValues: ReadonlyMap<string, string>, taps: 'all' | readonly string[]): Map<string, string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const ids = taps === 'all' ? graph.nodes.map((n) => n.id) : taps;
  const out = new Map<string, string>();
  for (const id of ids) {
    const node = byId.get(id);
    if (!node) throw new Error(`cannot tap "${id}": there is no such node in ${graph.name}`);
    const value = layerValues.get(id);
    if (node.op !== 'Constant' && value) out.set(id, value);
  }
  return out;
}
