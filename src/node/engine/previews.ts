import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../../core';
import type { Graph } from '../../core/ir';
import { tapChunks } from '../../core/runtime/preview-images';
import { arrayPreviews, type ActivationPreview, type PreviewOptions } from '../../core/runtime/thumbnails';
import type { EngineSession } from './session';
import type { EngineTensor } from './tensors';

// Run Model on Image on the engine: every layer tapped (in chunks whose activations fit the tap
// budget, as on tfjs), and each tap's thumbnail or top-5 drawn by the thumbnail code tfjs uses,
// read in the layout the engine stored it (engine-model.ts says why).

/** How the IR lays out 4-D activations: ONNX files channels first, Keras and TF.js channels last. */
export const irLayout = (graph: Graph): 'channels_first' | 'channels_last' => (graph.format === 'onnx' ? 'channels_first' : 'channels_last');

/** Prepared input tensors (tfjs, from preprocess.ts) as the engine's arrays. */
export const engineInputs = (tensors: readonly tfc.Tensor[]): EngineTensor[] => tensors.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync() as ArrayLike<number>) }));

export async function enginePreviews(session: EngineSession, analysis: Analysis, inputs: readonly EngineTensor[], options: PreviewOptions & { readonly budgetBytes?: number } = {}): Promise<Record<string, ActivationPreview>> {
  const previews: Record<string, ActivationPreview> = {};
  const layout = irLayout(analysis.graph);
  for (const taps of tapChunks(analysis, options.budgetBytes)) {
    const result = await session.run(inputs, { taps, signal: options.signal });
    const stored = new Map([...result.taps].map(([id, t]) => [id, { ...t, perm: session.model.layerPerms.get(id) }]));
    Object.assign(previews, await arrayPreviews(stored, layout, options));
  }
  return previews;
}
