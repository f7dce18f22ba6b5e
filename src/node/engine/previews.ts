import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../../core';
import type { Graph } from '../../core/ir';
import { tapChunks } from '../../core/runtime/preview-images';
import { arrayPreviews, DEFAULT_CHANNELS, type ActivationPreview, type ArrayActivation, type PreviewOptions } from '../../core/runtime/thumbnails';
import type { EngineSession } from './session';
import type { EngineTensor } from './tensors';

// Run Model on Image on the engine: every layer's range and first feature maps computed inside the
// graph (EngineSession.runSummaries: no activation leaves ONNX Runtime whole), each layer's
// thumbnail or top-5 drawn by the thumbnail code tfjs uses, read in the layout the engine stored it
// (engine-model.ts says why).

/** How the IR lays out 4-D activations: ONNX files channels first, Keras and TF.js channels last. */
export const irLayout = (graph: Graph): 'channels_first' | 'channels_last' => (graph.format === 'onnx' ? 'channels_first' : 'channels_last');

/** Prepared input tensors (tfjs, from preprocess.ts) as the engine's arrays. */
export const engineInputs = (tensors: readonly tfc.Tensor[]): EngineTensor[] => tensors.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync() as ArrayLike<number>) }));

export async function enginePreviews(session: EngineSession, analysis: Analysis, inputs: readonly EngineTensor[], options: PreviewOptions & { readonly budgetBytes?: number } = {}): Promise<Record<string, ActivationPreview>> {
  const layout = irLayout(analysis.graph);
  const channelAxis = layout === 'channels_first' ? 1 : 3;
  const { model } = session;
  const constants = new Set(analysis.graph.nodes.filter((n) => n.op === 'Constant').map((n) => n.id));
  const layers = analysis.nodes.filter((n) => !constants.has(n.id) && n.outputShape).map((n) => {
    const perm = model.layerPerms.get(n.id);
    return { id: n.id, rank: n.outputShape!.length, channelAxis: perm ? perm.indexOf(channelAxis) : channelAxis, shape: n.outputShape! };
  });
  let summaries: Awaited<ReturnType<EngineSession['runSummaries']>>;
  try {
    summaries = await session.runSummaries(inputs, layers, { channels: options.channels ?? DEFAULT_CHANNELS, signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    return fullTapPreviews(session, analysis, inputs, options); // a model ORT will not extend (an opset before Slice's inputs)
  }
  const stored = new Map<string, ArrayActivation>();
  for (const l of layers) {
    const s = summaries.get(l.id);
    if (!s) continue;
    const perm = model.layerPerms.get(l.id);
    // The whole value's IR shape: the analysis's, its open dimensions as this run has them.
    const read = perm ? l.shape.map((_, j) => s.maps.shape[perm.indexOf(j)]) : s.maps.shape;
    const shape = l.shape.map((d, j) => (j === 0 || d === null ? read[j] : d));
    stored.set(l.id, { ...s.maps, perm, whole: { min: s.min, max: s.max, shape } });
  }
  return arrayPreviews(stored, layout, options);
}

/** Previews from whole tapped activations (in chunks whose activations fit the tap budget, as on tfjs). */
async function fullTapPreviews(session: EngineSession, analysis: Analysis, inputs: readonly EngineTensor[], options: PreviewOptions & { readonly budgetBytes?: number }): Promise<Record<string, ActivationPreview>> {
  const previews: Record<string, ActivationPreview> = {};
  const layout = irLayout(analysis.graph);
  for (const taps of tapChunks(analysis, options.budgetBytes)) {
    const result = await session.run(inputs, { taps, signal: options.signal });
    const stored = new Map([...result.taps].map(([id, t]) => [id, { ...t, perm: session.model.layerPerms.get(id) }]));
    Object.assign(previews, await arrayPreviews(stored, layout, options));
  }
  return previews;
}
