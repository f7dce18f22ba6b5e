import { attr, GraphBuilder } from './graph-builder';

// The graph models the fixture script writes: MobileNet v1 translated layer by layer from the zoo's
// Keras JSON into the GraphDef ops a frozen TensorFlow graph has (Conv2D, DepthwiseConv2dNative,
// FusedBatchNormV3 kept apart so its statistics stay parameters, Relu6, Pad, Mean, Reshape,
// Softmax) under TF-slim-like name scopes, and a tiny model of the converter's fused forms.

const SAME = attr.s('SAME');
const VALID = attr.s('VALID');
const NHWC = attr.s('NHWC');
const F32 = { T: attr.type('DT_FLOAT') };
const ones = (n: number) => attr.ints(new Array(4).fill(1).map((_, i) => (i === 1 || i === 2 ? n : 1)));

interface KerasLayer {
  class_name: string;
  config: Record<string, any>;
  inbound_nodes: [string, number, number, object][][];
}

/** A He-uniform-like range, so activations neither vanish nor blow up through 28 layers. */
const heRange = (fanIn: number) => Math.sqrt(6 / fanIn);

/** MobileNet v1 from the zoo's Keras JSON (a Functional chain), at `size`×`size`. */
export function mobilenetV1Graph(keras: { config: { layers: KerasLayer[] } }, size: number, b: GraphBuilder): ReturnType<GraphBuilder['files']> {
  const outputOf = new Map<string, string>();
  const channels = new Map<string, number>();
  const scope = (layer: string) => `MobilenetV1/${layer.replace(/_(bn|relu)$/, '')}`;
  let last = '';
  for (const layer of keras.config.layers) {
    const c = layer.config;
    const name = c.name as string;
    const from = layer.inbound_nodes[0]?.[0]?.[0];
    const x = from ? outputOf.get(from)! : '';
    const cin = from ? channels.get(from)! : 3;
    const s = scope(name);
    let out = '';
    let cout = cin;
    switch (layer.class_name) {
      case 'InputLayer':
        out = b.placeholder('input', [-1, size, size, 3]);
        break;
      case 'Conv2D': {
        const [kh, kw] = c.kernel_size;
        cout = c.filters;
        const filter = b.floats(`${s}/weights`, [kh, kw, cin, cout], b.uniform(kh * kw * cin * cout, -heRange(kh * kw * cin), heRange(kh * kw * cin)));
        const conv = { ...F32, strides: ones(c.strides[0]), padding: c.padding === 'same' ? SAME : VALID, data_format: NHWC, dilations: ones(1), explicit_paddings: { list: {} }, use_cudnn_on_gpu: attr.b(true) };
        if (c.use_bias) {
          const bias = b.floats(`${s}/biases`, [cout], b.uniform(cout, -0.1, 0.1));
          out = b.node(`${s}/BiasAdd`, '_FusedConv2D', [x, filter, bias], { ...conv, fused_ops: attr.strs(['BiasAdd']), num_args: attr.i(1), epsilon: attr.f(0) });
        } else out = b.node(`${s}/Conv2D`, 'Conv2D', [x, filter], conv);
        break;
      }
      case 'DepthwiseConv2D': {
        const [kh, kw] = c.kernel_size;
        const filter = b.floats(`${s}/depthwise_weights`, [kh, kw, cin, 1], b.uniform(kh * kw * cin, -heRange(kh * kw), heRange(kh * kw)));
        out = b.node(`${s}/depthwise`, 'DepthwiseConv2dNative', [x, filter], { ...F32, strides: ones(c.strides[0]), padding: c.padding === 'same' ? SAME : VALID, data_format: NHWC, dilations: ones(1), explicit_paddings: { list: {} } });
        break;
      }
      case 'BatchNormalization': {
        const stats = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w, i) => b.floats(`${s}/BatchNorm/${w}`, [cin], b.uniform(cin, [0.5, -0.1, -0.1, 0.5][i], [1.5, 0.1, 0.1, 1.5][i])));
        out = b.node(`${s}/BatchNorm/FusedBatchNormV3`, 'FusedBatchNormV3', [x, ...stats], { ...F32, U: attr.type('DT_FLOAT'), epsilon: attr.f(c.epsilon), data_format: NHWC, is_training: attr.b(false), exponential_avg_factor: attr.f(1) });
        break;
      }
      case 'ReLU':
        out = b.node(`${s}/Relu6`, 'Relu6', [x], F32);
        break;
      case 'ZeroPadding2D': {
        const [[t, bt], [l, r]] = c.padding;
        out = b.node(`${s}/Pad`, 'Pad', [x, b.ints(`${s}/paddings`, [0, 0, t, bt, l, r, 0, 0], [4, 2])], { ...F32, Tpaddings: attr.type('DT_INT32') });
        break;
      }
      case 'GlobalAveragePooling2D':
        out = b.node(`${s}/Mean`, 'Mean', [x, b.ints(`${s}/reduction_indices`, [1, 2])], { ...F32, Tidx: attr.type('DT_INT32'), keep_dims: attr.b(!!c.keepdims) });
        break;
      case 'Reshape':
        out = b.node(`${s}/Reshape`, 'Reshape', [x, b.ints(`${s}/shape`, [-1, ...c.target_shape])], { ...F32, Tshape: attr.type('DT_INT32') });
        cout = c.target_shape[c.target_shape.length - 1];
        break;
      case 'Dropout':
        out = b.node(`${s}/Identity`, 'Identity', [x], F32);
        break;
      case 'Activation':
        if (c.activation !== 'softmax') throw new Error(`Activation ${c.activation} is not in MobileNet v1`);
        out = b.node(`${s}/Softmax`, 'Softmax', [x], F32);
        break;
      default:
        throw new Error(`${layer.class_name} (${name}) is not a MobileNet v1 layer this translation knows`);
    }
    outputOf.set(name, out);
    channels.set(name, cout);
    last = out;
  }
  const output = b.node('Identity', 'Identity', [last], F32);
  return b.files({ input: [-1, size, size, 3] }, [output]);
}

/**
 * A few-KB model of the converter's own fused forms and operand constants: Pad, _FusedConv2D
 * [BiasAdd, Relu6] (EXPLICIT padding), FusedDepthwiseConv2dNative [BiasAdd, Relu], BiasAdd, AddV2,
 * MaxPool and AvgPool (SAME), ConcatV2, Mean, _FusedMatMul [BiasAdd, Relu], MatMul, Softmax, with one
 * kernel quantised to uint8 and one to float16.
 */
export function tinyGraph(b: GraphBuilder): ReturnType<GraphBuilder['files']> {
  const conv = { ...F32, data_format: NHWC, dilations: ones(1), use_cudnn_on_gpu: attr.b(true) };
  const x = b.placeholder('image', [-1, 12, 12, 3]);
  const padded = b.node('stem/Pad', 'Pad', [x, b.ints('stem/paddings', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2])], { ...F32, Tpaddings: attr.type('DT_INT32') });
  const c1 = b.node('stem/conv/Relu6', '_FusedConv2D', [padded, b.floats('stem/conv/weights', [3, 3, 3, 8], b.uniform(216, -0.5, 0.5), 'uint8'), b.floats('stem/conv/bias', [8], b.uniform(8, -0.1, 0.1))], {
    ...conv, strides: ones(2), padding: attr.s('EXPLICIT'), explicit_paddings: attr.ints([0, 0, 0, 1, 0, 1, 0, 0]), fused_ops: attr.strs(['BiasAdd', 'Relu6']), num_args: attr.i(1), epsilon: attr.f(0),
  });
  const dw = b.node('block/dw/Relu', 'FusedDepthwiseConv2dNative', [c1, b.floats('block/dw/weights', [3, 3, 8, 1], b.uniform(72, -0.5, 0.5)), b.floats('block/dw/bias', [8], b.uniform(8, -0.1, 0.1))], {
    ...conv, strides: ones(1), padding: SAME, explicit_paddings: { list: {} }, fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1),
  });
  const pw = b.node('block/pw/Conv2D', 'Conv2D', [dw, b.floats('block/pw/weights', [1, 1, 8, 8], b.uniform(64, -0.5, 0.5))], { ...conv, strides: ones(1), padding: VALID, explicit_paddings: { list: {} } });
  const biased = b.node('block/pw/BiasAdd', 'BiasAdd', [pw, b.floats('block/pw/bias', [8], b.uniform(8, -0.1, 0.1))], { ...F32, data_format: NHWC });
  const sum = b.node('block/add', 'AddV2', [biased, c1], F32);
  const maxPool = b.node('head/MaxPool', 'MaxPool', [sum], { ...F32, ksize: ones(2), strides: ones(2), padding: SAME, data_format: NHWC });
  const avgPool = b.node('head/AvgPool', 'AvgPool', [sum], { ...F32, ksize: ones(2), strides: ones(2), padding: SAME, data_format: NHWC });
  const joined = b.node('head/concat', 'ConcatV2', [maxPool, avgPool, b.ints('head/concat/axis', [3], [])], { ...F32, N: attr.i(2), Tidx: attr.type('DT_INT32') });
  const pooled = b.node('head/Mean', 'Mean', [joined, b.ints('head/Mean/reduction_indices', [1, 2])], { ...F32, Tidx: attr.type('DT_INT32'), keep_dims: attr.b(false) });
  const fc = b.node('head/fc/Relu', '_FusedMatMul', [pooled, b.floats('head/fc/weights', [16, 10], b.uniform(160, -0.5, 0.5), 'float16'), b.floats('head/fc/bias', [10], b.uniform(10, -0.1, 0.1))], {
    ...F32, transpose_a: attr.b(false), transpose_b: attr.b(false), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1), epsilon: attr.f(0),
  });
  const logits = b.node('head/logits/MatMul', 'MatMul', [fc, b.floats('head/logits/weights', [10, 4], b.uniform(40, -0.5, 0.5))], { ...F32, transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const probs = b.node('head/Softmax', 'Softmax', [logits], F32);
  const output = b.node('Identity', 'Identity', [probs], F32);
  return b.files({ image: [-1, 12, 12, 3] }, [output]);
}
