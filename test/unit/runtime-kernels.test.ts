import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { getOp, OPS } from '../../src/core';
import { KERAS_KINDS } from '../../src/core/formats/keras/names';
import { ACTIVATIONS } from '../../src/core/ops/activation';
import { mulberry32 } from '../../src/core/runtime/random-weights';

// Each op's TF.js kernel against a direct reference written here in plain loops (not TF.js), on
// small random tensors: grouped and dilated convolution, depthwise with a multiplier, LRN in
// TensorFlow's parameterisation, reflection padding, bilinear up-sampling (half-pixel centres),
// instance normalisation, the ReLU/ELU/PReLU/Softmax layers and every activation function.
// Tolerance 1e-5 (float32 sums of a few hundred terms).

const TOLERANCE = 1e-5;

/** A plain NHWC array with its shape. */
interface Arr {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function random(shape: readonly number[], seed: number, lo = -1, hi = 1): Arr {
  const rand = mulberry32(seed);
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rand();
  return { shape, data };
}

const T = (a: Arr) => tf.tensor(a.data, [...a.shape]);

/** Index into a row-major array. */
const at = (shape: readonly number[], ...idx: number[]) => idx.reduce((off, i, k) => off * shape[k] + i, 0);

/** The op's attributes: the schema's defaults, overridden. */
function attrs(kind: string, given: Record<string, unknown> = {}): Record<string, unknown> {
  const op = getOp(kind)!;
  return { ...Object.fromEntries(Object.entries(op.attrs).map(([k, s]) => [k, (s as { default: unknown }).default])), ...given };
}

/** Runs one op's kernel; checks its shape against the op's own shape rule too. */
function run(kind: string, inputs: Arr[], weights: Record<string, Arr>, given: Record<string, unknown> = {}): Arr {
  const op = getOp(kind)!;
  const a = attrs(kind, given);
  const out = tf.tidy(() => op.run!(tf, inputs.map(T), Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, T(v)])), a));
  assert.deepEqual(out.shape, op.shape(inputs.map((i) => i.shape), a, []), `${kind}: kernel shape = shape rule`);
  const result = { shape: out.shape, data: out.dataSync() as Float32Array };
  out.dispose();
  return result;
}

/** The worst difference seen over all comparisons, for the summary line. */
let worstSeen = { what: '', diff: 0 };

function assertClose(what: string, ours: Arr, ref: Arr, tol = TOLERANCE): number {
  assert.deepEqual([...ours.shape], [...ref.shape], `${what}: shape`);
  assert.equal(ours.data.length, ref.data.length, `${what}: size`);
  let worst = 0;
  for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - ref.data[i]));
  assert.ok(worst <= tol, `${what}: max |Δ| ${worst}`);
  if (tol === TOLERANCE && worst >= worstSeen.diff) worstSeen = { what, diff: worst };
  return worst;
}

/** TensorFlow's padding for one axis: output size and the padding before. */
function padFor(size: number, k: number, s: number, d: number, padding: 'valid' | 'same'): { out: number; before: number } {
  const eff = d * (k - 1) + 1;
  if (padding === 'valid') return { out: Math.floor((size - eff) / s) + 1, before: 0 };
  const out = Math.ceil(size / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + eff - size, 0) / 2) };
}

/** Direct grouped 2-D convolution, NHWC, kernel [kh, kw, cin/groups, filters], with bias. */
function refConv(x: Arr, k: Arr, bias: Arr | undefined, s: [number, number], d: [number, number], padding: 'valid' | 'same', groups: number): Arr {
  const [n, h, w, c] = x.shape;
  const [kh, kw, cg, f] = k.shape;
  assert.equal(cg * groups, c);
  const fg = f / groups;
  const ph = padFor(h, kh, s[0], d[0], padding);
  const pw = padFor(w, kw, s[1], d[1], padding);
  const shape = [n, ph.out, pw.out, f];
  const data = new Float32Array(shape.reduce((p, v) => p * v, 1));
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ph.out; i++)
      for (let j = 0; j < pw.out; j++)
        for (let o = 0; o < f; o++) {
          const g = Math.floor(o / fg);
          let sum = bias ? bias.data[o] : 0;
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const y = i * s[0] + u * d[0] - ph.before;
              const z = j * s[1] + v * d[1] - pw.before;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (let ci = 0; ci < cg; ci++) sum += x.data[at(x.shape, b, y, z, g * cg + ci)] * k.data[at(k.shape, u, v, ci, o)];
            }
          data[at(shape, b, i, j, o)] = sum;
        }
  return { shape, data };
}

/** Direct depthwise convolution: output channel c·multiplier + m reads input channel c only. */
function refDepthwise(x: Arr, k: Arr, s: [number, number], padding: 'valid' | 'same'): Arr {
  const [n, h, w, c] = x.shape;
  const [kh, kw, , mult] = k.shape;
  const ph = padFor(h, kh, s[0], 1, padding);
  const pw = padFor(w, kw, s[1], 1, padding);
  const shape = [n, ph.out, pw.out, c * mult];
  const data = new Float32Array(shape.reduce((p, v) => p * v, 1));
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ph.out; i++)
      for (let j = 0; j < pw.out; j++)
        for (let ci = 0; ci < c; ci++)
          for (let m = 0; m < mult; m++) {
            let sum = 0;
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const y = i * s[0] + u - ph.before;
                const z = j * s[1] + v - pw.before;
                if (y >= 0 && y < h && z >= 0 && z < w) sum += x.data[at(x.shape, b, y, z, ci)] * k.data[at(k.shape, u, v, ci, m)];
              }
            data[at(shape, b, i, j, ci * mult + m)] = sum;
          }
  return { shape, data };
}

/** TensorFlow's LRN: x / (bias + alpha · Σ_{|c'−c| ≤ r} x_{c'}²)^beta. */
function refLrn(x: Arr, r: number, bias: number, alpha: number, beta: number): Arr {
  const c = x.shape[3];
  const data = new Float32Array(x.data.length);
  for (let p = 0; p < x.data.length / c; p++)
    for (let ci = 0; ci < c; ci++) {
      let sq = 0;
      for (let cj = Math.max(0, ci - r); cj <= Math.min(c - 1, ci + r); cj++) sq += x.data[p * c + cj] ** 2;
      data[p * c + ci] = x.data[p * c + ci] / (bias + alpha * sq) ** beta;
    }
  return { shape: x.shape, data };
}

/** Maps each output position to an input position, channel by channel (padding, cropping, resizing). */
function remap(x: Arr, oh: number, ow: number, from: (i: number, j: number) => [number, number] | undefined): Arr {
  const [n, , , c] = x.shape;
  const shape = [n, oh, ow, c];
  const data = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const src = from(i, j);
        for (let ci = 0; ci < c; ci++) data[at(shape, b, i, j, ci)] = src ? x.data[at(x.shape, b, src[0], src[1], ci)] : 0;
      }
  return { shape, data };
}

/** Half-pixel-centre bilinear resize (TensorFlow 2's tf.image.resize, which Keras's UpSampling2D uses). */
function refBilinear(x: Arr, sh: number, sw: number): Arr {
  const [n, h, w, c] = x.shape;
  const shape = [n, h * sh, w * sw, c];
  const data = new Float32Array(shape.reduce((p, v) => p * v, 1));
  const axis = (o: number, scale: number, size: number) => {
    const pos = (o + 0.5) / scale - 0.5;
    const f = Math.floor(pos);
    return { lo: Math.max(f, 0), hi: Math.min(Math.ceil(pos), size - 1), t: pos - f };
  };
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h * sh; i++)
      for (let j = 0; j < w * sw; j++) {
        const y = axis(i, sh, h);
        const z = axis(j, sw, w);
        for (let ci = 0; ci < c; ci++) {
          const v = (yy: number, zz: number) => x.data[at(x.shape, b, yy, zz, ci)];
          const top = v(y.lo, z.lo) + (v(y.lo, z.hi) - v(y.lo, z.lo)) * z.t;
          const bottom = v(y.hi, z.lo) + (v(y.hi, z.hi) - v(y.hi, z.lo)) * z.t;
          data[at(shape, b, i, j, ci)] = top + (bottom - top) * y.t;
        }
      }
  return { shape, data };
}

const map = (x: Arr, f: (v: number, i: number) => number): Arr => ({ shape: x.shape, data: Float32Array.from(x.data, f) });

describe('runtime: op kernels against direct reference implementations', () => {
  before(async () => {
    tf.setBackend('cpu');
    await tf.ready();
  });
  after(() => console.log(`      worst |Δ| against the references (absolute tolerance): ${worstSeen.diff.toExponential(2)} (${worstSeen.what})`));

  const convCases: [string, Record<string, unknown>][] = [
    ['groups 2, same, stride 1 (AlexNet)', { groups: 2, padding: 'same', strides: [1, 1] }],
    ['groups 4, valid, stride 2', { groups: 4, padding: 'valid', strides: [2, 2] }],
    ['groups 2, same, dilation 2', { groups: 2, padding: 'same', dilationRate: [2, 2] }],
    ['groups 1, valid, rectangular stride 1×2', { groups: 1, padding: 'valid', strides: [1, 2] }],
    ['groups 8 (depthwise-like), same, stride 2', { groups: 8, padding: 'same', strides: [2, 2] }],
  ];
  for (const [title, given] of convCases) {
    it(`Conv2D ${title}`, () => {
      const groups = given.groups as number;
      const x = random([2, 9, 8, 8], 1);
      const filters = 8;
      const k = random([3, 3, 8 / groups, filters], 2);
      const b = random([filters], 3);
      const a: Record<string, unknown> = { filters, kernelSize: [3, 3], useBias: true, ...given };
      const ref = refConv(x, k, b, (a.strides as [number, number]) ?? [1, 1], (a.dilationRate as [number, number]) ?? [1, 1], a.padding as 'valid' | 'same', groups);
      assertClose(title, run('Conv2D', [x], { kernel: k, bias: b }, a), ref);
    });
  }

  it('Conv2D with a fused activation that TF.js cannot fuse (swish) and one it can (relu6)', () => {
    const x = random([1, 6, 6, 4], 4);
    const k = random([3, 3, 2, 6], 5);
    const ref = refConv(x, k, undefined, [1, 1], [1, 1], 'same', 2);
    assertClose('grouped swish', run('Conv2D', [x], { kernel: k }, { filters: 6, kernelSize: [3, 3], groups: 2, padding: 'same', useBias: false, activation: 'swish' }), map(ref, (v) => v / (1 + Math.exp(-v))));
    const k1 = random([3, 3, 4, 6], 6);
    const ref1 = refConv(x, k1, undefined, [1, 1], [1, 1], 'valid', 1);
    assertClose('relu6', run('Conv2D', [x], { kernel: k1 }, { filters: 6, kernelSize: [3, 3], useBias: false, activation: 'relu6' }), map(ref1, (v) => Math.min(Math.max(v, 0), 6)));
  });

  it('DepthwiseConv2D with depth multiplier 3, stride 2, same', () => {
    const x = random([1, 7, 7, 4], 7);
    const k = random([3, 3, 4, 3], 8);
    const b = random([12], 9);
    const ref = map(refDepthwise(x, k, [2, 2], 'same'), (v, i) => v + b.data[i % 12]);
    assertClose('depthwise', run('DepthwiseConv2D', [x], { depthwise_kernel: k, bias: b }, { kernelSize: [3, 3], strides: [2, 2], padding: 'same', depthMultiplier: 3 }), ref);
  });

  it('SeparableConv2D = depthwise then pointwise, plus bias', () => {
    const x = random([1, 6, 6, 3], 10);
    const dk = random([3, 3, 3, 2], 11);
    const pk = random([1, 1, 6, 5], 12);
    const b = random([5], 13);
    const ref = refConv(refDepthwise(x, dk, [1, 1], 'valid'), pk, b, [1, 1], [1, 1], 'valid', 1);
    assertClose('separable', run('SeparableConv2D', [x], { depthwise_kernel: dk, pointwise_kernel: pk, bias: b }, { filters: 5, kernelSize: [3, 3], depthMultiplier: 2 }), ref);
  });

  it('Conv2DTranspose (stride 2, valid and same) scatters each input through the kernel [kh, kw, filters, cin]', () => {
    for (const padding of ['valid', 'same'] as const) {
      const x = random([1, 4, 5, 3], 14);
      const k = random([3, 3, 2, 3], 15);
      const a = { filters: 2, kernelSize: [3, 3], strides: [2, 2], padding, useBias: false };
      const out = run('Conv2DTranspose', [x], { kernel: k }, a);
      // Reference: scatter-add on the full (valid) grid, then crop what 'same' trims (TensorFlow: the extra goes at the end).
      const full = [1, (4 - 1) * 2 + 3, (5 - 1) * 2 + 3, 2];
      const acc = new Float32Array(full.reduce((p, v) => p * v, 1));
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 5; j++)
          for (let u = 0; u < 3; u++)
            for (let v = 0; v < 3; v++)
              for (let f = 0; f < 2; f++)
                for (let c = 0; c < 3; c++) acc[at(full, 0, i * 2 + u, j * 2 + v, f)] += x.data[at(x.shape, 0, i, j, c)] * k.data[at(k.shape, u, v, f, c)];
      const [oh, ow] = [out.shape[1], out.shape[2]];
      const top = Math.floor((full[1] - oh) / 2);
      const left = Math.floor((full[2] - ow) / 2);
      const ref = remap({ shape: full, data: acc }, oh, ow, (i, j) => [i + top, j + left]);
      assertClose(`transpose ${padding}`, out, ref);
    }
  });

  it('Dense on the last axis of a 3-D and a 2-D input, with bias and a non-fusable activation (gelu)', () => {
    for (const shape of [[2, 3, 5], [4, 5]]) {
      const x = random(shape, 16);
      const k = random([5, 4], 17);
      const b = random([4], 18);
      const rows = x.data.length / 5;
      const data = new Float32Array(rows * 4);
      for (let r = 0; r < rows; r++)
        for (let u = 0; u < 4; u++) {
          let s = b.data[u];
          for (let c = 0; c < 5; c++) s += x.data[r * 5 + c] * k.data[c * 4 + u];
          data[r * 4 + u] = s;
        }
      const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
      assertClose(`dense ${shape}`, run('Dense', [x], { kernel: k, bias: b }, { units: 4, activation: 'gelu' }), map({ shape: [...shape.slice(0, -1), 4], data }, gelu), 1e-5);
    }
  });

  it('LocalResponseNormalization in TensorFlow’s parameterisation (AlexNet’s and GoogLeNet’s settings)', () => {
    const x = random([2, 3, 3, 16], 19, -2, 2);
    for (const p of [
      { depthRadius: 2, bias: 1, alpha: 2e-5, beta: 0.75 },
      { depthRadius: 5, bias: 2, alpha: 1e-4, beta: 0.75 },
      { depthRadius: 1, bias: 0.5, alpha: 0.3, beta: 0.5 },
      { depthRadius: 0, bias: 1, alpha: 1, beta: 1 },
    ]) {
      assertClose(`LRN ${JSON.stringify(p)}`, run('LocalResponseNormalization', [x], {}, p), refLrn(x, p.depthRadius, p.bias, p.alpha, p.beta));
    }
  });

  it('ReflectionPadding2D mirrors without repeating the border; ZeroPadding2D and Cropping2D', () => {
    const x = random([1, 5, 6, 2], 20);
    const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    const p = [[2, 3], [4, 1]];
    assertClose('reflection', run('ReflectionPadding2D', [x], {}, { padding: p }), remap(x, 10, 11, (i, j) => [reflect(i - 2, 5), reflect(j - 4, 6)]));
    assertClose('zero', run('ZeroPadding2D', [x], {}, { padding: p }), remap(x, 10, 11, (i, j) => (i < 2 || i >= 7 || j < 4 || j >= 10 ? undefined : [i - 2, j - 4])));
    assertClose('crop', run('Cropping2D', [x], {}, { cropping: [[1, 2], [0, 3]] }), remap(x, 2, 3, (i, j) => [i + 1, j]));
  });

  it('UpSampling2D: nearest repeats, bilinear uses half-pixel centres', () => {
    const x = random([1, 3, 4, 2], 21);
    assertClose('nearest', run('UpSampling2D', [x], {}, { size: [2, 3] }), remap(x, 6, 12, (i, j) => [Math.floor(i / 2), Math.floor(j / 3)]));
    assertClose('bilinear', run('UpSampling2D', [x], {}, { size: [2, 3], interpolation: 'bilinear' }), refBilinear(x, 2, 3));
  });

  it('pooling: max and average (same padding averages only the positions inside), global with and without keepdims', () => {
    const x = random([1, 5, 5, 2], 22);
    const pool = (kind: 'max' | 'avg') => {
      const { out, before } = padFor(5, 3, 2, 1, 'same');
      const shape = [1, out, out, 2];
      const data = new Float32Array(out * out * 2);
      for (let i = 0; i < out; i++)
        for (let j = 0; j < out; j++)
          for (let c = 0; c < 2; c++) {
            const vals: number[] = [];
            for (let u = 0; u < 3; u++)
              for (let v = 0; v < 3; v++) {
                const y = i * 2 + u - before;
                const z = j * 2 + v - before;
                if (y >= 0 && y < 5 && z >= 0 && z < 5) vals.push(x.data[at(x.shape, 0, y, z, c)]);
              }
            data[at(shape, 0, i, j, c)] = kind === 'max' ? Math.max(...vals) : vals.reduce((s, v) => s + v, 0) / vals.length;
          }
      return { shape, data };
    };
    const a = { poolSize: [3, 3], strides: [2, 2], padding: 'same' };
    assertClose('max', run('MaxPooling2D', [x], {}, a), pool('max'));
    assertClose('avg', run('AveragePooling2D', [x], {}, a), pool('avg'));
    const mean = [0, 1].map((c) => Array.from({ length: 25 }, (_, p) => x.data[p * 2 + c]).reduce((s, v) => s + v, 0) / 25);
    assertClose('gap', run('GlobalAveragePooling2D', [x], {}, {}), { shape: [1, 2], data: Float32Array.from(mean) });
    assertClose('gap keepdims', run('GlobalAveragePooling2D', [x], {}, { keepdims: true }), { shape: [1, 1, 1, 2], data: Float32Array.from(mean) });
    const max = [0, 1].map((c) => Math.max(...Array.from({ length: 25 }, (_, p) => x.data[p * 2 + c])));
    assertClose('gmp', run('GlobalMaxPooling2D', [x], {}, {}), { shape: [1, 2], data: Float32Array.from(max) });
  });

  it('BatchNormalization (inference; with and without center and scale) and InstanceNormalization', () => {
    const x = random([2, 3, 3, 4], 23, -3, 3);
    const [gamma, beta, mean] = [random([4], 24), random([4], 25), random([4], 26)];
    const variance = random([4], 27, 0.5, 2);
    const bn = (g: boolean, b: boolean) => map(x, (v, i) => ((v - mean.data[i % 4]) / Math.sqrt(variance.data[i % 4] + 1e-3)) * (g ? gamma.data[i % 4] : 1) + (b ? beta.data[i % 4] : 0));
    assertClose('bn', run('BatchNormalization', [x], { gamma, beta, moving_mean: mean, moving_variance: variance }), bn(true, true));
    assertClose('bn no center/scale', run('BatchNormalization', [x], { moving_mean: mean, moving_variance: variance }, { center: false, scale: false }), bn(false, false));
    const inorm = map(x, (v, i) => {
      const b = Math.floor(i / 36);
      const c = i % 4;
      const vals = Array.from({ length: 9 }, (_, p) => x.data[b * 36 + p * 4 + c]);
      const m = vals.reduce((s, u) => s + u, 0) / 9;
      const va = vals.reduce((s, u) => s + (u - m) ** 2, 0) / 9;
      return ((v - m) / Math.sqrt(va + 1e-3)) * gamma.data[c] + beta.data[c];
    });
    assertClose('instance norm', run('InstanceNormalization', [x], { gamma, beta }), inorm);
  });

  it('ReLU (max_value, negative_slope, threshold), LeakyReLU, ELU (alpha), PReLU (shared axes), Softmax (axis)', () => {
    const x = random([2, 3, 4, 5], 28, -8, 8);
    const keras = (v: number, max: number | null, slope: number, th: number) => (max !== null && v >= max ? max : v >= th ? v : slope * (v - th));
    for (const [max, slope, th] of [[null, 0, 0], [6, 0, 0], [null, 0.1, 0], [4, 0.2, 1], [null, 0, -1]] as const) {
      assertClose(`relu ${max} ${slope} ${th}`, run('ReLU', [x], {}, { maxValue: max, negativeSlope: slope, threshold: th }), map(x, (v) => keras(v, max, slope, th)));
    }
    assertClose('leaky', run('LeakyReLU', [x], {}, { alpha: 0.1 }), map(x, (v) => (v > 0 ? v : 0.1 * v)));
    assertClose('elu', run('ELU', [x], {}, { alpha: 0.5 }), map(x, (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))));
    const alpha = random([1, 1, 5], 29, 0, 1);
    assertClose('prelu', run('PReLU', [x], { alpha }, { sharedAxes: [1, 2] }), map(x, (v, i) => (v > 0 ? v : alpha.data[i % 5] * v)));
    // Softmax over axis 1 (not the last): each (n, :, w, c) column sums to one.
    const soft = map(x, (v, i) => {
      const [n, , w, c] = [Math.floor(i / 60), 0, Math.floor(i / 5) % 4, i % 5];
      const col = [0, 1, 2].map((h) => x.data[at(x.shape, n, h, w, c)]);
      const m = Math.max(...col);
      return Math.exp(v - m) / col.reduce((s, u) => s + Math.exp(u - m), 0);
    });
    assertClose('softmax axis 1', run('Softmax', [x], {}, { axis: [1] }), soft);
  });

  it('every activation function by name', () => {
    const x = random([3, 7], 30, -5, 5);
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    const rowSoftmax = (v: number, i: number, log: boolean) => {
      const row = Array.from(x.data.subarray(Math.floor(i / 7) * 7, Math.floor(i / 7) * 7 + 7));
      const m = Math.max(...row);
      const sum = row.reduce((s, u) => s + Math.exp(u - m), 0);
      return log ? v - m - Math.log(sum) : Math.exp(v - m) / sum;
    };
    const SELU = { alpha: 1.6732632423543772, scale: 1.0507009873554805 };
    const refs: Record<string, (v: number, i: number) => number> = {
      linear: (v) => v,
      relu: (v) => Math.max(v, 0),
      relu6: (v) => Math.min(Math.max(v, 0), 6),
      leaky_relu: (v) => (v > 0 ? v : 0.2 * v),
      elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
      selu: (v) => SELU.scale * (v > 0 ? v : SELU.alpha * (Math.exp(v) - 1)),
      sigmoid,
      hard_sigmoid: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
      tanh: Math.tanh,
      swish: (v) => v * sigmoid(v),
      silu: (v) => v * sigmoid(v),
      hard_swish: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
      hard_silu: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
      gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
      mish: (v) => v * Math.tanh(softplus(v)),
      softmax: (v, i) => rowSoftmax(v, i, false),
      log_softmax: (v, i) => rowSoftmax(v, i, true),
      softplus,
      softsign: (v) => v / (1 + Math.abs(v)),
      exponential: Math.exp,
    };
    assert.deepEqual(Object.keys(refs).sort(), [...ACTIVATIONS].sort(), 'a reference for every activation');
    for (const name of ACTIVATIONS) {
      const ref = map(x, refs[name]);
      const big = Math.max(...Array.from(ref.data, Math.abs));
      // exponential reaches e^5: compare relatively there.
      assertClose(name, run('Activation', [x], {}, { activation: name }), ref, TOLERANCE * Math.max(1, big));
    }
  });

  it('merges (with broadcasting), Concatenate, Flatten, Reshape (-1), Rescaling, Dropout and Identity', () => {
    const [p, q, r] = [random([2, 3, 4], 31), random([2, 3, 4], 32), random([2, 1, 4], 33)];
    const bc = (i: number) => r.data[Math.floor(i / 12) * 4 + (i % 4)];
    assertClose('add', run('Add', [p, q, r], {}), map(p, (v, i) => v + q.data[i] + bc(i)));
    assertClose('subtract', run('Subtract', [p, q], {}), map(p, (v, i) => v - q.data[i]));
    assertClose('multiply', run('Multiply', [p, r], {}), map(p, (v, i) => v * bc(i)));
    assertClose('average', run('Average', [p, q, r], {}), map(p, (v, i) => (v + q.data[i] + bc(i)) / 3));
    assertClose('maximum', run('Maximum', [p, q], {}), map(p, (v, i) => Math.max(v, q.data[i])));
    assertClose('minimum', run('Minimum', [p, q], {}), map(p, (v, i) => Math.min(v, q.data[i])));
    const cat = run('Concatenate', [p, q], {}, { axis: 1 });
    assertClose('concat axis 1', cat, { shape: [2, 6, 4], data: Float32Array.from([...p.data.subarray(0, 12), ...q.data.subarray(0, 12), ...p.data.subarray(12), ...q.data.subarray(12)]) });
    assertClose('flatten', run('Flatten', [p], {}), { shape: [2, 12], data: p.data });
    assertClose('reshape', run('Reshape', [p], {}, { targetShape: [-1, 2] }), { shape: [2, 6, 2], data: p.data });
    assertClose('rescaling', run('Rescaling', [p], {}, { scale: 1 / 127.5, offset: -1 }), map(p, (v) => v / 127.5 - 1));
    assertClose('dropout', run('Dropout', [p], {}), p);
    assertClose('identity', run('Identity', [p], {}), p);
  });

  it('every op a Keras model can name has a kernel (ONNX-only ops run on ONNX Runtime)', () => {
    assert.deepEqual([...KERAS_KINDS].filter((kind) => !OPS.get(kind)?.run), []);
  });
});

/** erf to ~1e-7 (Abramowitz–Stegun 7.1.26 is too coarse for 1e-5): series near 0, continued fraction beyond. */
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = 0;
    let term = t;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-t * t) / (n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc by Lentz's continued fraction
  let f = t;
  for (let n = 60; n >= 1; n--) f = t + n / 2 / f;
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
