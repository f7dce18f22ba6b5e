import type { Analysis } from '../../core';
import { exportOnnx, type OnnxExport } from '../../core/engine/onnx-export';
import { OnnxExportError } from '../../core/engine/onnx-emitter';
import { plainWeights } from '../../core/engine/plain-weights';
import type { WeightMap } from '../../core/runtime/weight-map';

// The model the engine runs: ONNX bytes and the names that tie them back to the IR, made by the
// IR → ONNX exporter (src/core/engine/, `exportOnnx`) once per model and weights; an ONNX file is
// its own engine model, passed through untouched.
//
// Layers are read (tapped) where the graph stores them, not through a view in the IR's layout: a
// view is a Transpose node per tapped layer, and ORT then loses the fusions of every tapped layer
// (measured: every-layer tapped runs of Keras models at 2.6–3.9× the untapped time). The readers
// (thumbnails, tests) turn a stored value into the IR's layout with `layerPerms`.

export interface EngineModel {
  /** A serialised ModelProto. */
  readonly bytes: Uint8Array;
  /** ONNX value names fed, in `graph.inputs` order. */
  readonly inputs: readonly string[];
  /** ONNX value names read, in `graph.outputs` order. */
  readonly outputs: readonly string[];
  /** Each IR node's output value (the first output) as the graph stores it, by node id. */
  readonly layerValues: ReadonlyMap<string, string>;
  /** How a layer's stored value is laid out where it is not the IR's layout: stored = transpose(IR value, perm). */
  readonly layerPerms: ReadonlyMap<string, readonly number[]>;
}

/** Why a model cannot run on the engine, in a user's words. */
export interface NoEngineModel {
  readonly reason: string;
}

/** An exporter's result as the engine's model: every layer read where it is stored. */
export function engineModelOf(exported: OnnxExport): EngineModel {
  const layerValues = new Map<string, string>();
  const layerPerms = new Map<string, readonly number[]>();
  for (const [id, { name, perm }] of exported.storedValues) {
    layerValues.set(id, name);
    if (perm.some((p, i) => p !== i)) layerPerms.set(id, perm);
  }
  return { bytes: exported.bytes, inputs: exported.inputs, outputs: exported.outputs, layerValues, layerPerms };
}

/** An ONNX file as the engine's model: its bytes unchanged, values named by the file itself. */
export const onnxFileModel = (analysis: Analysis, bytes: Uint8Array): EngineModel => engineModelOf(exportOnnx(analysis, new Map(), { source: bytes }));

export interface EngineModelSource {
  /** The model file's bytes (read only for ONNX files). */
  readonly bytes: () => Uint8Array;
  /** The run's weights, loaded (or seeded) as tfjs tensors (called only for formats that need them). */
  readonly weights: () => Promise<WeightMap>;
}

/**
 * The engine model for an analysed model, or why there is none: an ONNX file as it is, any other
 * format exported with its weights. A layer with no ONNX form is a reason (the caller goes down
 * the backend chain), not an error.
 */
export async function engineModelFor(analysis: Analysis, source: EngineModelSource): Promise<EngineModel | NoEngineModel> {
  if (analysis.graph.format === 'onnx') return onnxFileModel(analysis, source.bytes());
  try {
    return engineModelOf(exportOnnx(analysis, await plainWeights(await source.weights())));
  } catch (e) {
    if (e instanceof OnnxExportError) return { reason: `ONNX Runtime cannot run it: ${e.message}` };
    throw e;
  }
}
