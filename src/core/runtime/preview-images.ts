import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { execute } from './executor';
import type { RgbaImage } from './image';
import type { WeightMap } from './weight-map';
import { yieldToEventLoop } from './yield';

// Activation previews: what crosses to the webview instead of activations. For each tapped node,
// a small PNG (a data URL) and a few numbers:
// - 4-D outputs [N, H, W, C]: the first `channels` feature maps of the first image, each normalised
//   to its own min…max (grey, black = min), tiled in a near-square grid with 1-pixel gaps; each map
//   is shrunk (nearest) to at most `cell` pixels a side. `min`/`max` are the whole tensor's range.
// - 2-D outputs [N, K] (Dense, Softmax, pooling heads): the top-k values as bars (`top`), and a
//   thumbnail drawing those bars. Other ranks are flattened to [N, K].
// The heavy reading (a slice of the first channels, the min and max) happens on the backend.
// No I/O and no Node here: the extension host, the CLI and the diagram webview's run worker share it;
// each passes its own picture encoder (thumbnails.ts: pngjs; webview/run: a canvas).

export interface ActivationPreview {
  /** data:image/png;base64,… */
  readonly thumbnail: string;
  /** The whole output's value range. */
  readonly min: number;
  readonly max: number;
  /** The output's channel count (last axis). */
  readonly channels: number;
  /** True when the weights (or the input) were random: the view must say so. */
  readonly random: boolean;
  readonly shape: readonly number[];
  /** For 2-D outputs: the k largest values, largest first (class index and value; the class name when a label file applies: labels.ts). */
  readonly top?: readonly { readonly index: number; readonly value: number; readonly label?: string }[];
  /** For 4-D outputs: how many feature maps the thumbnail shows. */
  readonly shown?: number;
}

/** Turns a picture into the URL the webview shows (`data:image/png;base64,…`). */
export type EncodeImage = (image: RgbaImage) => string | Promise<string>;

/** Feature maps a thumbnail shows unless told. */
export const DEFAULT_CHANNELS = 16;

export interface PreviewOptions {
  /** Feature maps shown per node; default DEFAULT_CHANNELS. */
  readonly channels?: number;
  /** Largest side of one feature map in the grid, px; default 32. */
  readonly cell?: number;
  /** Bars for 2-D outputs; default 5. */
  readonly topK?: number;
  readonly random?: boolean;
  readonly signal?: AbortSignal;
}

/** Tiles feature maps ([H, W, n] values, channel-last) into a grey RGBA grid. */
export function featureGrid(values: ArrayLike<number>, h: number, w: number, n: number, cell = 32): { width: number; height: number; data: Uint8Array } {
  const scale = Math.min(1, cell / Math.max(h, w));
  const ch = Math.max(1, Math.round(h * scale));
  const cw = Math.max(1, Math.round(w * scale));
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * cw + (cols - 1);
  const height = rows * ch + (rows - 1);
  const data = new Uint8Array(width * height * 4);
  // The gaps: a mid grey, opaque, so that the grid reads on light and dark themes alike (maps are drawn over it).
  const gap = [96, 96, 96, 255];
  for (let i = 0; i < data.length; i++) data[i] = gap[i & 3];
  for (let c = 0; c < n; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < h * w; i++) {
      const v = values[i * n + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo;
    const ox = (c % cols) * (cw + 1);
    const oy = Math.floor(c / cols) * (ch + 1);
    for (let y = 0; y < ch; y++) {
      const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / ch));
      for (let x = 0; x < cw; x++) {
        const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / cw));
        const v = values[(sy * w + sx) * n + c];
        const g = span > 0 && Number.isFinite(span) ? Math.round(((v - lo) / span) * 255) : 0;
        const p = ((oy + y) * width + ox + x) * 4;
        data[p] = g;
        data[p + 1] = g;
        data[p + 2] = g;
      }
    }
  }
  return { width, height, data };
}

/** The k largest values with their indices, largest first. */
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  const best: { index: number; value: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length < k || v > best[best.length - 1].value) {
      best.push({ index: i, value: v });
      best.sort((a, b) => b.value - a.value);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Horizontal bars (one row each), lengths relative to the largest |value|. */
export function barsImage(top: readonly { value: number }[], width = 64, rowHeight = 6): { width: number; height: number; data: Uint8Array } {
  const height = Math.max(1, top.length * (rowHeight + 1) - 1);
  const data = new Uint8Array(width * height * 4);
  const big = Math.max(1e-12, ...top.map((t) => Math.abs(t.value)));
  top.forEach((t, r) => {
    const len = Math.max(1, Math.round((Math.abs(t.value) / big) * width));
    for (let y = r * (rowHeight + 1); y < r * (rowHeight + 1) + rowHeight; y++) {
      for (let x = 0; x < len; x++) data.set(t.value >= 0 ? [55, 148, 255, 255] : [240, 100, 80, 255], (y * width + x) * 4);
    }
  });
  return { width, height, data };
}

/**
 * Previews for every tapped tensor (the caller keeps and disposes the tensors), each picture turned
 * into a URL by `encode`: PNG via pngjs in Node (thumbnails.ts), a canvas in the browser.
 */
export async function activationPreviewsWith(tf: typeof tfc, taps: ReadonlyMap<string, tfc.Tensor>, options: PreviewOptions, encode: EncodeImage): Promise<Record<string, ActivationPreview>> {
  const maxChannels = options.channels ?? DEFAULT_CHANNELS;
  const random = options.random ?? false;
  const out: Record<string, ActivationPreview> = {};
  for (const [id, t] of taps) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('previews were cancelled');
    if (t.size === 0 || t.dtype === 'string') continue;
    const shape = t.shape;
    const [lo, hi] = await Promise.all([tf.tidy(() => tf.min(t)), tf.tidy(() => tf.max(t))].map(async (s) => {
      const v = (await s.data())[0];
      s.dispose();
      return v;
    }));
    const channels = shape[shape.length - 1] ?? 1;
    if (shape.length === 4) {
      const [, h, w, c] = shape;
      const n = Math.min(c, maxChannels);
      const first = tf.tidy(() => tf.slice(t, [0, 0, 0, 0], [1, h, w, n]));
      const values = await first.data();
      first.dispose();
      out[id] = { thumbnail: await encode(featureGrid(values, h, w, n, options.cell)), min: lo, max: hi, channels, random, shape, shown: n };
    } else {
      const row = tf.tidy(() => tf.slice(tf.reshape(t, [shape[0] ?? 1, -1]), [0, 0], [1, -1]));
      const values = await row.data();
      row.dispose();
      const top = topK(values, options.topK ?? 5);
      out[id] = { thumbnail: await encode(barsImage(top)), min: lo, max: hi, channels, random, shape, top };
    }
    // Let the host (or the page) breathe between nodes.
    await yieldToEventLoop();
  }
  return out;
}

/**
 * An activation as plain numbers (an engine's tap), row-major in the layout the engine stored it:
 * `perm` says how (stored = transpose(IR value, perm)); absent, the IR's own layout and shape.
 */
export interface ArrayActivation {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly perm?: readonly number[];
  /**
   * Set when `data` is only what a preview reads (a 4-D value's first item's first maps), the engine
   * having reduced the rest: the whole value's range and its IR shape.
   */
  readonly whole?: { readonly min: number; readonly max: number; readonly shape: readonly number[] };
}

/** The IR's shape of a stored activation, and each IR axis's stride in its data. */
function irView({ shape, perm }: ArrayActivation): { shape: number[]; strides: number[] } {
  const stored = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) stored[i] = s;
  const axisOf = (irAxis: number) => (perm ? perm.indexOf(irAxis) : irAxis);
  return { shape: shape.map((_, j) => shape[axisOf(j)]), strides: shape.map((_, j) => stored[axisOf(j)]) };
}

/** The first item of a batch as IR-ordered values (a copy only when the stored layout is not the IR's). */
function firstItem(a: ArrayActivation, shape: readonly number[], strides: readonly number[]): ArrayLike<number> {
  const size = shape.slice(1).reduce((x, y) => x * y, 1);
  if (!a.perm || a.perm.every((p, i) => p === i)) return a.data.subarray(0, size);
  const out = new Float32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let from = 0;
    for (let j = 1; j < shape.length; j++) from += index[j] * strides[j];
    out[k] = a.data[from];
    for (let j = shape.length - 1; j >= 1 && ++index[j] === shape[j]; j--) index[j] = 0;
  }
  return out;
}

/**
 * Previews for activations held as arrays (ONNX Runtime's taps), the same pictures as
 * activationPreviewsWith. `layout` is the IR's for 4-D values (ONNX's NCHW, Keras's NHWC); each
 * tap is read where the engine stored it (its `perm`), so no engine has to transpose for a picture.
 */
export async function arrayPreviewsWith(taps: ReadonlyMap<string, ArrayActivation>, layout: 'channels_first' | 'channels_last', options: PreviewOptions, encode: EncodeImage): Promise<Record<string, ActivationPreview>> {
  const maxChannels = options.channels ?? DEFAULT_CHANNELS;
  const random = options.random ?? false;
  const out: Record<string, ActivationPreview> = {};
  for (const [id, tap] of taps) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('previews were cancelled');
    const { data, whole } = tap;
    if (data.length === 0) continue;
    let lo = whole?.min ?? Infinity;
    let hi = whole?.max ?? -Infinity;
    for (let i = 0; !whole && i < data.length; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const { shape: read, strides } = irView(tap);
    const shape = whole?.shape ?? read;
    if (shape.length === 4) {
      const [hAxis, wAxis, cAxis] = layout === 'channels_first' ? [2, 3, 1] : [1, 2, 3];
      const [h, w, c] = [shape[hAxis], shape[wAxis], shape[cAxis]];
      const [sh, sw, sc] = [strides[hAxis], strides[wAxis], strides[cAxis]];
      const n = Math.min(read[cAxis], maxChannels);
      // The first image's first n maps, channel-last as featureGrid reads them.
      const values = new Float32Array(h * w * n);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < n; k++) values[(y * w + x) * n + k] = data[y * sh + x * sw + k * sc];
      out[id] = { thumbnail: await encode(featureGrid(values, h, w, n, options.cell)), min: lo, max: hi, channels: c, random, shape, shown: n };
    } else {
      const top = topK(firstItem(tap, read, strides), options.topK ?? 5);
      out[id] = { thumbnail: await encode(barsImage(top)), min: lo, max: hi, channels: shape[shape.length - 1] ?? 1, random, shape, top };
    }
  }
  return out;
}

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

export interface EveryNodeOptions extends PreviewOptions {
  readonly budgetBytes?: number;
  /** Also reads each chunk's tapped outputs before they are freed (the webview's statistics for tests). */
  readonly onTaps?: (taps: ReadonlyMap<string, tfc.Tensor>) => Promise<void>;
}

/**
 * Runs the model on `inputs` (the caller's: not disposed) and returns a preview for every node, its
 * picture encoded by `encode`: one forward pass per chunk of taps.
 */
export async function previewEveryNodeWith(tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: EveryNodeOptions, encode: EncodeImage): Promise<Record<string, ActivationPreview>> {
  const previews: Record<string, ActivationPreview> = {};
  for (const taps of tapChunks(analysis, options.budgetBytes)) {
    const result = await execute(tf, analysis, weights, inputs, { taps, signal: options.signal });
    try {
      Object.assign(previews, await activationPreviewsWith(tf, result.taps, options, encode));
      await options.onTaps?.(result.taps);
    } finally {
      for (const t of [...result.outputs, ...result.taps.values()]) t.dispose();
    }
  }
  return previews;
}
