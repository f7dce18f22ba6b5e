import type * as tfc from '@tensorflow/tfjs-core';
// Gradients are registered by a side-effect import in tfjs-core (the union bundle @tensorflow/tfjs does it for you).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fitLongerSide, imageToTensor, tensorToImage, type RgbImage } from './image-io';
import { balancedStyleWeights, features, type LossNetwork } from './loss-network';
import { contentLoss, gram, styleLoss, tvLoss } from './losses';

// Optimise mode (Gatys, Ecker & Bethge 2016): the output image itself is the variable. Starting
// from the content image, Adam (tf.train.adam, in pixel units) lowers
//   L = α·ℓ_content(φ(x), φ(content)) + β·ℓ_style(φ(x), style) + γ·ℓ_TV(x / 255)
// with the losses of losses.ts; pixels are clipped to [0, 255] after each step. On a balancing
// loss network (the random default) the content term is divided by mean φ(content)² and each
// style layer by ‖G_target‖²_F, so that α, β need no per-network tuning.

export interface LossWeights {
  readonly content: number;
  readonly style: number;
  readonly tv: number;
  /** Per style layer (before balancing); default the network's. */
  readonly styleLayers?: readonly number[];
}

export const DEFAULT_LOSS_WEIGHTS: LossWeights = { content: 1, style: 10, tv: 10 };

export interface LossValues {
  readonly total: number;
  readonly content: number;
  readonly style: number;
  readonly tv: number;
}

export interface OptimiseOptions {
  readonly steps?: number;
  /** Adam's learning rate in pixel units (default 4). */
  readonly learningRate?: number;
  readonly weights?: Partial<LossWeights>;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, losses: LossValues) => void;
}

export interface OptimiseResult {
  readonly image: RgbImage;
  readonly history: LossValues[];
}

/** Style targets for a loss network: the style image's Gram matrices and the balanced layer weights. */
export function styleTargets(tf: typeof tfc, net: LossNetwork, style: tfc.Tensor, layerWeights?: readonly number[]): { grams: tfc.Tensor[]; weights: number[] } {
  const grams = tf.tidy(() => features(tf, net, style).style.map((f) => gram(tf, f)));
  return { grams, weights: balancedStyleWeights(tf, net, grams, layerWeights ?? net.styleWeights) };
}

/** Every loss term for an image against the content features and style targets (synchronous, differentiable). */
export function lossTerms(tf: typeof tfc, net: LossNetwork, image: tfc.Tensor, contentTarget: tfc.Tensor, contentScale: number, targets: { grams: tfc.Tensor[]; weights: number[] }, w: LossWeights): { total: tfc.Scalar; content: tfc.Scalar; style: tfc.Scalar; tv: tfc.Scalar } {
  const f = features(tf, net, image);
  const content = tf.mul(contentLoss(tf, f.content, contentTarget), contentScale) as tfc.Scalar;
  const style = styleLoss(tf, f.style, targets.grams, targets.weights);
  const tv = tvLoss(tf, tf.div(image, 255));
  const total = tf.addN([tf.mul(content, w.content), tf.mul(style, w.style), tf.mul(tv, w.tv)]) as tfc.Scalar;
  return { total, content, style, tv };
}

export async function stylizeOptimise(tf: typeof tfc, net: LossNetwork, content: RgbImage, style: RgbImage, options: OptimiseOptions = {}): Promise<OptimiseResult> {
  const steps = options.steps ?? 200;
  const w: LossWeights = { ...DEFAULT_LOSS_WEIGHTS, ...options.weights };
  // The style image at about the content's area (Gram matrices are size-normalised; this keeps the texture scale and the cost in step).
  const styleImg = fitLongerSide(style, Math.max(16, Math.round(Math.sqrt(content.width * content.height) * Math.max(style.width, style.height) / Math.sqrt(style.width * style.height))));
  const contentT = imageToTensor(tf, content);
  const styleT = imageToTensor(tf, styleImg);
  const targets = styleTargets(tf, net, styleT, w.styleLayers);
  const contentTarget = tf.tidy(() => features(tf, net, contentT).content);
  const contentScale = net.balanceStyle ? 1 / Math.max(1e-12, tf.tidy(() => tf.mean(tf.square(contentTarget)).dataSync()[0])) : 1;
  const x = tf.variable(contentT.clone(), true);
  const opt = tf.train.adam(options.learningRate ?? 4);
  const history: LossValues[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('optimisation was cancelled');
      let parts!: { total: number; content: number; style: number; tv: number };
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const l = lossTerms(tf, net, x, contentTarget, contentScale, targets, w);
          parts = { total: 0, content: l.content.dataSync()[0], style: l.style.dataSync()[0], tv: l.tv.dataSync()[0] };
          return l.total;
        }, [x]);
        parts.total = value.dataSync()[0];
        opt.applyGradients(grads as never);
        x.assign(tf.clipByValue(x, 0, 255));
      });
      history.push(parts);
      options.onStep?.(step, parts);
      await new Promise((r) => setImmediate(r));
    }
    return { image: tensorToImage(x), history };
  } finally {
    x.dispose();
    opt.dispose();
    contentT.dispose();
    styleT.dispose();
    contentTarget.dispose();
    targets.grams.forEach((g) => g.dispose());
  }
}
