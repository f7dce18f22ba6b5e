import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import type { Graph, IRNode, TensorShape } from '../ir';
import { getOp, type WeightShape } from '../ops';
import { ownerId } from './weight-map';

// Seeded random weights for a model that comes without any: each tensor is drawn as its layer
// declares (the initializers the format read into the IR: Keras's `*_initializer`),
// else with Keras's defaults: Glorot uniform for kernels, zeros for biases, β and moving means,
// ones for γ and moving variances, 0.25 for PReLU's α. Values come from our own PRNG (mulberry32),
// seeded per (seed, node, weight), so they are the same on every backend and do not depend on
// the order of the nodes. Every view that shows outputs computed with them must say so.

export interface RandomWeightsOptions {
  /**
   * Also randomise what Keras initialises to constants (biases, BN's γ, β and moving statistics,
   * PReLU's α) within sensible ranges, so every weight affects the output. For tests and previews.
   */
  readonly perturb?: boolean;
}



/** mulberry32: a small, fast 32-bit PRNG with a good spread; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string mixed with the seed: one independent stream per (seed, node, weight). */
function streamSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
}

/** A Keras initializer, reduced to what we need to draw from it. */
export interface Initializer {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
}

const DEFAULT_INIT: Readonly<Record<string, Initializer>> = {
  kernel: { className: 'GlorotUniform', config: {} },
  depthwise_kernel: { className: 'GlorotUniform', config: {} },
  pointwise_kernel: { className: 'GlorotUniform', config: {} },
  bias: { className: 'Zeros', config: {} },
  beta: { className: 'Zeros', config: {} },
  moving_mean: { className: 'Zeros', config: {} },
  gamma: { className: 'Ones', config: {} },
  moving_variance: { className: 'Ones', config: {} },
  alpha: { className: 'Constant', config: { value: 0.25 } },
};

/** The config key under which Keras declares each weight's initializer. */
/** Ranges for `perturb`: [low, high) of a uniform draw. */
const PERTURB: Readonly<Record<string, readonly [number, number]>> = {
  bias: [-0.1, 0.1],
  beta: [-0.1, 0.1],
  moving_mean: [-0.1, 0.1],
  gamma: [0.5, 1.5],
  moving_variance: [0.5, 1.5],
  alpha: [0, 0.5],
};

/** Keras's `compute_fans`: for a conv kernel [kh, kw, in, out] the receptive field multiplies both. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** Draws one tensor's values from a Keras initializer. Unknown initializers fall back to Glorot uniform. */
export function draw(init: Initializer, shape: readonly number[], rand: () => number): Float32Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  const c = init.config;
  const num = (key: string, def: number) => (typeof c[key] === 'number' ? (c[key] as number) : def);
  const uniform = (lo: number, hi: number) => {
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  };
  const gauss = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const normal = (mean: number, std: number, truncated: boolean) => {
    for (let i = 0; i < n; i++) {
      let z = gauss();
      while (truncated && Math.abs(z) > 2) z = gauss();
      out[i] = mean + std * z;
    }
  };
  const scaling = (scale: number, mode: string, distribution: string) => {
    const { fanIn, fanOut } = fans(shape);
    const denom = Math.max(1, mode === 'fan_out' ? fanOut : mode === 'fan_avg' ? (fanIn + fanOut) / 2 : fanIn);
    const s = scale / denom;
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * s);
      uniform(-limit, limit);
    } else if (distribution === 'untruncated_normal') normal(0, Math.sqrt(s), false);
    // Keras's 'normal' and 'truncated_normal': a normal truncated at 2σ, rescaled to keep the variance.
    else normal(0, Math.sqrt(s) / 0.8796256610342398, true);
  };
  switch (init.className) {
    case 'Zeros':
    case 'zeros':
      break;
    case 'Ones':
    case 'ones':
      out.fill(1);
      break;
    case 'Constant':
    case 'constant':
      out.fill(num('value', 0));
      break;
    case 'RandomUniform':
    case 'random_uniform':
      uniform(num('minval', -0.05), num('maxval', 0.05));
      break;
    case 'RandomNormal':
    case 'random_normal':
      normal(num('mean', 0), num('stddev', 0.05), false);
      break;
    case 'TruncatedNormal':
    case 'truncated_normal':
      normal(num('mean', 0), num('stddev', 0.05), true);
      break;
    case 'VarianceScaling':
    case 'variance_scaling':
      scaling(num('scale', 1), String(c.mode ?? 'fan_in').toLowerCase(), String(c.distribution ?? 'truncated_normal').toLowerCase());
      break;
    case 'HeNormal':
    case 'he_normal':
      scaling(2, 'fan_in', 'truncated_normal');
      break;
    case 'HeUniform':
    case 'he_uniform':
      scaling(2, 'fan_in', 'uniform');
      break;
    case 'LecunNormal':
    case 'lecun_normal':
      scaling(1, 'fan_in', 'truncated_normal');
      break;
    case 'LecunUniform':
    case 'lecun_uniform':
      scaling(1, 'fan_in', 'uniform');
      break;
    case 'GlorotNormal':
    case 'glorot_normal':
      scaling(1, 'fan_avg', 'truncated_normal');
      break;
    default: // GlorotUniform, and Orthogonal or custom initializers we do not reproduce
      scaling(1, 'fan_avg', 'uniform');
  }
  return out;
}

/**
 * Seeded random weights for every node that has weights and whose shapes analysis could compute.
 * Shared-layer calls get no entry of their own: they use the first call's (`weightsFor`).
 */
export function randomWeights(tf: typeof tfc, graph: Graph, analysis: Analysis, seed: number, options: RandomWeightsOptions = {}): Map<string, Record<string, tfc.Tensor>> {
  const result = new Map<string, Record<string, tfc.Tensor>>();
  for (const node of graph.nodes) {
    if (node.sharesWeightsWith || ownerId(node.id) !== node.id) continue;
    const specs = declaredWeights(node, analysis);
    if (!specs?.length) continue;
    const tensors: Record<string, tfc.Tensor> = {};
    for (const spec of specs) {
      const rand = mulberry32(streamSeed(seed, `${node.id}\u0000${spec.name}`));
      const range = options.perturb ? PERTURB[spec.name] : undefined;
      const init = range
        ? { className: 'RandomUniform', config: { minval: range[0], maxval: range[1] } }
        : node.initializers?.[spec.name] ?? DEFAULT_INIT[spec.name] ?? DEFAULT_INIT.kernel;
      tensors[spec.name] = tf.tensor(draw(init, spec.shape, rand), [...spec.shape], 'float32');
    }
    result.set(node.id, tensors);
  }
  return result;
}

/** The weights a node's op declares for its analysed input shapes; undefined where they cannot be known. */
export function declaredWeights(node: IRNode, analysis: Analysis): readonly WeightShape[] | undefined {
  const op = getOp(node.op);
  const info = analysis.byId.get(node.id);
  if (!op?.weights || !info || info.inputShapes.some((s) => s === undefined)) return undefined;
  try {
    return op.weights(info.inputShapes as TensorShape[], node.attrs);
  } catch {
    return undefined;
  }
}
