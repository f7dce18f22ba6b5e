// GoogLeNet / Inception v1 per Szegedy et al. 2014, Table 1: true 5×5 branch, conv + bias + ReLU (no BN), LRN after
// pool1 and after conv2, no auxiliary heads, 'same' pools (112 → 56 → 28 → 14 → 7). Layer names follow the BVLC
// Caffe GoogLeNet with '/' replaced by '_', so every inception layer starts with `inception_3a_` and so on.
import { KerasBuilder, activation, concatenate, conv2d, dense, dropout, flatten, localResponseNormalization, pool2d } from './keras-builder';
import type { JsonObject, Tensor } from './keras-builder';

/** Table 1 columns: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj. */
const MODULES: Record<string, [number, number, number, number, number, number]> = {
  '3a': [64, 96, 128, 16, 32, 32],
  '3b': [128, 128, 192, 32, 96, 64],
  '4a': [192, 96, 208, 16, 48, 64],
  '4b': [160, 112, 224, 24, 64, 64],
  '4c': [128, 128, 256, 24, 64, 64],
  '4d': [112, 144, 288, 32, 64, 64],
  '4e': [256, 160, 320, 32, 128, 128],
  '5a': [256, 160, 320, 32, 128, 128],
  '5b': [384, 192, 384, 48, 128, 128],
};

const lrn = (name: string) => localResponseNormalization(name, { depth_radius: 2, bias: 1.0, alpha: 2e-5, beta: 0.75 });

export function googlenet(): JsonObject {
  const k = new KerasBuilder();
  const conv = (name: string, filters: number, size: number, x: Tensor, strides = 1) =>
    k.layer('Conv2D', conv2d({ name, filters, kernel_size: size, strides, padding: 'same', activation: 'relu' }), x);
  const maxpool = (name: string, x: Tensor, strides = 2) => k.layer('MaxPooling2D', pool2d({ name, pool_size: 3, strides, padding: 'same' }), x);

  const inception = (id: string, x: Tensor): Tensor => {
    const [c1, r3, c3, r5, c5, pp] = MODULES[id];
    const p = `inception_${id}`;
    const b1 = conv(`${p}_1x1`, c1, 1, x);
    const b3 = conv(`${p}_3x3`, c3, 3, conv(`${p}_3x3_reduce`, r3, 1, x));
    const b5 = conv(`${p}_5x5`, c5, 5, conv(`${p}_5x5_reduce`, r5, 1, x));
    const bp = conv(`${p}_pool_proj`, pp, 1, maxpool(`${p}_pool`, x, 1));
    return k.layer('Concatenate', concatenate(`${p}_concat`), [b1, b3, b5, bp]);
  };

  const input = k.input('input_1', [224, 224, 3]);
  let x = conv('conv1_7x7_s2', 64, 7, input, 2);
  x = maxpool('pool1_3x3_s2', x);
  x = k.layer('LocalResponseNormalization', lrn('pool1_norm1'), x);
  x = conv('conv2_3x3_reduce', 64, 1, x);
  x = conv('conv2_3x3', 192, 3, x);
  x = k.layer('LocalResponseNormalization', lrn('conv2_norm2'), x);
  x = maxpool('pool2_3x3_s2', x);
  x = inception('3b', inception('3a', x));
  x = maxpool('pool3_3x3_s2', x);
  for (const id of ['4a', '4b', '4c', '4d', '4e']) x = inception(id, x);
  x = maxpool('pool4_3x3_s2', x);
  x = inception('5b', inception('5a', x));
  x = k.layer('AveragePooling2D', pool2d({ name: 'pool5_7x7_s1', pool_size: 7, strides: 1, padding: 'valid' }), x);
  x = k.layer('Flatten', flatten('pool5_flatten'), x);
  x = k.layer('Dropout', dropout('pool5_drop_7x7_s1', 0.4), x);
  x = k.layer('Dense', dense({ name: 'loss3_classifier', units: 1000 }), x);
  x = k.layer('Activation', activation('prob', 'softmax'), x);
  return k.model('googlenet', input, x);
}
