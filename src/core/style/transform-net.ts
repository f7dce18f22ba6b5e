import type * as tfc from '@tensorflow/tfjs-core';
import { analyzeText } from '..';
import type { Analysis } from '../analysis/types';
import { randomWeights } from '../runtime/random-weights';
import type { WeightMap } from '../runtime/weight-map';
import { KerasGraphBuilder } from './keras-json';

// Johnson et al.'s image transformation network, and what we save one as: a TF.js layers model
// (written to disk by src/node/style/model-files.ts).
//
// `johnsonNetJson` builds the paper/supplementary layout of models/johnson_transform_net.json
// (reflection pad → c9s1 → d → d → R×blocks (valid 3×3 convs, centre-cropped shortcut) → u → u →
// c9s1-3 → tanh) with settable widths, except that u is nearest ×2 + reflection-padded 3×3 conv
// (not a strided transposed conv: see `up`) and c9s1-3 pads by reflection too. widths [32, 64, 128] and 5 blocks is the zoo net
// (1,679,235 trainable parameters). Our shipped presets use [16, 32, 64] and 5 blocks — a
// narrower variant (≈ 421 K parameters, ≈ 0.84 MB as float16) that trains in minutes on a CPU.
// The reflection pad is 8·blocks px per side, so the output has the input's size (for H, W
// divisible by 4); the zoo net's 40 px is the 5-block value.
// Pixel convention of our nets: input RGB in [0, 255]; output 127.5·tanh(·) + 127.5, i.e. RGB in
// [0, 255] (the zoo net's 150·tanh is Johnson's mean-centred output; fast.ts detects the range).

export interface JohnsonOptions {
  readonly widths?: readonly [number, number, number];
  readonly blocks?: number;
  readonly name?: string;
  /** Input size in the JSON (any multiple of 4 works at run time: fast.ts re-analyses per size). */
  readonly size?: number;
}

export function johnsonNetJson(options: JohnsonOptions = {}): Record<string, unknown> {
  const [c1, c2, c3] = options.widths ?? [16, 32, 64];
  const blocks = options.blocks ?? 5;
  const size = options.size ?? 256;
  const b = new KerasGraphBuilder(options.name ?? 'johnson_transform_net', [size, size, 3]);
  const bn = (name: string, x: string) => b.add('BatchNormalization', name, { axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true }, [x]);
  const relu = (name: string, x: string) => b.add('Activation', name, { activation: 'relu' }, [x]);
  let x = b.add('ReflectionPadding2D', 'reflection_pad', { padding: [[8 * blocks, 8 * blocks], [8 * blocks, 8 * blocks]] }, ['input_1']);
  x = relu('conv1_relu', bn('conv1_bn', b.conv('conv1', x, c1, 9)));
  x = relu('conv2_relu', bn('conv2_bn', b.conv('conv2', x, c2, 3, 2)));
  x = relu('conv3_relu', bn('conv3_bn', b.conv('conv3', x, c3, 3, 2)));
  for (let i = 1; i <= blocks; i++) {
    let y = relu(`res${i}_relu1`, bn(`res${i}_bn1`, b.conv(`res${i}_conv1`, x, c3, 3, 1, 'valid')));
    y = bn(`res${i}_bn2`, b.conv(`res${i}_conv2`, y, c3, 3, 1, 'valid'));
    const s = b.add('Cropping2D', `res${i}_crop`, { cropping: [[2, 2], [2, 2]], data_format: 'channels_last' }, [x]);
    x = b.add('Add', `res${i}_add`, {}, [s, y]);
  }
  // Upsampling by resize-then-convolve (Odena et al. 2016): nearest ×2, then a 3×3 convolution on
  // a reflection-padded map. A strided transposed convolution overlaps its kernel unevenly (a 3×3
  // kernel at stride 2 covers odd and even output pixels 4 : 2 : 1 times), the checkerboard mesh
  // the first presets show; nearest-then-conv treats every output pixel alike.
  const reflect = (name: string, input: string, p: number) => b.add('ReflectionPadding2D', name, { padding: [[p, p], [p, p]] }, [input]);
  const up = (name: string, input: string, filters: number) => {
    const u = b.add('UpSampling2D', `${name}_up`, { size: [2, 2], interpolation: 'nearest', data_format: 'channels_last' }, [input]);
    return b.conv(`${name}_conv`, reflect(`${name}_pad`, u, 1), filters, 3, 1, 'valid');
  };
  x = relu('up1_relu', bn('up1_bn', up('up1', x, c2)));
  x = relu('up2_relu', bn('up2_bn', up('up2', x, c1)));
  x = b.conv('conv_out', reflect('conv_out_pad', x, 4), 3, 9, 1, 'valid');
  x = b.add('Activation', 'tanh', { activation: 'tanh' }, [x]);
  x = b.add('Rescaling', 'scaled_tanh', { scale: 127.5, offset: 127.5 }, [x]);
  return b.toJson(x);
}

/** Analyses a transform net's topology (Keras JSON object or TF.js model.json text) at 1×H×W×3. */
export function analyzeTransformNet(topologyText: string, fileName: string, height: number, width: number): Analysis {
  return analyzeText(topologyText, fileName, { inputShape: [1, height, width, 3] });
}

/** Trainable weights: every weight the ops declare trainable (BN moving statistics are not). */
export interface TransformParams {
  readonly analysis: Analysis;
  /** Trainable tensors as tf.Variables, by node then weight name. */
  readonly trainable: Map<string, Record<string, tfc.Variable>>;
  /** BN moving mean / variance (set after training from the content images' statistics). */
  readonly frozen: Map<string, Record<string, tfc.Tensor>>;
}

let variableRun = 0;

/** Seeded initial weights (Keras defaults: Glorot-uniform kernels, zero biases, γ = 1, β = 0). */
export function initTransformParams(tf: typeof tfc, analysis: Analysis, seed: number, from?: WeightMap): TransformParams {
  // From saved weights, layers they lack start from the seeded initialisation: an older preset
  // (transposed-conv upsampling) warm-starts the encoder, residual blocks and output conv it shares.
  // The caller keeps `from`'s tensors; the seeded ones are ours to hand over or dispose.
  const seeded = randomWeights(tf, analysis.graph, analysis, seed);
  const trainable = new Map<string, Record<string, tfc.Variable>>();
  const frozen = new Map<string, Record<string, tfc.Tensor>>();
  const run = ++variableRun;
  for (const [id, own] of seeded) {
    const saved = from?.get(id);
    const w = saved ?? own;
    if (saved) Object.values(own).forEach((t) => t.dispose());
    if (!analysis.byId.has(id)) continue;
    const t: Record<string, tfc.Variable> = {};
    const f: Record<string, tfc.Tensor> = {};
    for (const [name, tensor] of Object.entries(w)) {
      if (name === 'moving_mean' || name === 'moving_variance') f[name] = saved ? tensor.clone() : tensor;
      else {
        t[name] = tf.variable(tensor, true, `style_t${run}/${id}/${name}`);
        if (!saved) tensor.dispose();
      }
    }
    trainable.set(id, t);
    if (Object.keys(f).length) frozen.set(id, f);
  }
  return { analysis, trainable, frozen };
}

/** The params as one weight map the forward pass reads. */
export function paramsWeightMap(p: TransformParams): WeightMap {
  const map = new Map<string, Record<string, tfc.Tensor>>();
  for (const [id, w] of p.trainable) map.set(id, { ...w, ...(p.frozen.get(id) ?? {}) });
  return map;
}

export function disposeParams(p: TransformParams): void {
  for (const w of p.trainable.values()) for (const v of Object.values(w)) v.dispose();
  for (const w of p.frozen.values()) for (const v of Object.values(w)) v.dispose();
}

// ---- TF.js layers-model files ---------------------------------------------------------------

export type Quantisation = 'float32' | 'float16';

/** IEEE 754 half precision bits of a float (round to nearest even). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >> (1 - exp);
    return sign | ((mant + 0x1000) >> 13);
  }
  const half = sign | (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half;
}

export interface SaveModelOptions {
  readonly quantisation?: Quantisation;
  /** Extra metadata stored under model.json's `userDefinedMetadata.cnnLens`. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * A TF.js layers model (format 'layers-model', weights named `layer/weight`) as `model.json` and
 * one shard, `group1-shard1of1.bin`: what tf.loadLayersModel and CNN Lens's loaders both read.
 */
export function layersModelFiles(topology: Record<string, unknown>, weights: WeightMap, options: SaveModelOptions = {}): { modelJson: string; shardName: string; shard: Uint8Array } {
  const q = options.quantisation ?? 'float32';
  const specs: Record<string, unknown>[] = [];
  const chunks: Uint8Array[] = [];
  for (const [id, w] of weights) {
    for (const [name, t] of Object.entries(w)) {
      const values = t.dataSync() as Float32Array;
      const spec: Record<string, unknown> = { name: `${id}/${name}`, shape: t.shape, dtype: 'float32' };
      if (q === 'float16') {
        const half = new Uint16Array(values.length);
        for (let i = 0; i < values.length; i++) half[i] = toHalf(values[i]);
        chunks.push(new Uint8Array(half.buffer));
        spec.quantization = { dtype: 'float16' };
      } else chunks.push(new Uint8Array(new Float32Array(values).buffer));
      specs.push(spec);
    }
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  const shardName = 'group1-shard1of1.bin';
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'CNN Lens style transfer',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [shardName], weights: specs }],
    userDefinedMetadata: { cnnLens: options.metadata ?? {} },
  };
  return { modelJson: JSON.stringify(modelJson), shardName, shard: data };
}

/** model.json's CNN Lens metadata (style, loss network, step), if any. */
export function modelMetadata(modelJsonText: string): Record<string, unknown> {
  try {
    return JSON.parse(modelJsonText).userDefinedMetadata?.cnnLens ?? {};
  } catch {
    return {};
  }
}
