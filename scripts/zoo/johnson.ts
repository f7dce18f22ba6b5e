// Johnson, Alahi & Fei-Fei 2016, "Perceptual Losses for Real-Time Style Transfer and Super-Resolution": the image
// transformation network in the paper / supplementary layout (c9s1-32, d64, d128, 5×R128, u64, u32, c9s1-3) at 256×256.
// 40-px reflection pad at the input; residual convs unpadded with the shortcut centre-cropped by 2 px; BatchNorm + ReLU
// after every internal conv; the last conv has no BN; scaled tanh output (×150, `-tanh_constant 150` in train.lua).
import { KerasBuilder, activation, add, batchNorm, conv2d, conv2dTranspose, cropping2d, reflectionPadding2d, rescaling } from './keras-builder';
import type { JsonObject, Tensor } from './keras-builder';

export function johnsonTransformNet(): JsonObject {
  const k = new KerasBuilder();
  const bn = (name: string, x: Tensor) => k.layer('BatchNormalization', batchNorm({ name }), x);
  const relu = (name: string, x: Tensor) => k.layer('Activation', activation(name, 'relu'), x);
  const conv = (name: string, filters: number, size: number, strides: number, padding: string, x: Tensor) =>
    k.layer('Conv2D', conv2d({ name, filters, kernel_size: size, strides, padding }), x);

  const input = k.input('input_1', [256, 256, 3]);
  let x = k.layer('ReflectionPadding2D', reflectionPadding2d('reflection_pad', [[40, 40], [40, 40]]), input);
  x = relu('conv1_relu', bn('conv1_bn', conv('conv1', 32, 9, 1, 'same', x)));
  x = relu('conv2_relu', bn('conv2_bn', conv('conv2', 64, 3, 2, 'same', x)));
  x = relu('conv3_relu', bn('conv3_bn', conv('conv3', 128, 3, 2, 'same', x)));
  for (let r = 1; r <= 5; r++) {
    const p = `res${r}`;
    let y = relu(`${p}_relu1`, bn(`${p}_bn1`, conv(`${p}_conv1`, 128, 3, 1, 'valid', x)));
    y = bn(`${p}_bn2`, conv(`${p}_conv2`, 128, 3, 1, 'valid', y));
    const shortcut = k.layer('Cropping2D', cropping2d(`${p}_crop`, [[2, 2], [2, 2]]), x);
    x = k.layer('Add', add(`${p}_add`), [shortcut, y]);
  }
  x = k.layer('Conv2DTranspose', conv2dTranspose({ name: 'deconv1', filters: 64, kernel_size: 3, strides: 2, padding: 'same' }), x);
  x = relu('deconv1_relu', bn('deconv1_bn', x));
  x = k.layer('Conv2DTranspose', conv2dTranspose({ name: 'deconv2', filters: 32, kernel_size: 3, strides: 2, padding: 'same' }), x);
  x = relu('deconv2_relu', bn('deconv2_bn', x));
  x = conv('conv_out', 3, 9, 1, 'same', x);
  x = k.layer('Activation', activation('tanh', 'tanh'), x);
  x = k.layer('Rescaling', rescaling('scaled_tanh', 150.0, 0.0), x);
  return k.model('johnson_transform_net', input, x);
}
