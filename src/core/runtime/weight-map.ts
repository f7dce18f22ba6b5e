import type * as tfc from '@tensorflow/tfjs-core';
import type { IRNode } from '../ir';

// Weights in memory, by node: the one type every loader produces and the executor reads. No I/O
// here, so workers and the webview can use it too.

/** Each node's weight tensors by the names its op's weights() declares (kernel, bias, gamma, …). */
export type NodeWeights = Readonly<Record<string, tfc.Tensor>>;
export type WeightMap = ReadonlyMap<string, NodeWeights>;

/** The node that owns a node's weights: later calls of a shared layer and of a nested model share the first call's. */
export const ownerId = (id: string): string => id.split('/').map((part) => part.replace(/@\d+$/, '')).join('/');

/** Where a node's weights live: its own entry, its shared layer's first call's, or its nested model's first call's. */
export const weightsFor = <T = NodeWeights>(weights: ReadonlyMap<string, T>, node: IRNode): T | undefined =>
  weights.get(node.id) ?? (node.sharesWeightsWith ? weights.get(node.sharesWeightsWith) : undefined) ?? weights.get(ownerId(node.id));

/** Disposes every tensor of a map once (later calls of shared layers hold the same tensors). */
export function disposeWeights(weights: WeightMap): void {
  const seen = new Set<tfc.Tensor>();
  for (const record of weights.values()) for (const t of Object.values(record)) seen.add(t);
  for (const t of seen) t.dispose();
}

/** The name under which a graph format's constant read as data (`Add(x, c)`) is its Constant node's own weight. */
export const CONSTANT_VALUE = 'value';
