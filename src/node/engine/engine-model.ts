import type { Analysis } from '../../core';

// The model the engine runs: ONNX bytes and the names that tie them back to the IR. This is the
// shape of the IR → ONNX exporter's result (src/core/engine/, `exportOnnx`); an ONNX file is its
// own engine model, passed through untouched.

export interface EngineModel {
  /** A serialised ModelProto. */
  readonly bytes: Uint8Array;
  /** ONNX value names fed, in `graph.inputs` order. */
  readonly inputs: readonly string[];
  /** ONNX value names read, in `graph.outputs` order. */
  readonly outputs: readonly string[];
  /** Each IR node's output value (the first output; in the IR's own layout), by node id. */
  readonly layerValues: ReadonlyMap<string, string>;
}

/** Why a model cannot run on the engine, in a user's words. */
export interface NoEngineModel {
  readonly reason: string;
}

/** An ONNX file as the engine's model: its bytes unchanged, values named by the file itself. */
export function onnxFileModel(analysis: Analysis, bytes: Uint8Array): EngineModel {
  const { graph } = analysis;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const valueOf = (id: string, index = 0): string => {
    const name = byId.get(id)?.outputNames?.[index];
    if (!name) throw new Error(`${graph.name}: node ${id} names no output ${index}`);
    return name;
  };
  const layerValues = new Map<string, string>();
  for (const n of graph.nodes) if (n.outputNames?.[0]) layerValues.set(n.id, n.outputNames[0]);
  return { bytes, inputs: graph.inputs.map((id) => valueOf(id)), outputs: graph.outputs.map((r) => valueOf(r.node, r.index)), layerValues };
}

/** The engine model for an analysed model, or why there is none yet. */
export function engineModelFor(analysis: Analysis, sourceBytes: () => Uint8Array): EngineModel | NoEngineModel {
  if (analysis.graph.format === 'onnx') return onnxFileModel(analysis, sourceBytes());
  return { reason: `${analysis.graph.format} models run on ONNX Runtime once CNN Lens exports them to ONNX (the IR → ONNX exporter has not landed yet)` };
}
