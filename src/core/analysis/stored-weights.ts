import { DTYPE_BYTES, type DType, type Graph, type WeightSpec } from '../ir';
import type { Analysis } from './types';

// Weight bytes as a TF.js weights manifest stores them: a uint8-quantised model of 2.5 MB is 2.5 MB
// on disk and in the download, though TensorFlow.js decodes it to float32 (4 bytes a value) when it
// runs. Each tensor is attributed to the layer its name starts with (`conv1/kernel`,
// `block_1/expand/kernel`), as the TF.js converter names them.

export interface StoredWeights {
  readonly bytes: number;
  /** The stored dtype: the quantisation's where quantised ('uint8', 'uint16', 'float16'). */
  readonly byDtype: Readonly<Record<string, number>>;
}

const storedDtype = (spec: WeightSpec): string => spec.quantization?.dtype ?? spec.dtype;
// (A manifest is the file's word: a spec without a list shape counts nothing here; its loader refuses it by name.)
const storedBytes = (spec: WeightSpec): number => (Array.isArray(spec.shape) ? spec.shape.reduce((p, d) => p * d, 1) : 0) * (DTYPE_BYTES[storedDtype(spec) as DType] ?? 4);

/** The manifest's bytes per owning node id; empty when the graph has no manifest or keeps its weights as constants. Tensors no layer's name starts are left out. */
export function storedWeightsByNode(graph: Graph): ReadonlyMap<string, StoredWeights> {
  const out = new Map<string, { bytes: number; byDtype: Record<string, number> }>();
  // Graph formats (TF.js graph models) keep their weights as constants, counted from those as stored.
  if (!graph.weights?.length || Object.keys(graph.constants ?? {}).length) return out;
  const ids = new Set(graph.nodes.map((n) => n.id));
  // A layer's own name, for names that skip the enclosing model's (`dense/kernel` inside `outer`), when only one layer has it.
  const byLayer = new Map<string, string | null>();
  for (const n of graph.nodes) if (!n.sharesWeightsWith) byLayer.set(n.layer, byLayer.has(n.layer) ? null : n.id);
  for (const spec of graph.weights) {
    if (typeof spec?.name !== 'string') continue; // a damaged manifest: its loader names the entry
    const parts = spec.name.split('/').slice(0, -1);
    let owner: string | undefined;
    for (let k = parts.length; k > 0 && !owner; k--) {
      const id = parts.slice(0, k).join('/');
      if (ids.has(id)) owner = id;
    }
    owner ??= parts.map((p) => byLayer.get(p)).find((id): id is string => !!id);
    if (!owner) continue;
    const entry = out.get(owner) ?? { bytes: 0, byDtype: {} };
    const b = storedBytes(spec);
    entry.bytes += b;
    entry.byDtype[storedDtype(spec)] = (entry.byDtype[storedDtype(spec)] ?? 0) + b;
    out.set(owner, entry);
  }
  return out;
}

/** TF.js decodes quantised and float16 manifest weights to float32 when it runs: that size, apart from the stored one. */
export function runtimeWeights(analysis: Analysis): { runtimeWeightBytes?: number } {
  const decodes = !!analysis.graph.weights?.length && Object.keys(analysis.weightBytesByDtype).some((d) => d !== 'float32');
  return decodes ? { runtimeWeightBytes: analysis.totals.params * 4 } : {};
}
