import type * as tfc from '@tensorflow/tfjs-core';
// Gradients are registered by a side-effect import in tfjs-core (the union bundle @tensorflow/tfjs does it for you).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { readUserText } from '../file-source';
import { join } from 'node:path';
import { forwardSync } from '../../core/style/forward';
import { fitLongerSide, imageToTensor, resizeImage, type RgbImage } from '../../core/style/image-io';
import { features, type LossNetwork } from '../../core/style/loss-network';
import { DEFAULT_LOSS_WEIGHTS, lossTerms, styleTargets, type LossValues, type LossWeights } from '../../core/style/optimise';
import { analyzeTransformNet, disposeParams, initTransformParams, johnsonNetJson, paramsWeightMap, type Quantisation, type TransformParams } from '../../core/style/transform-net';
import { readImage } from '../image-files';
import { loadWeights } from '../weights-files';
import { saveLayersModel } from './model-files';

// Train mode (Johnson et al. §3): a transformation network for one style, trained with Adam on
// random square crops (with horizontal flips) of a folder of content images against the loss
// network's content and style losses. The forward pass is forward.ts's synchronous walk of the
// network's graph (the registry's op kernels), inside tf.variableGrads; BatchNormalization uses
// batch statistics while training, and at every save its moving statistics are set to the
// statistics of all the content images (one pass, training mode), so the saved model runs at
// inference — by tiles too — like it trained.
// Saves `out/model.json` + shard (a TF.js layers model Fast mode loads) and `out/training.json`
// (step, settings). Resuming restores the weights, BN statistics and step; Adam's moment estimates
// restart from zero (documented limitation).

export interface TrainOptions {
  /** Content images: a folder (PNG/JPEG files) or decoded images. */
  readonly content: string | readonly RgbImage[];
  readonly style: RgbImage;
  readonly styleName?: string;
  readonly outDir: string;
  readonly steps: number;
  /** Training crop side (default 128). */
  readonly size?: number;
  readonly batch?: number;
  readonly learningRate?: number;
  readonly weights?: Partial<LossWeights>;
  readonly widths?: readonly [number, number, number];
  readonly blocks?: number;
  readonly seed?: number;
  /** Continue from outDir's checkpoint when there is one (default true). */
  readonly resume?: boolean;
  /** Save every this many steps (default: only at the end). */
  readonly saveEvery?: number;
  readonly quantisation?: Quantisation;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, losses: LossValues) => void;
}

export interface TrainResult {
  readonly modelJson: string;
  readonly step: number;
  readonly resumedFrom: number;
  readonly bytes: number;
  readonly history: LossValues[];
}

const IMAGE_RE = /\.(png|jpe?g)$/i;

export function readContentFolder(dir: string, size: number): RgbImage[] {
  const files = readdirSync(dir).filter((f) => IMAGE_RE.test(f)).sort();
  if (!files.length) throw new Error(`${dir} holds no PNG or JPEG images to train on`);
  return files.map((f) => readImage(join(dir, f), { maxSide: 4096 }).image).map((img) => shorterSideTo(img, size));
}

function shorterSideTo(img: RgbImage, size: number): RgbImage {
  const s = size / Math.min(img.width, img.height);
  return resizeImage(img, Math.max(size, Math.round(img.width * s)), Math.max(size, Math.round(img.height * s)));
}

export async function trainTransformNet(tf: typeof tfc, net: LossNetwork, options: TrainOptions): Promise<TrainResult> {
  const size = options.size ?? 128;
  const batch = options.batch ?? 2;
  const seed = options.seed ?? 1;
  const w: LossWeights = { ...DEFAULT_LOSS_WEIGHTS, ...options.weights };
  const images = typeof options.content === 'string' ? readContentFolder(options.content, size) : options.content.map((i) => shorterSideTo(i, size));
  const topology = johnsonNetJson({ widths: options.widths, blocks: options.blocks, size, name: `johnson_${options.styleName ?? 'style'}` });
  const topologyText = JSON.stringify(topology);
  const analysis = analyzeTransformNet(topologyText, 'transform.json', size, size);
  const bad = analysis.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new Error(`the transformation network cannot take ${size}×${size} crops: ${bad.message}`);

  const metaPath = join(options.outDir, 'training.json');
  const modelPath = join(options.outDir, 'model.json');
  let start = 0;
  let params: TransformParams;
  if (options.resume !== false && existsSync(metaPath) && existsSync(modelPath)) {
    const meta = JSON.parse(readUserText(metaPath, 'style'));
    const saved = JSON.parse(readUserText(modelPath, 'style'));
    const savedAnalysis = analyzeTransformNet(JSON.stringify(saved.modelTopology), modelPath, size, size);
    const loaded = await loadWeights(modelPath, savedAnalysis, { tf });
    params = initTransformParams(tf, analysis, seed, loaded.weights);
    for (const t of loaded.weights.values()) for (const v of Object.values(t)) v.dispose();
    start = meta.step ?? 0;
  } else params = initTransformParams(tf, analysis, seed);

  const styleT = imageToTensor(tf, fitLongerSide(options.style, size));
  const targets = styleTargets(tf, net, styleT, w.styleLayers);
  styleT.dispose();
  // The content term's scale (balancing networks): from the content images' own features.
  const contentScale = net.balanceStyle
    ? 1 / Math.max(1e-12, tf.tidy(() => tf.mean(tf.square(features(tf, net, imageToTensor(tf, images[0])).content)).dataSync()[0]))
    : 1;

  const vars = [...params.trainable.values()].flatMap((r) => Object.values(r));
  const opt = tf.train.adam(options.learningRate ?? 2e-3);
  let rng = (seed * 2654435761 + start * 97) >>> 0;
  const rand = () => {
    rng = (rng + 0x6d2b79f5) >>> 0;
    let t = rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const crop = (): Float32Array => {
    const img = images[Math.floor(rand() * images.length)];
    const x0 = Math.floor(rand() * (img.width - size + 1));
    const y0 = Math.floor(rand() * (img.height - size + 1));
    const flip = rand() < 0.5;
    const out = new Float32Array(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const sx = flip ? x0 + size - 1 - x : x0 + x;
      const s = ((y0 + y) * img.width + sx) * 3, d = (y * size + x) * 3;
      out[d] = img.data[s];
      out[d + 1] = img.data[s + 1];
      out[d + 2] = img.data[s + 2];
    }
    return out;
  };

  const save = (step: number) => {
    // BN moving statistics := the statistics of every content image (centre crops), one training-mode pass.
    tf.tidy(() => {
      const all = tf.concat(images.map((img) => tf.slice(imageToTensor(tf, img), [0, Math.floor((img.height - size) / 2), Math.floor((img.width - size) / 2), 0], [1, size, size, 3])));
      forwardSync(tf, analysis, paramsWeightMap(params), [all], {
        training: true,
        onBatchStats: (id, mean, variance) => {
          const f = params.frozen.get(id);
          if (!f) return;
          f.moving_mean.dispose();
          f.moving_variance.dispose();
          f.moving_mean = tf.keep(mean.clone());
          f.moving_variance = tf.keep(variance.clone());
        },
      });
    });
    const saved = saveLayersModel(options.outDir, topology, paramsWeightMap(params), {
      quantisation: options.quantisation,
      metadata: { outputRange: '0-255', style: options.styleName ?? 'style', lossNetwork: net.description, lossNetworkKind: net.kind, step, trainingSize: size, widths: options.widths ?? [16, 32, 64], blocks: options.blocks ?? 5, lossWeights: w },
    });
    writeFileSync(metaPath, JSON.stringify({ step, seed, size, batch, lossNetwork: net.description, styleName: options.styleName, note: 'resume restores weights, BN statistics and step; Adam moments restart' }, null, 2));
    return saved.bytes;
  };

  const history: LossValues[] = [];
  let bytes = 0;
  try {
    for (let step = start + 1; step <= start + options.steps; step++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('training was cancelled');
      let parts!: LossValues;
      tf.tidy(() => {
        const batchData = new Float32Array(batch * size * size * 3);
        for (let b = 0; b < batch; b++) batchData.set(crop(), b * size * size * 3);
        const x = tf.tensor4d(batchData, [batch, size, size, 3]);
        const contentTarget = features(tf, net, x).content;
        const { value, grads } = tf.variableGrads(() => {
          const y = forwardSync(tf, analysis, paramsWeightMap(params), [x], { training: true }).outputs[0];
          const l = lossTerms(tf, net, y, contentTarget, contentScale, targets, w);
          parts = { total: 0, content: l.content.dataSync()[0], style: l.style.dataSync()[0], tv: l.tv.dataSync()[0] };
          return l.total;
        }, vars);
        parts = { ...parts, total: value.dataSync()[0] };
        opt.applyGradients(grads as never);
      });
      history.push(parts);
      options.onStep?.(step, parts);
      if (options.saveEvery && step % options.saveEvery === 0 && step < start + options.steps) bytes = save(step);
      await new Promise((r) => setImmediate(r));
    }
    bytes = save(start + options.steps);
    return { modelJson: modelPath, step: start + options.steps, resumedFrom: start, bytes, history };
  } finally {
    opt.dispose();
    targets.grams.forEach((g) => g.dispose());
    disposeParams(params);
  }
}
