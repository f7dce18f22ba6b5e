import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { RgbImage } from '../../src/core/style/image-io';
import { checkerboardEnergy, colourHistogramDistance, gradientCorrelation } from '../../src/core/style/measures';
import { gramDistance } from '../../src/core/style/gram-distance';
import { randomLossNetwork } from '../../src/core/style/loss-network';

// The quality measures of style:measure against values known in closed form: a pure 2-px
// checkerboard (−1)^(x+y) and a 4-px stripe cos(πx/2) put all their AC energy in the measured bins
// (share 1), a smooth ramp nearly none; an image against itself has gradient correlation 1, Gram
// and histogram distance 0; a blurred or shifted copy lands in between.

const W = 64, H = 48;
const gray = (f: (x: number, y: number) => number): RgbImage => {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(Math.max(0, Math.min(255, Math.round(f(x, y)))), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { width: W, height: H, data };
};
/** Shapes: a disc and a bar on a ramp (edges at several orientations). */
const scene = (dx = 0) => gray((x, y) => ((x - dx - 24) ** 2 + (y - 24) ** 2 < 150 ? 220 : x - dx > 44 && x - dx < 52 ? 30 : 60 + y * 2));
const blur = (img: RgbImage, r: number): RgbImage => {
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
    let s = 0, n = 0;
    for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++) for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) { s += img.data[(yy * W + xx) * 3 + c]; n++; }
    data[(y * W + x) * 3 + c] = Math.round(s / n);
  }
  return { width: W, height: H, data };
};

describe('style quality measures', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('checkerboard energy: 1 for 2- and 4-px patterns, about 0 for a smooth ramp, in between for a mesh over a scene', () => {
    const checker = checkerboardEnergy(gray((x, y) => ((x + y) % 2 ? 200 : 50)));
    const stripes = checkerboardEnergy(gray((x) => 128 + 100 * Math.cos((Math.PI * x) / 2)));
    const ramp = checkerboardEnergy(gray((x, y) => 40 + 2 * x + y));
    const meshed = checkerboardEnergy(gray((x, y) => scene().data[(y * W + x) * 3] + ((x + y) % 2 ? 15 : -15)));
    assert.ok(Math.abs(checker - 1) < 1e-9, `checkerboard ${checker}`);
    assert.ok(Math.abs(stripes - 1) < 1e-3, `4-px stripes ${stripes}`); // rounding to 8 bits leaks a little
    assert.ok(ramp < 0.01, `ramp ${ramp}`);
    assert.ok(meshed > 5 * checkerboardEnergy(scene()) && meshed < 0.5, `mesh over a scene ${meshed}`);
  });

  it('gradient correlation: 1 against itself, lower for a blurred copy, near 0 against an unrelated image', () => {
    const img = scene();
    assert.ok(Math.abs(gradientCorrelation(img, img) - 1) < 1e-12);
    assert.ok(Math.abs(gradientCorrelation(img, img, 4) - 1) < 1e-12);
    const blurred = gradientCorrelation(img, blur(img, 2));
    assert.ok(blurred > 0.3 && blurred < 0.95, `blurred ${blurred}`);
    // The ¼-scale measure forgives what the blur removed: the shapes are still there.
    assert.ok(gradientCorrelation(img, blur(img, 2), 4) > blurred);
    const unrelated = gradientCorrelation(img, gray((x, y) => ((x * 7919 + y * 104729) % 251)));
    assert.ok(Math.abs(unrelated) < 0.2, `unrelated ${unrelated}`);
    assert.throws(() => gradientCorrelation(img, { width: 2, height: 2, data: new Uint8Array(12) }), /one size/);
  });

  it('colour-histogram distance: 0 against itself, 1 between black and white', () => {
    assert.equal(colourHistogramDistance(scene(), scene()), 0);
    assert.ok(Math.abs(colourHistogramDistance(gray(() => 0), gray(() => 255)) - 1) < 1e-12);
    const half = colourHistogramDistance(gray(() => 0), gray((x) => (x < W / 2 ? 0 : 255)));
    assert.ok(Math.abs(half - 0.5) < 1e-12, `half ${half}`);
  });

  it('Gram distance: 0 against itself, small for a shifted copy, larger for another texture', () => {
    const net = randomLossNetwork(tf, 7);
    try {
      const img = scene();
      assert.ok(gramDistance(tf, net, img, img) < 1e-9);
      const shifted = gramDistance(tf, net, scene(6), img);
      const other = gramDistance(tf, net, gray((x, y) => ((x + y) % 2 ? 200 : 50)), img);
      assert.ok(shifted > 0 && shifted < other / 4, `shifted ${shifted}, checkerboard ${other}`);
    } finally {
      net.dispose();
    }
  });
});
