import type * as tfc from '@tensorflow/tfjs-core';
import { analyzeText } from '..';
import type { Analysis } from '../analysis/types';
import type { ModelSource } from '../formats/source';
import { fans, mulberry32 } from '../runtime/random-weights';
import { disposeWeights, loadWeightsFrom, type WeightMap } from '../runtime/weights';
import { forwardSync } from './forward';
import { KerasGraphBuilder } from './keras-json';

// The loss network φ: the feature maps the content and style losses compare.
//
// VGG-16 (Johnson et al.): Keras's VGG-16 without its classifier (vgg16NotopJson; the zoo's whole
// VGG-16 for files that include the top; the convolutions carry fused ReLUs, so block1_conv2 =
// relu1_2, block2_conv2 = relu2_2, block3_conv3 = relu3_3, block4_conv3 = relu4_3), run only up
// to block4_conv3, with the user's ImageNet weights (Keras
// `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`, a TF.js VGG-16 model.json, or any file
// loadWeights reads). Input: Keras "caffe" preprocessing (RGB→BGR, ImageNet means subtracted).
//
// Offline default — a random multi-scale network. With no pretrained weights on the machine we use
// the finding of Ustyuzhaninov, Brendel, Gatys & Bethge (ICLR 2017, "What does it take to generate
// natural textures?"): Gram statistics of random, untrained convolutional filters at several scales
// already capture texture and style well enough to synthesise it; what matters is multiple scales
// and many filters, not training. Ours is a four-level pyramid mirroring VGG's four style layers:
//   rand1 = ReLU(conv 5×5, 48)  at 1/1        (≈ relu1_2)
//   rand2 = ReLU(conv 3×3, 64)  at 1/2        (≈ relu2_2, also the content layer)
//   rand3 = ReLU(conv 3×3, 96)  at 1/4        (≈ relu3_3)
//   rand4 = ReLU(conv 3×3, 128) at 1/8        (≈ relu4_3)
// (2×2 average pooling between levels.) Weights: He-uniform from our seeded PRNG (mulberry32,
// seed 20170301 by default), zero biases — the same numbers on every machine and backend. Input:
// pixels/127.5 − 1. Because random features are not balanced like trained ones, the style layers'
// weights are normalised per style target (see `balancedStyleWeights`).

export interface LossNetwork {
  /** Short id: 'vgg16' or 'random-multiscale'. */
  readonly kind: 'vgg16' | 'random-multiscale';
  /** What produced the features, in a user's words, e.g. "VGG-16 (ImageNet weights from …)". */
  readonly description: string;
  readonly analysis: Analysis;
  readonly weights: WeightMap;
  readonly contentLayer: string;
  readonly styleLayers: readonly string[];
  /** Default per-layer style weights (before balancing, when the network asks for it). */
  readonly styleWeights: readonly number[];
  /** Divide each style layer's weight by ‖G_target‖²_F so that every layer counts (random networks). */
  readonly balanceStyle: boolean;
  /** Image [N, H, W, 3] in [0, 255] → the network's input. */
  preprocess(tf: typeof tfc, image: tfc.Tensor): tfc.Tensor;
  dispose(): void;
}

export const VGG_CONTENT_LAYER = 'block2_conv2';
export const VGG_STYLE_LAYERS = ['block1_conv2', 'block2_conv2', 'block3_conv3', 'block4_conv3'] as const;
export const RANDOM_SEED = 20170301;

/** The feature maps a loss network gives for an image [N, H, W, 3] in [0, 255] (synchronous: use inside tf.grad). */
export function features(tf: typeof tfc, net: LossNetwork, image: tfc.Tensor): { content: tfc.Tensor; style: tfc.Tensor[] } {
  const taps = [...new Set([net.contentLayer, ...net.styleLayers])];
  const r = forwardSync(tf, net.analysis, net.weights, [net.preprocess(tf, image)], { taps, outputs: false });
  return { content: r.taps.get(net.contentLayer)!, style: net.styleLayers.map((l) => r.taps.get(l)!) };
}

/**
 * Keras's `VGG16(include_top=False)` as Keras JSON: the layers (and names) of
 * `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`, block1_conv1 … block5_pool.
 */
export function vgg16NotopJson(): string {
  const b = new KerasGraphBuilder('vgg16', [null, null, 3]);
  let x = 'input_1';
  [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]].forEach(([filters, convs], i) => {
    for (let c = 1; c <= convs; c++) x = b.conv(`block${i + 1}_conv${c}`, x, filters, 3, 1, 'same', 'relu');
    x = b.add('MaxPooling2D', `block${i + 1}_pool`, { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x]);
  });
  return JSON.stringify(b.toJson(x));
}

/**
 * The VGG-16 loss network with ImageNet weights from `weights`: a "notop" file (Keras
 * `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`) binds to VGG-16 without its classifier; a
 * whole VGG-16 (`wholeVgg16Json`: the zoo's graph, at 224², e.g. for a TF.js VGG-16 model.json) is
 * tried next. When neither fits, the error is the notop attempt's: it names the file and every
 * layer that does not match. The host opens the files (src/node/style/loss-network-files.ts).
 */
export async function vggLossNetwork(tf: typeof tfc, weights: ModelSource, wholeVgg16Json: () => string): Promise<LossNetwork> {
  const weightsPath = weights.name;
  const notop = analyzeText(vgg16NotopJson(), 'vgg16_notop.json', { inputShape: [1, 64, 64, 3] });
  let analysis = notop;
  let loaded: Awaited<ReturnType<typeof loadWeightsFrom>>;
  try {
    loaded = await loadWeightsFrom(weights, notop, { tf });
  } catch (notopError) {
    if ((notopError as Error).name !== 'WeightsError') throw notopError;
    analysis = analyzeText(wholeVgg16Json(), 'vgg16.json', { inputShape: [1, 224, 224, 3] });
    try {
      loaded = await loadWeightsFrom(weights, analysis, { tf });
    } catch {
      throw notopError;
    }
  }
  const missing = VGG_STYLE_LAYERS.filter((l) => !loaded.weights.get(l));
  if (missing.length) {
    disposeWeights(loaded.weights);
    throw new Error(`${weightsPath} has no weights for ${missing.join(', ')}: it is not a VGG-16 with the Keras layer names`);
  }
  const mean = tf.tensor1d([103.939, 116.779, 123.68]);
  return {
    kind: 'vgg16',
    description: `VGG-16 through relu4_3 (${loaded.source}: ${weightsPath})`,
    analysis,
    weights: loaded.weights,
    contentLayer: VGG_CONTENT_LAYER,
    styleLayers: VGG_STYLE_LAYERS,
    styleWeights: [1, 1, 1, 1],
    balanceStyle: false,
    preprocess: (t, image) => t.sub(t.reverse(image, -1), mean),
    dispose: () => {
      disposeWeights(loaded.weights);
      mean.dispose();
    },
  };
}

/** The random multi-scale network's graph as Keras JSON text (so it can be shown and analysed like any model). */
export function randomLossNetworkJson(): string {
  const b = new KerasGraphBuilder('random_multiscale_loss_net', [null, null, 3]);
  let x = b.conv('rand1', 'input_1', 48, 5, 1, 'same', 'relu');
  x = b.add('AveragePooling2D', 'pool1', { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x]);
  x = b.conv('rand2', x, 64, 3, 1, 'same', 'relu');
  x = b.add('AveragePooling2D', 'pool2', { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x]);
  x = b.conv('rand3', x, 96, 3, 1, 'same', 'relu');
  x = b.add('AveragePooling2D', 'pool3', { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x]);
  x = b.conv('rand4', x, 128, 3, 1, 'same', 'relu');
  return JSON.stringify(b.toJson(x));
}

/** The offline default loss network (see the header): deterministic for a seed. */
export function randomLossNetwork(tf: typeof tfc, seed = RANDOM_SEED): LossNetwork {
  const analysis = analyzeText(randomLossNetworkJson(), 'random_multiscale_loss_net.json', { inputShape: [1, 64, 64, 3] });
  const weights = new Map<string, Record<string, tfc.Tensor>>();
  let k = 0;
  for (const node of analysis.graph.nodes) {
    if (node.op !== 'Conv2D') continue;
    const info = analysis.byId.get(node.id)!;
    const cin = info.inputShapes[0]![3]!;
    const a = node.attrs as { kernelSize: number[]; filters: number };
    const shape = [a.kernelSize[0], a.kernelSize[1], cin, a.filters];
    const rand = mulberry32(seed * 31 + ++k);
    const limit = Math.sqrt(6 / fans(shape).fanIn);
    const n = shape.reduce((p, d) => p * d, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = (2 * rand() - 1) * limit;
    weights.set(node.id, { kernel: tf.tensor4d(values, shape as [number, number, number, number]), bias: tf.zeros([a.filters]) });
  }
  return {
    kind: 'random-multiscale',
    description: `random multi-scale loss network (untrained, He-uniform filters, seed ${seed}; Ustyuzhaninov et al. 2017) — no pretrained weights`,
    analysis,
    weights,
    contentLayer: 'rand2',
    styleLayers: ['rand1', 'rand2', 'rand3', 'rand4'],
    styleWeights: [1, 1, 1, 1],
    balanceStyle: true,
    preprocess: (t, image) => t.sub(t.div(image, 127.5), 1),
    dispose: () => disposeWeights(weights),
  };
}

/** Per-layer style weights: the network's defaults, divided by ‖G_target‖²_F when it balances its layers. */
export function balancedStyleWeights(tf: typeof tfc, net: LossNetwork, targets: readonly tfc.Tensor[], base: readonly number[] = net.styleWeights): number[] {
  if (!net.balanceStyle) return [...base];
  return targets.map((g, j) => base[j] / Math.max(1e-12, tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0])));
}
