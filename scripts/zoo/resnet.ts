// ResNets.
//  - resnetKeras(50 | 152): exactly keras.applications ResNet50 / ResNet152 (v1: stride on the first 1×1 of
//    block1, conv biases, BN epsilon 1.001e-5, conv1_pad / pool1_pad ZeroPadding2D).
//  - resnet18(): torchvision's basic-block ResNet-18 written with Keras layers and Keras ResNet naming
//    (conv without bias + BatchNormalization epsilon 1e-5, explicit 1-px padding on the stride-2 convs).
import { KerasBuilder, activation, add, batchNorm, conv2d, dense, globalAveragePooling2d, pool2d, zeroPadding2d } from './keras-builder';
import type { JsonObject, Tensor } from './keras-builder';

export function resnetKeras(depth: 50 | 152): JsonObject {
  const blocks = depth === 50 ? [3, 4, 6, 3] : [3, 8, 36, 3];
  const k = new KerasBuilder();
  const conv = (name: string, filters: number, size: number, x: Tensor, strides = 1, padding = 'valid') =>
    k.layer('Conv2D', conv2d({ name, filters, kernel_size: size, strides, padding }), x);
  const bn = (name: string, x: Tensor) => k.layer('BatchNormalization', batchNorm({ name, epsilon: 1.001e-5 }), x);
  const relu = (name: string, x: Tensor) => k.layer('Activation', activation(name, 'relu'), x);

  const block1 = (x: Tensor, filters: number, stride: number, convShortcut: boolean, name: string): Tensor => {
    const shortcut = convShortcut ? bn(`${name}_0_bn`, conv(`${name}_0_conv`, 4 * filters, 1, x, stride)) : x;
    let y = relu(`${name}_1_relu`, bn(`${name}_1_bn`, conv(`${name}_1_conv`, filters, 1, x, stride)));
    y = relu(`${name}_2_relu`, bn(`${name}_2_bn`, conv(`${name}_2_conv`, filters, 3, y, 1, 'same')));
    y = bn(`${name}_3_bn`, conv(`${name}_3_conv`, 4 * filters, 1, y));
    return relu(`${name}_out`, k.layer('Add', add(`${name}_add`), [shortcut, y]));
  };

  const input = k.input('input_1', [224, 224, 3]);
  let x = k.layer('ZeroPadding2D', zeroPadding2d('conv1_pad', [[3, 3], [3, 3]]), input);
  x = relu('conv1_relu', bn('conv1_bn', conv('conv1_conv', 64, 7, x, 2)));
  x = k.layer('ZeroPadding2D', zeroPadding2d('pool1_pad', [[1, 1], [1, 1]]), x);
  x = k.layer('MaxPooling2D', pool2d({ name: 'pool1_pool', pool_size: 3, strides: 2 }), x);
  [64, 128, 256, 512].forEach((filters, s) => {
    const stage = `conv${s + 2}`;
    x = block1(x, filters, s === 0 ? 1 : 2, true, `${stage}_block1`);
    for (let i = 2; i <= blocks[s]; i++) x = block1(x, filters, 1, false, `${stage}_block${i}`);
  });
  x = k.layer('GlobalAveragePooling2D', globalAveragePooling2d('avg_pool'), x);
  x = k.layer('Dense', dense({ name: 'predictions', units: 1000, activation: 'softmax' }), x);
  return k.model(`resnet${depth}`, input, x);
}

export function resnet18(): JsonObject {
  const k = new KerasBuilder();
  const conv = (name: string, filters: number, size: number, x: Tensor, strides = 1, padding = 'valid') =>
    k.layer('Conv2D', conv2d({ name, filters, kernel_size: size, strides, padding, use_bias: false }), x);
  const bn = (name: string, x: Tensor) => k.layer('BatchNormalization', batchNorm({ name, epsilon: 1e-5, momentum: 0.9 }), x);
  const relu = (name: string, x: Tensor) => k.layer('Activation', activation(name, 'relu'), x);
  const pad = (name: string, p: number, x: Tensor) => k.layer('ZeroPadding2D', zeroPadding2d(name, [[p, p], [p, p]]), x);

  /** torchvision BasicBlock: 3×3 (stride s) → BN → ReLU → 3×3 → BN, + shortcut (1×1 stride s + BN when shapes change). */
  const basic = (x: Tensor, filters: number, stride: number, downsample: boolean, name: string): Tensor => {
    const shortcut = downsample ? bn(`${name}_0_bn`, conv(`${name}_0_conv`, filters, 1, x, stride)) : x;
    const first = stride === 1 ? conv(`${name}_1_conv`, filters, 3, x, 1, 'same') : conv(`${name}_1_conv`, filters, 3, pad(`${name}_1_pad`, 1, x), stride);
    let y = relu(`${name}_1_relu`, bn(`${name}_1_bn`, first));
    y = bn(`${name}_2_bn`, conv(`${name}_2_conv`, filters, 3, y, 1, 'same'));
    return relu(`${name}_out`, k.layer('Add', add(`${name}_add`), [shortcut, y]));
  };

  const input = k.input('input_1', [224, 224, 3]);
  let x = pad('conv1_pad', 3, input);
  x = relu('conv1_relu', bn('conv1_bn', conv('conv1_conv', 64, 7, x, 2)));
  x = pad('pool1_pad', 1, x);
  x = k.layer('MaxPooling2D', pool2d({ name: 'pool1_pool', pool_size: 3, strides: 2 }), x);
  [64, 128, 256, 512].forEach((filters, s) => {
    const stage = `conv${s + 2}`;
    x = basic(x, filters, s === 0 ? 1 : 2, s !== 0, `${stage}_block1`);
    x = basic(x, filters, 1, false, `${stage}_block2`);
  });
  x = k.layer('GlobalAveragePooling2D', globalAveragePooling2d('avg_pool'), x);
  x = k.layer('Dense', dense({ name: 'predictions', units: 1000, activation: 'softmax' }), x);
  return k.model('resnet18', input, x);
}
