import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { execute } from './executor';
import { activationPreviews, type ActivationPreview, type PreviewOptions } from './thumbnails';
import type { WeightMap } from './weight-map';

// Previews of every node of a model for one input: the forward pass with taps, then a thumbnail per
// tapped output. What the extension runs after an image change, and what `npm run bench:run` times.

/** Activations kept alive at once while previews are computed; larger models are tapped in several runs. */
export const TAP_BUDGET_BYTES = 256e6;

/** Every node id, in graph order, cut into chunks whose outputs (analysis's activation bytes) fit `budget`. */
export function tapChunks(analysis: Analysis, budget = TAP_BUDGET_BYTES): string[][] {
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const n of analysis.nodes) {
    if (bytes + n.activationBytes > budget && chunks[chunks.length - 1].length) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1].push(n.id);
    bytes += n.activationBytes;
  }
  return chunks;
}

/** Runs the model on `inputs` (the caller's: not disposed) and returns a preview for every node: one forward pass per chunk of taps. */
export async function previewEveryNode(tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: PreviewOptions & { readonly budgetBytes?: number } = {}): Promise<Record<string, ActivationPreview>> {
  const previews: Record<string, ActivationPreview> = {};
  for (const taps of tapChunks(analysis, options.budgetBytes)) {
    const result = await execute(tf, analysis, weights, inputs, { taps, signal: options.signal });
    try {
      Object.assign(previews, await activationPreviews(tf, result.taps, options));
    } finally {
      for (const t of [...result.outputs, ...result.taps.values()]) t.dispose();
    }
  }
  return previews;
}
