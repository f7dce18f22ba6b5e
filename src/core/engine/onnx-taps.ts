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

/** A value a preview reads: its name, its rank, and (4-D values) the axis its channels are stored on. */
export interface PreviewTap {
  readonly value: string;
  readonly rank: number;
  readonly channelAxis?: number;
}

/** What the preview graph computes for one tapped value: its range, and what a thumbnail reads. */
export interface PreviewValues {
  readonly min: string;
  readonly max: string;
  /** A 4-D value's first item's first `channels` maps (still in its stored layout); other ranks: the value itself. */
  readonly maps: string;
}

const INT64 = 7;
const INT = 2; // AttributeProto.INT

/**
 * The model with, for each tapped value, what its preview reads as graph outputs: ReduceMin and
 * ReduceMax over the whole value and, for 4-D values, a Slice of the first item's first `channels`
 * maps. Appended as nodes, initializers and outputs, by the same protobuf merge as withExtraOutputs.
 * Reading a few kilobytes per layer instead of every activation is what makes every-layer previews
 * cheap: the activations stay inside ONNX Runtime, which frees them as in an untapped run, and no
 * output buffer is allocated and copied per layer per run. ReduceMin/ReduceMax without axes reduce
 * every axis in every opset; Slice takes its bounds as inputs from opset 10.
 */
export function withPreviewOutputs(model: Uint8Array, taps: readonly PreviewTap[], channels: number, existingOutputs: readonly string[]): { bytes: Uint8Array; values: Map<string, PreviewValues> } {
  const values = new Map<string, PreviewValues>();
  const have = new Set(existingOutputs);
  const node: object[] = [];
  const output: object[] = [];
  const initializer: object[] = [];
  const constant = (name: string, v: readonly number[]) => initializer.push({ name, dataType: INT64, dims: [v.length], int64Data: v });
  const prefix = 'cnn_lens_preview';
  constant(`${prefix}/starts`, [0, 0]);
  constant(`${prefix}/ends`, [1, channels]);
  taps.forEach((tap, i) => {
    if (values.has(tap.value)) return;
    const [min, max] = [`${prefix}/${i}/min`, `${prefix}/${i}/max`];
    const keep = [{ name: 'keepdims', type: INT, i: 0 }];
    node.push({ opType: 'ReduceMin', input: [tap.value], output: [min], attribute: keep }, { opType: 'ReduceMax', input: [tap.value], output: [max], attribute: keep });
    let maps = tap.value;
    if (tap.rank === 4 && tap.channelAxis !== undefined) {
      maps = `${prefix}/${i}/maps`;
      constant(`${prefix}/${i}/axes`, [0, tap.channelAxis]);
      node.push({ opType: 'Slice', input: [tap.value, `${prefix}/starts`, `${prefix}/ends`, `${prefix}/${i}/axes`], output: [maps] });
    }
    output.push({ name: min }, { name: max }, ...(have.has(maps) ? [] : [{ name: maps }]));
    values.set(tap.value, { min, max, maps });
  });
  const tail = ModelProto.encode(ModelProto.create({ graph: { node, output, initializer } } as object)).finish();
  const bytes = new Uint8Array(model.byteLength + tail.byteLength);
  bytes.set(model);
  bytes.set(tail, model.byteLength);
  return { bytes, values };
}
