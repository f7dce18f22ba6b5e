import type * as tfc from '@tensorflow/tfjs-core';

// Johnson et al. (ECCV 2016) perceptual losses, §3.1–3.3, on NHWC feature maps.
//
// Gram matrix. For a feature map φ_j(x) of shape C×H×W reshaped to F (H·W rows, C columns),
//   G = Fᵀ F / (C · H · W)                                             (Johnson eq. 3)
// i.e. G[c, c'] = Σ_{h,w} φ[h,w,c] · φ[h,w,c'] / (C·H·W). Dividing by C·H·W (not H·W, as some
// implementations do) makes the Gram matrices of layers of different sizes comparable and is the
// paper's normalisation; a batch gives one C×C matrix per image.
//
// Feature (content) loss:  ℓ_feat = ‖φ_j(ŷ) − φ_j(y)‖²₂ / (C·H·W)      (eq. 2: the mean squared difference)
// Style loss:              ℓ_style = Σ_j w_j ‖G_j(ŷ) − G_j(y_s)‖²_F   (eq. 4: squared Frobenius norm, summed over layers)
// Total variation:         ℓ_TV = mean (x[i,j+1] − x[i,j])² + mean (x[i+1,j] − x[i,j])²
//                          (squared differences of horizontal and vertical neighbours, each averaged over
//                          the differences that exist; Johnson's code uses the sum of absolute values, ours
//                          is smooth at 0 and independent of the image size)
// Batches: every loss is averaged over the batch.

/** Gram matrices [N, C, C] of a feature map [N, H, W, C], normalised by C·H·W. */
export function gram(tf: typeof tfc, features: tfc.Tensor): tfc.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = features.shape;
    const f = tf.reshape(features, [n, h * w, c]) as tfc.Tensor3D;
    return tf.div(tf.matMul(f, f, true, false), c * h * w) as tfc.Tensor3D;
  });
}

/** Mean squared difference of two feature maps of the same shape (Johnson eq. 2). */
export function contentLoss(tf: typeof tfc, features: tfc.Tensor, target: tfc.Tensor): tfc.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(features, target)) as tfc.Scalar);
}

/**
 * Σ_j w_j ‖G_j − T_j‖²_F, averaged over the batch. `targets` are Gram matrices [1 or N, C, C]
 * (a single style's Gram broadcasts over the batch); `weights` default to 1 per layer.
 */
export function styleLoss(tf: typeof tfc, features: readonly tfc.Tensor[], targets: readonly tfc.Tensor[], weights?: readonly number[]): tfc.Scalar {
  if (features.length !== targets.length) throw new Error(`style loss: ${features.length} feature maps but ${targets.length} target Gram matrices`);
  return tf.tidy(() => {
    let total = tf.scalar(0);
    features.forEach((f, j) => {
      const g = gram(tf, f);
      const perImage = tf.sum(tf.squaredDifference(g, targets[j]), [1, 2]);
      total = tf.add(total, tf.mul(tf.mean(perImage), weights?.[j] ?? 1));
    });
    return total as tfc.Scalar;
  });
}

/** Total-variation regulariser of an image [N, H, W, C] (see the header for the exact form). */
export function tvLoss(tf: typeof tfc, image: tfc.Tensor): tfc.Scalar {
  return tf.tidy(() => {
    const [, h, w] = image.shape;
    const x = image as tfc.Tensor4D;
    let loss = tf.scalar(0);
    if (w > 1) loss = tf.add(loss, tf.mean(tf.squaredDifference(tf.slice(x, [0, 0, 1, 0], [-1, -1, w - 1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, w - 1, -1]))));
    if (h > 1) loss = tf.add(loss, tf.mean(tf.squaredDifference(tf.slice(x, [0, 1, 0, 0], [-1, h - 1, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, h - 1, -1, -1]))));
    return loss as tfc.Scalar;
  });
}
