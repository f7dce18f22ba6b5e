// MobileNet v1 and v2 exactly as keras.applications builds them (include_top=True, 1000 classes).
import { KerasBuilder, activation, add, batchNorm, conv2d, dense, depthwiseConv2d, dropout, globalAveragePooling2d, relu, reshape, zeroPadding2d } from './keras-builder';
import type { JsonObject, Tensor } from './keras-builder';

/** keras.applications.MobileNet(alpha, depth_multiplier=1, dropout=1e-3), input rows×rows×3. */
export function mobilenetV1(alpha = 1.0, rows = 224): JsonObject {
  const k = new KerasBuilder();
  const bnRelu = (name: string, x: Tensor) => k.layer('ReLU', relu(`${name}_relu`, 6.0), k.layer('BatchNormalization', batchNorm({ name: `${name}_bn` }), x));

  const input = k.input('input_1', [rows, rows, 3]);
  // _conv_block
  let x = k.layer('Conv2D', conv2d({ name: 'conv1', filters: Math.trunc(32 * alpha), kernel_size: 3, strides: 2, padding: 'same', use_bias: false }), input);
  x = bnRelu('conv1', x);
  // _depthwise_conv_block(filters, strides, block_id)
  const blocks: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  blocks.forEach(([filters, stride], i) => {
    const id = i + 1;
    if (stride !== 1) x = k.layer('ZeroPadding2D', zeroPadding2d(`conv_pad_${id}`, [[0, 1], [0, 1]]), x);
    x = k.layer('DepthwiseConv2D', depthwiseConv2d({ name: `conv_dw_${id}`, kernel_size: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', use_bias: false }), x);
    x = bnRelu(`conv_dw_${id}`, x);
    x = k.layer('Conv2D', conv2d({ name: `conv_pw_${id}`, filters: Math.trunc(filters * alpha), kernel_size: 1, padding: 'same', use_bias: false }), x);
    x = bnRelu(`conv_pw_${id}`, x);
  });
  const channels = Math.trunc(1024 * alpha);
  x = k.layer('GlobalAveragePooling2D', globalAveragePooling2d('global_average_pooling2d'), x);
  x = k.layer('Reshape', reshape('reshape_1', [1, 1, channels]), x);
  x = k.layer('Dropout', dropout('dropout', 1e-3), x);
  x = k.layer('Conv2D', conv2d({ name: 'conv_preds', filters: 1000, kernel_size: 1, padding: 'same' }), x);
  x = k.layer('Reshape', reshape('reshape_2', [1000]), x);
  x = k.layer('Activation', activation('predictions', 'softmax'), x);
  return k.model(`mobilenet_${alpha.toFixed(2)}_${rows}`, input, x);
}

/** keras.applications.mobilenet_v2._make_divisible */
function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let n = Math.max(minValue, Math.trunc(v + divisor / 2) - (Math.trunc(v + divisor / 2) % divisor));
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** keras.applications.MobileNetV2(alpha, input rows×rows×3). */
export function mobilenetV2(alpha = 1.0, rows = 224): JsonObject {
  const k = new KerasBuilder();
  const bn = (name: string, x: Tensor) => k.layer('BatchNormalization', batchNorm({ name, epsilon: 1e-3, momentum: 0.999 }), x);
  const relu6 = (name: string, x: Tensor) => k.layer('ReLU', relu(name, 6.0), x);

  const input = k.input('input_1', [rows, rows, 3]);
  let size = Math.ceil(rows / 2);
  let channels = makeDivisible(32 * alpha, 8);
  let x = k.layer('Conv2D', conv2d({ name: 'Conv1', filters: channels, kernel_size: 3, strides: 2, padding: 'same', use_bias: false }), input);
  x = relu6('Conv1_relu', bn('bn_Conv1', x));

  const block = (inputs: Tensor, expansion: number, stride: number, filters: number, id: number): Tensor => {
    const pointwise = makeDivisible(Math.trunc(filters * alpha), 8);
    let prefix = `block_${id}_`;
    let y = inputs;
    if (id) {
      y = k.layer('Conv2D', conv2d({ name: `${prefix}expand`, filters: expansion * channels, kernel_size: 1, padding: 'same', use_bias: false }), y);
      y = relu6(`${prefix}expand_relu`, bn(`${prefix}expand_BN`, y));
    } else {
      prefix = 'expanded_conv_';
    }
    if (stride === 2) {
      const before = size % 2 === 0 ? 0 : 1; // imagenet_utils.correct_pad for a 3×3 kernel
      y = k.layer('ZeroPadding2D', zeroPadding2d(`${prefix}pad`, [[before, 1], [before, 1]]), y);
      size = Math.floor((size + before + 1 - 3) / 2) + 1;
    }
    y = k.layer('DepthwiseConv2D', depthwiseConv2d({ name: `${prefix}depthwise`, kernel_size: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', use_bias: false }), y);
    y = relu6(`${prefix}depthwise_relu`, bn(`${prefix}depthwise_BN`, y));
    y = k.layer('Conv2D', conv2d({ name: `${prefix}project`, filters: pointwise, kernel_size: 1, padding: 'same', use_bias: false }), y);
    y = bn(`${prefix}project_BN`, y);
    const residual = channels === pointwise && stride === 1;
    channels = pointwise;
    return residual ? k.layer('Add', add(`${prefix}add`), [inputs, y]) : y;
  };

  // [expansion, stride, filters] per block_id, as in keras.applications.
  const settings: [number, number, number][] = [
    [1, 1, 16],
    [6, 2, 24], [6, 1, 24],
    [6, 2, 32], [6, 1, 32], [6, 1, 32],
    [6, 2, 64], [6, 1, 64], [6, 1, 64], [6, 1, 64],
    [6, 1, 96], [6, 1, 96], [6, 1, 96],
    [6, 2, 160], [6, 1, 160], [6, 1, 160],
    [6, 1, 320],
  ];
  settings.forEach(([t, s, c], id) => (x = block(x, t, s, c, id)));
  const last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = k.layer('Conv2D', conv2d({ name: 'Conv_1', filters: last, kernel_size: 1, use_bias: false }), x);
  x = relu6('out_relu', bn('Conv_1_bn', x));
  x = k.layer('GlobalAveragePooling2D', globalAveragePooling2d('global_average_pooling2d'), x);
  x = k.layer('Dense', dense({ name: 'predictions', units: 1000, activation: 'softmax' }), x);
  return k.model(`mobilenetv2_${alpha.toFixed(2)}_${rows}`, input, x);
}
