import { bool, num, str, sub } from './fields';
import type { CaffeLayer } from './net';
import { op, unknown, windowOf, type Mapping } from './ops-map-window';

// Caffe's convolutions, pooling, LRN and InnerProduct onto the op table, channels first (Caffe's
// layout, NCHW). Parameters follow from the attributes and the input's shape, as for Keras: a deploy
// file holds no weights.

const NCHW = 'channels_first';

function convolution(kind: 'Conv2D' | 'Conv2DTranspose') {
  return (layer: CaffeLayer): Mapping => {
    const p = sub(layer.message, 'convolution_param');
    const w = windowOf(p, layer.type);
    if ('unknown' in w) return w;
    const filters = num(p, 'num_output');
    if (filters === undefined) return unknown(`${layer.type} without convolution_param.num_output`);
    if (num(p, 'axis', 1) !== 1) return unknown(`${layer.type} with axis ${num(p, 'axis')}; CNN Lens maps channels at axis 1`);
    return op(kind, {
      filters,
      groups: num(p, 'group', 1),
      kernelSize: w.kernel,
      strides: w.strides,
      dilationRate: w.dilation,
      padding: 'explicit',
      pads: w.pads,
      useBias: bool(p, 'bias_term', true),
      dataFormat: NCHW,
      ...(kind === 'Conv2DTranspose' ? { outputPadding: [0, 0] } : {}),
    });
  };
}

/**
 * Caffe rounds pooled sizes up (ceil), then drops a last window that would start in the trailing
 * padding (pooling_layer.cpp: `if ((pooled_height_ - 1) * stride_h_ >= height_ + pad_h_) --pooled_height_`):
 * the op table's ceilMode, whose rule is that one. Caffe applies it only to padded pools; unpadded,
 * the two differ only for a window smaller than its stride (Caffe then keeps an empty last window),
 * which no published net has.
 */
function pooling(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'pooling_param');
  const method = str(p, 'pool') ?? 'MAX';
  const kind = method === 'MAX' || method === '0' ? 'Max' : method === 'AVE' || method === '1' ? 'Average' : undefined;
  if (!kind) return unknown(`Pooling with pool: ${method} (stochastic pooling is random at training and a weighted average at test); CNN Lens maps MAX and AVE`);
  if (bool(p, 'global_pooling', false)) return op(`Global${kind}Pooling2D`, { keepdims: true, dataFormat: NCHW });
  const w = windowOf(p, 'Pooling');
  if ('unknown' in w) return w;
  const roundMode = str(p, 'round_mode') ?? 'CEIL';
  return op(`${kind}Pooling2D`, {
    poolSize: w.kernel,
    strides: w.strides,
    padding: 'explicit',
    pads: w.pads,
    ceilMode: roundMode === 'CEIL' || roundMode === '0',
    // Caffe divides by the window clipped to the padded input: the padding counts.
    ...(kind === 'Average' ? { countIncludePad: true } : {}),
    dataFormat: NCHW,
  });
}

/** Caffe's LRN across channels sums over local_size channels and divides alpha by local_size (TensorFlow's radius and alpha follow); within a channel, over a local_size² window. */
function lrn(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'lrn_param');
  const region = str(p, 'norm_region') ?? 'ACROSS_CHANNELS';
  const size = num(p, 'local_size', 5);
  if (region === 'WITHIN_CHANNEL' || region === '1') return op('SpatialResponseNormalization', { size, alpha: num(p, 'alpha', 1), beta: num(p, 'beta', 0.75), bias: num(p, 'k', 1) });
  if (size % 2 !== 1) return unknown(`LRN over an even window (local_size ${size}); Caffe requires an odd one`);
  return op('LocalResponseNormalization', { depthRadius: (size - 1) / 2, alpha: num(p, 'alpha', 1) / size, beta: num(p, 'beta', 0.75), bias: num(p, 'k', 1), dataFormat: NCHW });
}

/** InnerProduct flattens everything from `axis` (1) before its matrix product: a Flatten before a Dense where the input is not flat already. */
function innerProduct(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'inner_product_param');
  const units = num(p, 'num_output');
  if (units === undefined) return unknown('InnerProduct without inner_product_param.num_output');
  if (bool(p, 'transpose', false)) return unknown('InnerProduct with transpose: true is not mapped yet');
  return { op: 'Dense', attrs: { units, useBias: bool(p, 'bias_term', true) }, flattenFrom: num(p, 'axis', 1) };
}

export const CONV_LAYERS: Readonly<Record<string, (layer: CaffeLayer) => Mapping>> = {
  Convolution: convolution('Conv2D'),
  Deconvolution: convolution('Conv2DTranspose'),
  Pooling: pooling,
  LRN: lrn,
  InnerProduct: innerProduct,
};
