import type * as tfc from '@tensorflow/tfjs-core';
import { imageToTensor, type RgbImage } from './image-io';
import { features, type LossNetwork } from './loss-network';
import { gram } from './losses';

// Style match measured in a network's features: the Gram matrices (Johnson eq. 3) of an image
// against a style image's, layer by layer, each squared Frobenius distance divided by ‖G_style‖²_F
// so that every layer counts alike, averaged over the style layers. An image against itself scores
// 0. To judge a result fairly, measure in a network the loss did not use (style:measure uses the
// random multi-scale architecture with another seed, i.e. other filters).

export function gramDistance(tf: typeof tfc, net: LossNetwork, image: RgbImage, style: RgbImage): number {
  return tf.tidy(() => {
    const gi = features(tf, net, imageToTensor(tf, image)).style.map((f) => gram(tf, f));
    const gs = features(tf, net, imageToTensor(tf, style)).style.map((f) => gram(tf, f));
    let total = 0;
    gi.forEach((g, j) => {
      const d = tf.sum(tf.squaredDifference(g, gs[j])).dataSync()[0];
      total += d / Math.max(1e-12, tf.sum(tf.square(gs[j])).dataSync()[0]);
    });
    return total / gi.length;
  });
}
