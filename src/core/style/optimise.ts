import type * as tfc from '@tensorflow/tfjs-core';
// Gradients are registered by a side-effect import in tfjs-core (the union bundle @tensorflow/tfjs does it for you).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fitLongerSide, imageToTensor, tensorToImage, type RgbImage } from './image-io';
import { balancedStyleWeights, features, type LossNetwork } from './loss-network';
import { lbfgs } from './lbfgs';
import { contentLoss, gram, styleLoss, tvLoss } from './losses';

// Optimise mode (Gatys, Ecker & Bethge 2016): the output image itself is the variable. Starting
// from the content image, Adam (tf.train.adam, in pixel units; pixels clipped to [0, 255] after each
// step) or L-BFGS (lbfgs.ts, as Gatys et al. did; pixels kept in the box [0, 255]) lowers
//   L = α·ℓ_content(φ(x), φ(content)) + β·ℓ_style(φ(x), style) + γ·ℓ_TV(x / 255)
// with the losses of losses.ts. Adam costs one loss-and-gradient evaluation per step; an L-BFGS
// iteration costs one or more (its line search), and usually gets much further. On a balancing
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

export type StyleOptimizer = 'adam' | 'lbfgs';
export const STYLE_OPTIMIZERS: readonly StyleOptimizer[] = ['adam', 'lbfgs'];

export interface OptimiseOptions {
  /** Adam steps or L-BFGS iterations (default 200). */
  readonly steps?: number;
  /** Default 'adam'. */
  readonly optimizer?: StyleOptimizer;
  /** Adam's learning rate in pixel units (default 4). */
  readonly learningRate?: number;
  readonly weights?: Partial<LossWeights>;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, losses: LossValues) => void;
}

export interface OptimiseResult {
  readonly image: RgbImage;
  /**
   * history[k]: the losses after k steps (history[0]: the content image's, where both start). Adam
   * evaluates before each update, so its last entry is after steps − 1; L-BFGS evaluates the point
   * it accepts, so its last entry is the result's (and it is shorter when L-BFGS converged early).
   */
  readonly history: LossValues[];
  readonly optimizer: StyleOptimizer;
  /** Loss-and-gradient evaluations (L-BFGS line-search trials included). */
  readonly evaluations: number;
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
  const loss = (image: tfc.Tensor) => lossTerms(tf, net, image, contentTarget, contentScale, targets, w);
  const run = options.optimizer === 'lbfgs' ? runLbfgs : runAdam;
  try {
    return await run(tf, contentT, loss, steps, options);
  } finally {
    contentT.dispose();
    styleT.dispose();
    contentTarget.dispose();
    targets.grams.forEach((g) => g.dispose());
  }
}

type Loss = (image: tfc.Tensor) => ReturnType<typeof lossTerms>;
const values = (l: ReturnType<typeof lossTerms>): LossValues => ({ total: l.total.dataSync()[0], content: l.content.dataSync()[0], style: l.style.dataSync()[0], tv: l.tv.dataSync()[0] });
const nextTurn = () => new Promise((r) => setImmediate(r));
const cancelled = (signal?: AbortSignal) => {
  if (signal?.aborted) throw signal.reason ?? new Error('optimisation was cancelled');
};

async function runAdam(tf: typeof tfc, start: tfc.Tensor, loss: Loss, steps: number, options: OptimiseOptions): Promise<OptimiseResult> {
  const x = tf.variable(start.clone(), true);
  const opt = tf.train.adam(options.learningRate ?? 4);
  const history: LossValues[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      cancelled(options.signal);
      let parts!: LossValues;
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const l = loss(x);
          parts = values(l);
          return l.total;
        }, [x]);
        opt.applyGradients(grads as never);
        x.assign(tf.clipByValue(x, 0, 255));
      });
      history.push(parts);
      options.onStep?.(step, parts);
      await nextTurn();
    }
    return { image: tensorToImage(x), history, optimizer: 'adam', evaluations: steps };
  } finally {
    x.dispose();
    opt.dispose();
  }
}

async function runLbfgs(tf: typeof tfc, start: tfc.Tensor, loss: Loss, steps: number, options: OptimiseOptions): Promise<OptimiseResult> {
  const shape = start.shape as [number, number, number, number];
  let parts!: LossValues; // of the latest evaluation, which is the accepted point when an iteration ends
  const objective = (pixels: Float32Array) => tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((image: tfc.Tensor) => {
      const l = loss(image);
      parts = values(l);
      return l.total;
    })(tf.tensor4d(pixels, shape));
    return { value: value.dataSync()[0], gradient: Float32Array.from(grad.dataSync()) };
  });
  const history: LossValues[] = [];
  const objectiveLogged = (pixels: Float32Array) => {
    const r = objective(pixels);
    if (!history.length) history.push(parts); // the starting point's losses
    return r;
  };
  // The first step moves the most-changed pixel by 8 levels; after that the curvature pairs set the scale.
  // No gradient tolerance: this loss's gradients are tiny per pixel (~1e-6) long before the image is done; `steps` decides.
  const iterations = lbfgs(Float32Array.from(start.dataSync()), objectiveLogged, { lower: 0, upper: 255, initialStep: 8, gradientTolerance: 0 });
  let x: Float32Array | undefined;
  let evaluations = 1;
  for (let step = 1; step <= steps; step++) {
    cancelled(options.signal);
    const r = iterations.next();
    if (r.done) break;
    x = r.value.x;
    evaluations = r.value.evaluations;
    history.push(parts);
    options.onStep?.(step, parts);
    await nextTurn();
  }
  const image = x ? tf.tidy(() => tf.tensor4d(x!, shape)) : start.clone();
  try {
    return { image: tensorToImage(image), history, optimizer: 'lbfgs', evaluations };
  } finally {
    image.dispose();
  }
}
