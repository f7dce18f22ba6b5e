import { resizeImage, type RgbImage } from './image-io';

// How well a stylised image did, measured without a network: its colour statistics against the
// style image's (per-channel mean and standard deviation, in 0–255 units), and how well it keeps the
// content's edges (Pearson correlation of Sobel gradient magnitudes of the luminance). Used by the
// Fast-mode tests and by scripts/style/measure-presets.ts to judge the shipped presets.

export interface ChannelStats {
  readonly mean: number[];
  readonly std: number[];
}

export function channelStats(img: RgbImage): ChannelStats {
  const n = img.width * img.height;
  const mean = [0, 0, 0], sq = [0, 0, 0];
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) {
    mean[c] += img.data[p * 3 + c] / n;
    sq[c] += img.data[p * 3 + c] ** 2 / n;
  }
  return { mean, std: sq.map((s, c) => Math.sqrt(Math.max(0, s - mean[c] ** 2))) };
}

/** Sobel gradient magnitude of the luminance (edges replicated). */
export function sobel(img: RgbImage): Float64Array {
  const { width: w, height: h } = img;
  const lum = (x: number, y: number) => {
    const i = (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 3;
    return 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
  };
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const gx = lum(x + 1, y - 1) + 2 * lum(x + 1, y) + lum(x + 1, y + 1) - lum(x - 1, y - 1) - 2 * lum(x - 1, y) - lum(x - 1, y + 1);
    const gy = lum(x - 1, y + 1) + 2 * lum(x, y + 1) + lum(x + 1, y + 1) - lum(x - 1, y - 1) - 2 * lum(x, y - 1) - lum(x + 1, y - 1);
    out[y * w + x] = Math.hypot(gx, gy);
  }
  return out;
}

/** Pearson correlation of two equally long series. */
export function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0, va = 0, vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

export interface StylisationScore {
  /** Distance of the channel means to the style's, before (content) and after (output). */
  readonly meanBefore: number;
  readonly meanAfter: number;
  readonly stdBefore: number;
  readonly stdAfter: number;
  /**
   * Sobel correlation of content and output at the content's structural scale: both area-downscaled
   * 4× first (the stylised texture's own pixel-level strokes would otherwise dominate).
   */
  readonly edges: number;
  /** The same at full resolution. */
  readonly edgesFull: number;
}

export function scoreStylisation(content: RgbImage, style: RgbImage, output: RgbImage): StylisationScore {
  const c = channelStats(content), s = channelStats(style), o = channelStats(output);
  const small = (i: RgbImage) => resizeImage(i, Math.max(1, Math.round(i.width / 4)), Math.max(1, Math.round(i.height / 4)));
  return {
    meanBefore: dist(c.mean, s.mean),
    meanAfter: dist(o.mean, s.mean),
    stdBefore: dist(c.std, s.std),
    stdAfter: dist(o.std, s.std),
    edges: correlation(sobel(small(content)), sobel(small(output))),
    edgesFull: correlation(sobel(content), sobel(output)),
  };
}
