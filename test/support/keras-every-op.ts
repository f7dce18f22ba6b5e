import { ACTIVATIONS } from '../../src/core/ops/activation';

// A Keras 2 functional model (to_json form) that names every op kind a Keras file can name, every
// activation function, and the attribute combinations whose ONNX form differs: asymmetric 'same'
// pads, groups, dilation, depth multipliers, transposed convolutions with and without
// output_padding, batch norm on channels-first, channels-last and 2-D values, layer norm over
// trailing and non-trailing axes, softmax over one axis and several, broadcasting merges.
// Every layer nothing reads is an output, so every layer is computed.

interface Layer {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly inputs: readonly string[];
}

export function everyOpModel(): string {
  const layers: Layer[] = [];
  const add = (className: string, name: string, inputs: string | readonly string[], config: Record<string, unknown> = {}): string => {
    layers.push({ name, className, config, inputs: typeof inputs === 'string' ? [inputs] : inputs });
    return name;
  };
  const conv = (filters: number, k: number, extra: Record<string, unknown> = {}) => ({ filters, kernel_size: [k, k], strides: [1, 1], padding: 'same', ...extra });

  const scaled = add('Rescaling', 'rescale', 'image', { scale: 1 / 127.5, offset: -1 });
  const bnIn = add('BatchNormalization', 'bn_nhwc', scaled, { axis: -1, epsilon: 1e-3 });
  const c1 = add('Conv2D', 'conv_s2_asym', bnIn, conv(8, 4, { strides: [2, 2], activation: 'hard_swish' }));
  const g1 = add('Conv2D', 'conv_grouped_dilated', c1, conv(8, 3, { groups: 2, dilation_rate: [2, 2], activation: 'gelu' }));
  const dw = add('DepthwiseConv2D', 'depthwise_x2', g1, { kernel_size: [3, 3], padding: 'valid', depth_multiplier: 2, activation: 'relu6' });
  const x = add('SeparableConv2D', 'separable', dw, conv(8, 3, { activation: 'swish' }));

  const acts = ACTIVATIONS.map((a) => add('Activation', `act_${a}`, x, { activation: a }));
  add('Concatenate', 'concat_acts', acts, { axis: -1 });

  add('ReLU', 'relu_max6', x, { max_value: 6 });
  add('ReLU', 'relu_threshold', x, { max_value: 0.8, negative_slope: 0.2, threshold: 0.1 });
  add('ReLU', 'relu_leaky', x, { negative_slope: 0.1 });
  add('LeakyReLU', 'leaky', x, { alpha: 0.1 });
  add('ELU', 'elu_07', x, { alpha: 0.7 });
  const p1 = add('PReLU', 'prelu_shared', x, { shared_axes: [1, 2] });
  const p2 = add('PReLU', 'prelu_full', x);

  add('Subtract', 'subtract', [p1, p2]);
  add('Average', 'average', [x, p1, p2]);
  add('Maximum', 'maximum', [x, p1]);
  add('Minimum', 'minimum', [x, p2]);
  add('Add', 'add3', [x, p1, p2]);
  const squeeze = add('GlobalAveragePooling2D', 'se_pool', x);
  const excite = add('Dense', 'se_dense', squeeze, { units: 8, activation: 'sigmoid' });
  const gate = add('Reshape', 'se_reshape', excite, { target_shape: [1, 1, 8] });
  add('Multiply', 'se_multiply', [x, gate]);

  add('InstanceNormalization', 'instance_norm', x, { axis: -1, epsilon: 1e-3 });
  add('LayerNormalization', 'layer_norm_last', x, { axis: -1, epsilon: 1e-3 });
  add('LayerNormalization', 'layer_norm_all', x, { axis: [1, 2, 3], epsilon: 1e-3 });
  add('LayerNormalization', 'layer_norm_hw', x, { axis: [1, 2], epsilon: 1e-3 });
  add('LocalResponseNormalization', 'lrn', x, { depth_radius: 2, bias: 1, alpha: 1e-2, beta: 0.75 });
  add('Softmax', 'softmax_last', x, { axis: -1 });
  add('Softmax', 'softmax_hw', x, { axis: [1, 2] });

  add('MaxPooling2D', 'max_same', x, { pool_size: [2, 2], strides: [1, 1], padding: 'same' });
  add('AveragePooling2D', 'avg_same', x, { pool_size: [3, 3], strides: [2, 2], padding: 'same' });
  add('GlobalMaxPooling2D', 'global_max', x);
  add('GlobalAveragePooling2D', 'global_avg_keepdims', x, { keepdims: true });

  add('ZeroPadding2D', 'zero_pad', x, { padding: [[1, 2], [0, 1]] });
  add('ReflectionPadding2D', 'reflect_pad', x, { padding: [[2, 1], [1, 2]] });
  const cropped = add('Cropping2D', 'crop', x, { cropping: [[1, 0], [2, 1]] });
  add('Concatenate', 'concat_h', [cropped, cropped], { axis: 1 });
  add('UpSampling2D', 'up_nearest', x, { size: [2, 3], interpolation: 'nearest' });
  add('UpSampling2D', 'up_bilinear', x, { size: [2, 2], interpolation: 'bilinear' });
  add('Conv2DTranspose', 'deconv_same', x, conv(4, 3, { strides: [2, 2] }));
  add('Conv2DTranspose', 'deconv_small_kernel', x, conv(4, 2, { strides: [3, 3], padding: 'valid' }));
  add('Conv2DTranspose', 'deconv_output_padding', x, conv(4, 3, { strides: [2, 2], output_padding: [1, 1] }));

  add('Dense', 'dense_4d', x, { units: 6 });
  add('Reshape', 'reshape_3d', x, { target_shape: [25, 8] });
  const flat = add('Flatten', 'flatten', x);
  const logits = add('Dense', 'dense_softmax', flat, { units: 10, activation: 'softmax' });
  const bn2d = add('BatchNormalization', 'bn_2d', logits, { axis: -1, epsilon: 1e-3, center: false });
  add('Dropout', 'dropout', bn2d, { rate: 0.5 });
  add('Identity', 'identity', x);

  const read = new Set(layers.flatMap((l) => l.inputs));
  const outputs = layers.filter((l) => !read.has(l.name)).map((l) => [l.name, 0, 0]);
  const json = {
    class_name: 'Functional',
    config: {
      name: 'every_op',
      layers: [
        { class_name: 'InputLayer', name: 'image', config: { name: 'image', batch_input_shape: [null, 13, 13, 4] }, inbound_nodes: [] },
        ...layers.map((l) => ({ class_name: l.className, name: l.name, config: { name: l.name, ...l.config }, inbound_nodes: [l.inputs.map((i) => [i, 0, 0, {}])] })),
      ],
      input_layers: [['image', 0, 0]],
      output_layers: outputs,
    },
  };
  return JSON.stringify(json);
}
