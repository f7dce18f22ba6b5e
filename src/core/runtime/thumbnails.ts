import type * as tfc from '@tensorflow/tfjs-core';
import { pngDataUrl } from './image';
import { activationPreviewsWith, arrayPreviewsWith, type ActivationPreview, type ArrayActivation, type PreviewOptions } from './preview-images';

// Activation previews in Node (the extension host, the CLI): the pictures of preview-images.ts
// encoded as PNG data URLs with pngjs.

export * from './preview-images';

/** Previews for every tapped tensor (the caller keeps and disposes the tensors), as PNG data URLs. */
export const activationPreviews = (tf: typeof tfc, taps: ReadonlyMap<string, tfc.Tensor>, options: PreviewOptions = {}): Promise<Record<string, ActivationPreview>> =>
  activationPreviewsWith(tf, taps, options, pngDataUrl);

/** Previews for activations held as arrays (an engine's taps) in `layout`, as PNG data URLs. */
export const arrayPreviews = (taps: ReadonlyMap<string, ArrayActivation>, layout: 'channels_first' | 'channels_last', options: PreviewOptions = {}): Promise<Record<string, ActivationPreview>> =>
  arrayPreviewsWith(taps, layout, options, pngDataUrl);
