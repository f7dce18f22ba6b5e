import { resizeImage, type RgbImage } from './image-io';
import { correlation, sobel } from './metrics';

// Pixel-level quality measures of a stylised image (issue 15; printed by `npm run style:measure`):
//  - content fidelity: Pearson correlation of the luminance's Sobel gradient magnitudes with the
//    content's, at full scale and after a 4× area downscale (the content's shapes, not its pixels);
//  - colour match: distance between joint RGB histograms;
//  - artefacts: the share of the luminance's AC energy at the checkerboard frequencies of a ×2 and
//    ×4 upsampler (periods 2 and 4 px along x, y or both), the mesh strided transposed convolutions
//    paint (Odena et al. 2016). Compare it with the content's own share.
// The style match in a network's features (Gram distance) needs tensors: see gram-distance.ts.

/** Sobel-gradient correlation of two same-sized images after shrinking both by `scale` (1 = full). */
export function gradientCorrelation(a: RgbImage, b: RgbImage, scale = 1): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`gradient correlation needs images of one size, not ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const shrink = (i: RgbImage) => (scale === 1 ? i : resizeImage(i, Math.max(1, Math.round(i.width / scale)), Math.max(1, Math.round(i.height / scale))));
  return correlation(sobel(shrink(a)), sobel(shrink(b)));
}

const luminance = (img: RgbImage): Float64Array => {
  const out = new Float64Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) out[p] = 0.299 * img.data[p * 3] + 0.587 * img.data[p * 3 + 1] + 0.114 * img.data[p * 3 + 2];
  return out;
};

/**
 * Fraction (0–1) of the luminance's non-DC spectral energy in the DFT bins of periods 2 and 4 px
 * (frequencies 0, ¼, ½ cycles/px in x and y, except (0, 0)). By Parseval, Σ|X(f)|² = N·Σ(x − x̄)²,
 * so each bin's |X(f)|² / (N·Σ(x − x̄)²) is its share; a pure 2-px checkerboard scores 1, a smooth
 * gradient about 0. The bins are summed over the ±f pairs the real signal has.
 */
export function checkerboardEnergy(img: RgbImage): number {
  const { width: w, height: h } = img;
  const lum = luminance(img);
  const n = w * h;
  const mean = lum.reduce((s, v) => s + v, 0) / n;
  let ac = 0;
  for (let p = 0; p < n; p++) ac += (lum[p] - mean) ** 2;
  if (ac === 0) return 0;
  // Distinct bins (fx, fy) in cycles/px, with their conjugates counted: ¼ and −¼ are different bins, ½ is its own.
  const freqs = [0, 0.25, -0.25, 0.5];
  let energy = 0;
  for (const fy of freqs) for (const fx of freqs) {
    if (fx === 0 && fy === 0) continue;
    let re = 0, im = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = lum[y * w + x] - mean;
      const phase = -2 * Math.PI * (fx * x + fy * y);
      re += v * Math.cos(phase);
      im += v * Math.sin(phase);
    }
    energy += (re * re + im * im) / n;
  }
  return energy / ac;
}

/** Total-variation distance (0–1) between the joint RGB histograms (`bins` per channel) of two images. */
export function colourHistogramDistance(a: RgbImage, b: RgbImage, bins = 8): number {
  const hist = (img: RgbImage) => {
    const hgram = new Float64Array(bins ** 3);
    const n = img.width * img.height;
    const q = (v: number) => Math.min(bins - 1, Math.floor((v * bins) / 256));
    for (let p = 0; p < n; p++) hgram[(q(img.data[p * 3]) * bins + q(img.data[p * 3 + 1])) * bins + q(img.data[p * 3 + 2])] += 1 / n;
    return hgram;
  };
  const ha = hist(a), hb = hist(b);
  let d = 0;
  for (let i = 0; i < ha.length; i++) d += Math.abs(ha[i] - hb[i]);
  return d / 2;
}
