import type * as tfc from '@tensorflow/tfjs-core';
import { analyze } from '../analysis/analyze';
import type { Analysis } from '../analysis/types';
import type { ModelSource } from '../formats/source';
import type { Graph, IRNode } from '../ir';
import { getOp, type WeightShape } from '../ops';
import { formatShape } from '../ops/tensor-math';
// The loaders import this module's helpers back; they use them only when called, so the cycle is harmless.
import { ownerId, type WeightMap } from './weight-map';
import { loadKerasWeights } from '../formats/keras/weights-keras';
import { loadTfjsWeights } from '../formats/keras/weights-tfjs';
import { formatOfGraph } from '../formats/registry';

// Weights for the executor: one common shape for every source (TF.js shards, Keras HDF5 files,
// `.keras` archives), and the checks every source shares. A loader finds, for each tensor in its
// file, the node that owns it and the op weight name (or position) it stands for; `bindWeights`
// checks every shape against the op's declared `weights()` and builds the map.
// The map has an entry for every node with weights, later calls of a shared layer (`name@2`) and of
// a nested model (`outer@2/inner`) included: they hold the very tensors of the first call.
// Tensors are float32 (int32 where the file stores integers); the caller owns them (disposeWeights).

/** Each node's weight tensors by the names its op's weights() declares (kernel, bias, gamma, …). */

export interface LoadedWeights { readonly weights: WeightMap; readonly source: string; /* e.g. "TF.js shards next to model.json (2 files, uint8-quantised)" */ }

/**
 * A weights file that cannot be used with the model: unreadable, or not matching the architecture
 * (names or shapes). `problems` lists every mismatch; the message names the file and the first ones.
 */
export class WeightsError extends Error {
  constructor(readonly file: string, readonly problems: readonly string[], headline?: string) {
    super(`${headline ?? `${file} does not match the model`}${problems.length ? `:\n${problems.slice(0, MAX_LISTED).map((p) => `  - ${p}`).join('\n')}${problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : ''}` : ''}`);
    this.name = 'WeightsError';
  }
}
const MAX_LISTED = 12;

export interface LoadOptions {
  /** The tfjs the tensors are created with (the chosen backend's); default @tensorflow/tfjs-core. */
  readonly tf?: typeof tfc;
}


/** A node that owns weights (first call), with the op's declared weights when shapes are known. */
export interface WeightSlot {
  readonly node: IRNode;
  /** Undefined for unknown ops and where the input shapes are unknown: then the file's tensors are taken unchecked. */
  readonly declared?: readonly WeightShape[];
}

/** Every node that could own weights, in graph order (first calls only), by id. */
export function weightSlots(analysis: Analysis): Map<string, WeightSlot> {
  const slots = new Map<string, WeightSlot>();
  for (const node of analysis.graph.nodes) {
    if (ownerId(node.id) !== node.id || node.op === 'Input') continue;
    const op = getOp(node.op);
    const ins = analysis.byId.get(node.id)?.inputShapes ?? [];
    let declared: readonly WeightShape[] | undefined;
    if (op && ins.every((s) => s !== undefined)) {
      try {
        declared = op.weights?.(ins as never, node.attrs) ?? [];
      } catch {
        declared = undefined;
      }
    }
    slots.set(node.id, { node, declared });
  }
  return slots;
}

/** One tensor found in a file, attributed to a node by the loader. */
export interface FoundWeight {
  readonly owner: string;
  /** The op weight name (TF.js, Keras 2) or, with `index`, the position in the layer's variable list (Keras 3). */
  readonly name?: string;
  readonly index?: number;
  /** How the file names it, for messages. */
  readonly origin: string;
  readonly tensor: tfc.Tensor;
}

export const asAnalysis = (model: Graph | Analysis): Analysis => ('byId' in model ? model : analyze(model));

/**
 * Checks what a loader found against the model and builds the map; throws a WeightsError listing
 * every problem (missing, extra, misshapen tensors, and those the loader could not place) and
 * disposes what it created.
 */
export function bindWeights(analysis: Analysis, found: readonly FoundWeight[], file: string, unplaced: readonly string[] = []): WeightMap {
  const slots = weightSlots(analysis);
  const problems = [...unplaced];
  const byOwner = new Map<string, FoundWeight[]>();
  for (const f of found) {
    const list = byOwner.get(f.owner) ?? [];
    list.push(f);
    byOwner.set(f.owner, list);
  }
  const records = new Map<string, Record<string, tfc.Tensor>>();
  for (const [id, slot] of slots) {
    const list = byOwner.get(id) ?? [];
    const where = `layer ${id} (${slot.node.sourceClass})`;
    if (!slot.declared) {
      // Unknown op or unknown input shapes: nothing to check against; keep the file's tensors by their names.
      if (list.length) records.set(id, Object.fromEntries(list.map((f, i) => [f.name ?? String(f.index ?? i), f.tensor])));
      continue;
    }
    const declared = slot.declared;
    if (!declared.length) {
      if (list.length) problems.push(`${where} has no weights, but the file has ${list.map((f) => f.origin).join(', ')}`);
      continue;
    }
    if (!list.length) {
      problems.push(`${where} needs ${declared.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ')}, but the file has no weights for it`);
      continue;
    }
    const record: Record<string, tfc.Tensor> = {};
    const used = new Set<FoundWeight>();
    declared.forEach((w, i) => {
      const f = list.find((x) => !used.has(x) && (x.name !== undefined ? x.name === w.name : x.index === i));
      if (!f) {
        problems.push(`${where}: weight "${w.name}" ${formatShape(w.shape)} is missing from the file`);
        return;
      }
      used.add(f);
      if (f.tensor.shape.length !== w.shape.length || f.tensor.shape.some((d, k) => d !== w.shape[k])) {
        problems.push(`${where}: weight "${w.name}" (${f.origin}) has shape ${formatShape(f.tensor.shape)} in the file, the model expects ${formatShape(w.shape)}`);
        return;
      }
      record[w.name] = f.tensor;
    });
    for (const f of list) if (!used.has(f)) problems.push(`${where}: the file's ${f.origin} ${formatShape(f.tensor.shape)} is not a weight of this layer (it has ${declared.map((w) => w.name).join(', ')})`);
    records.set(id, record);
  }
  for (const [owner, list] of byOwner) {
    if (!slots.has(owner)) problems.push(`the file's ${list.map((f) => f.origin).join(', ')} belong to "${owner}", which is not a layer of the model`);
  }
  if (problems.length) {
    for (const f of found) f.tensor.dispose();
    throw new WeightsError(file, problems);
  }
  const map = new Map<string, Readonly<Record<string, tfc.Tensor>>>();
  for (const node of analysis.graph.nodes) {
    const record = records.get(ownerId(node.id));
    if (record) map.set(node.id, record);
  }
  return map;
}

/** The kinds of weight files CNN Lens reads, by name. */
export function weightsKind(name: string): 'tfjs' | 'keras-h5' | 'keras-archive' | undefined {
  if (/\.json$/i.test(name)) return 'tfjs';
  if (/\.keras$/i.test(name)) return 'keras-archive';
  if (/\.(h5|hdf5|he5)$/i.test(name)) return 'keras-h5';
  return undefined;
}

/**
 * Loads weights for a model from a TF.js model.json (its shards are its siblings), a Keras `.h5` /
 * `.weights.h5` file or a `.keras` archive. The host gives the file as a source (src/node for
 * files on disk), so the same loaders run wherever the bytes come from.
 */
export async function loadWeightsFrom(source: ModelSource, model: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> {
  // Graph formats whose weights are their constants read them from the model's own files.
  const graphFormat = formatOfGraph('byId' in model ? model.graph : model);
  if (graphFormat?.ownWeights && graphFormat.detect(source)) return graphFormat.ownWeights(source, model, options);
  const kind = weightsKind(source.name);
  if (kind === 'tfjs') return loadTfjsWeights(source, model, options);
  if (kind === 'keras-h5' || kind === 'keras-archive') return loadKerasWeights(source, model, options);
  throw new WeightsError(source.name, [], `${source.name}: not a weights file CNN Lens reads (a TF.js model.json, a Keras .h5 / .weights.h5, or a .keras archive)`);
}

export { disposeWeights, ownerId, weightsFor, type NodeWeights, type WeightMap } from './weight-map';
