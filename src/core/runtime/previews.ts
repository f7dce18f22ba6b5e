import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { pngDataUrl } from './image';
import { previewEveryNodeWith, type ActivationPreview, type EveryNodeOptions } from './preview-images';
import type { WeightMap } from './weight-map';

// Previews of every node of a model for one input: the forward pass with taps, then a thumbnail per
// tapped output. What the extension runs after an image change, and what `npm run bench:run` times.
// The work itself is preview-images.ts's (shared with the diagram webview); here the pictures are PNGs from pngjs.

export { TAP_BUDGET_BYTES, tapChunks } from './preview-images';

/** Runs the model on `inputs` (the caller's: not disposed) and returns a preview for every node: one forward pass per chunk of taps. */
export const previewEveryNode = (tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: EveryNodeOptions = {}): Promise<Record<string, ActivationPreview>> =>
  previewEveryNodeWith(tf, analysis, weights, inputs, options, pngDataUrl);
