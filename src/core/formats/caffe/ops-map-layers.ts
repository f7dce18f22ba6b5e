import { bool, num, nums, str, sub } from './fields';
import type { CaffeLayer } from './net';
import { op, unknown, type Mapping } from './ops-map-window';

// Caffe's activations, normalisations, merges and blob plumbing onto the op table, channels first.

const activation = (name: string) => (): Mapping => op('Activation', { activation: name });

function relu(layer: CaffeLayer): Mapping {
  return op('ReLU', { negativeSlope: num(sub(layer.message, 'relu_param'), 'negative_slope', 0) });
}

/** A slope per channel ([C, 1, 1] on NCHW), or one for the whole blob with channel_shared. */
function prelu(layer: CaffeLayer): Mapping {
  const shared = bool(sub(layer.message, 'prelu_param'), 'channel_shared', false);
  return op('PReLU', { sharedAxes: shared ? [1, 2, 3] : [2, 3] });
}

/**
 * Caffe's BatchNorm holds only the statistics (mean, variance and a moving-average factor); the
 * learned scale and shift are the Scale layer after it. So: a BatchNormalization without γ and β
 * (its 2C statistics, not trainable; the one-element factor is a bookkeeping blob, not counted).
 */
function batchNorm(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'batch_norm_param');
  return op('BatchNormalization', { axis: [1], epsilon: num(p, 'eps', 1e-5), center: false, scale: false });
}

function scale(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'scale_param');
  if (layer.bottoms.length > 1) return unknown('Scale by a second bottom (a computed scale) is not mapped yet; CNN Lens maps Scale with learned factors');
  if (num(p, 'num_axes', 1) !== 1) return unknown(`Scale over num_axes ${num(p, 'num_axes')}; CNN Lens maps one axis (per channel)`);
  return op('Scale', { axis: num(p, 'axis', 1), useBias: bool(p, 'bias_term', false) });
}

/** EltwiseParameter.operation: PROD = 0, SUM = 1 (default), MAX = 2. Coefficients scale a SUM's terms and change no shape or count, except [1, −1]: a difference. */
function eltwise(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'eltwise_param');
  const operation = str(p, 'operation') ?? 'SUM';
  const coeff = nums(p, 'coeff');
  if (operation === 'PROD' || operation === '0') return op('Multiply', {});
  if (operation === 'MAX' || operation === '2') return op('Maximum', {});
  if (operation !== 'SUM' && operation !== '1') return unknown(`Eltwise with operation ${operation}, which caffe.proto does not define`);
  return op(coeff.length === 2 && coeff[0] === 1 && coeff[1] === -1 ? 'Subtract' : 'Add', {});
}

/** The axis of Concat and Slice: `axis`, or the legacy `concat_dim` / `slice_dim`. */
const axisOf = (layer: CaffeLayer, param: string, legacy: string): number => {
  const p = sub(layer.message, param);
  return num(p, 'axis') ?? num(p, legacy) ?? 1;
};

/** Equal parts, or cut at the slice points (lengths p₀, p₁ − p₀, …, and the rest of the axis). */
function slice(layer: CaffeLayer): Mapping {
  const axis = axisOf(layer, 'slice_param', 'slice_dim');
  const points = nums(sub(layer.message, 'slice_param'), 'slice_point');
  if (!points.length) return op('Split', { axis, numOutputs: layer.tops.length });
  if (points.length !== layer.tops.length - 1) return unknown(`Slice with ${points.length} slice_point values for ${layer.tops.length} tops; Caffe needs one fewer points than tops`);
  if (points.some((p, i) => p <= (points[i - 1] ?? 0))) return unknown(`Slice points ${points.join(', ')} are not increasing from above 0`);
  return op('Split', { axis, split: [...points.map((p, i) => p - (points[i - 1] ?? 0)), -1] });
}

/** Crop cuts the first bottom to the second's size from `axis` (2: the spatial axes) at the offsets. */
function crop(layer: CaffeLayer): Mapping {
  if (layer.bottoms.length !== 2) return unknown(`Crop with ${layer.bottoms.length} bottoms; Caffe's Crop takes the blob to cut and the one whose size it takes`);
  const p = sub(layer.message, 'crop_param');
  const offset = nums(p, 'offset');
  return op('CropLike', { axis: num(p, 'axis', 2), offset: offset.length ? offset : [0] });
}

function flatten(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'flatten_param');
  if (num(p, 'end_axis', -1) !== -1) return unknown(`Flatten up to end_axis ${num(p, 'end_axis')}; CNN Lens maps flattening to the last axis`);
  return op('Flatten', { axis: num(p, 'axis', 1) });
}

/** ReshapeParameter's dims: 0 copies the input's, −1 is inferred (ONNX's Reshape rules, as ReshapeTo has them). */
function reshape(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'reshape_param');
  if (num(p, 'axis', 0) !== 0 || num(p, 'num_axes', -1) !== -1) return unknown('Reshape of part of the axes (axis / num_axes) is not mapped yet');
  return op('ReshapeTo', { shape: nums(sub(p, 'shape'), 'dim') });
}

/** Power computes (shift + scale·x)^power; with power 1 that is a rescaling. */
function power(layer: CaffeLayer): Mapping {
  const p = sub(layer.message, 'power_param');
  if (num(p, 'power', 1) !== 1) return unknown(`Power with power ${num(p, 'power')} is not mapped yet; CNN Lens maps power 1 (a rescaling)`);
  return op('Rescaling', { scale: num(p, 'scale', 1), offset: num(p, 'shift', 0) });
}

export const OTHER_LAYERS: Readonly<Record<string, (layer: CaffeLayer) => Mapping>> = {
  ReLU: relu,
  PReLU: prelu,
  Sigmoid: activation('sigmoid'),
  TanH: activation('tanh'),
  AbsVal: () => op('Abs', {}),
  BatchNorm: batchNorm,
  Scale: scale,
  Eltwise: eltwise,
  Concat: (layer) => op('Concatenate', { axis: axisOf(layer, 'concat_param', 'concat_dim') }),
  Softmax: (layer) => op('Softmax', { axis: [num(sub(layer.message, 'softmax_param'), 'axis', 1)] }),
  Dropout: (layer) => op('Dropout', { rate: num(sub(layer.message, 'dropout_param'), 'dropout_ratio', 0.5) }),
  Flatten: flatten,
  Reshape: reshape,
  // Split copies its bottom to every top: one node whose output every top names.
  Split: () => op('Identity', {}),
  Slice: slice,
  Power: power,
  Crop: crop,
};
