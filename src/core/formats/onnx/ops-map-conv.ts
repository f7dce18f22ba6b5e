import type { OnnxNodeView } from './node-view';
import { intsAttr, knownShape, numberAttr, op, unknown, windowPadding, type Mapped, type Mapper } from './ops-map-attrs';

// ONNX convolutions, pooling and normalisations onto the op table, channels first. Only 2-D
// windows map (1-D and 3-D ones stay opaque with a reason).

const NCHW = 'channels_first';

/** The kernel's spatial size: kernel_shape, else the weight's declared dims after the first two. */
function kernel2d(v: OnnxNodeView, weight: readonly number[]): readonly number[] | undefined {
  const k = intsAttr(v, 'kernel_shape') ?? weight.slice(2);
  return k.length === 2 ? k : undefined;
}

const conv: Mapper = (v) => {
  const w = knownShape(v, 1);
  if (!w) return unknown('Conv whose weight shape the file does not declare');
  const kernelSize = kernel2d(v, w);
  if (w.length !== 4 || !kernelSize) return unknown(`Conv over ${w.length - 2} spatial axes; CNN Lens maps 2-D convolutions`);
  const padding = windowPadding(v);
  if ('unknown' in padding) return padding;
  return op('Conv2D', {
    filters: w[0],
    kernelSize,
    strides: intsAttr(v, 'strides') ?? 1,
    dilationRate: intsAttr(v, 'dilations') ?? 1,
    groups: numberAttr(v, 'group', 1),
    ...padding,
    useBias: !!v.inputs[2],
    dataFormat: NCHW,
  });
};

const convTranspose: Mapper = (v) => {
  const w = knownShape(v, 1);
  if (!w) return unknown('ConvTranspose whose weight shape the file does not declare');
  const kernelSize = kernel2d(v, w);
  if (w.length !== 4 || !kernelSize) return unknown(`ConvTranspose over ${w.length - 2} spatial axes; CNN Lens maps 2-D convolutions`);
  const padding = windowPadding(v);
  if ('unknown' in padding) return padding;
  const group = numberAttr(v, 'group', 1);
  const outputShape = intsAttr(v, 'output_shape');
  // ONNX's SAME gives in·stride whatever output_padding says; VALID is the explicit rule with zero pads.
  const same = padding.padding === 'same' || padding.padding === 'same_lower';
  return op('Conv2DTranspose', {
    filters: w[1] * group,
    groups: group,
    kernelSize,
    strides: intsAttr(v, 'strides') ?? 1,
    dilationRate: intsAttr(v, 'dilations') ?? 1,
    ...(padding.padding === 'valid' ? { padding: 'explicit', pads: [0, 0, 0, 0] } : padding),
    outputPadding: same ? null : intsAttr(v, 'output_padding') ?? [0, 0],
    outputShape: outputShape ? outputShape.slice(-2) : null,
    useBias: !!v.inputs[2],
    dataFormat: NCHW,
  });
};

/** MaxPool and AveragePool: ONNX strides default to 1 (Keras's to the pool size). */
function pool(kind: 'MaxPooling2D' | 'AveragePooling2D'): Mapper {
  return (v) => {
    const poolSize = intsAttr(v, 'kernel_shape');
    if (!poolSize || poolSize.length !== 2) return unknown(`${v.opType} over ${poolSize?.length ?? 'unknown'} spatial axes; CNN Lens maps 2-D pooling`);
    if (numberAttr(v, 'storage_order', 0) !== 0) return unknown('MaxPool with column-major indices (storage_order 1)');
    const padding = windowPadding(v);
    if ('unknown' in padding) return padding;
    return op(
      kind,
      {
        poolSize,
        strides: intsAttr(v, 'strides') ?? 1,
        dilationRate: intsAttr(v, 'dilations') ?? 1,
        ceilMode: numberAttr(v, 'ceil_mode', 0) === 1,
        ...padding,
        ...(kind === 'AveragePooling2D' ? { countIncludePad: numberAttr(v, 'count_include_pad', 0) === 1 } : {}),
        dataFormat: NCHW,
      },
      [0],
    );
  };
}

const globalPool = (kind: string): Mapper => () => op(kind, { keepdims: true, dataFormat: NCHW });

const batchNorm: Mapper = (v) => {
  if (numberAttr(v, 'training_mode', 0) === 1) return unknown('BatchNormalization in training mode (CNN Lens analyses inference)');
  if (v.opset < 9 && numberAttr(v, 'spatial', 1) === 0) return unknown('BatchNormalization with spatial = 0 (statistics per element)');
  return op('BatchNormalization', { axis: [1], epsilon: numberAttr(v, 'epsilon', 1e-5), momentum: numberAttr(v, 'momentum', 0.9), center: true, scale: true });
};

const instanceNorm: Mapper = (v) => op('InstanceNormalization', { axis: [1], epsilon: numberAttr(v, 'epsilon', 1e-5), center: true, scale: true });

/** ONNX names the first normalised axis; the op lists them all (Keras's form). */
const layerNorm: Mapper = (v): Mapped => {
  const axis = numberAttr(v, 'axis', -1);
  const rank = v.inputs[0]?.shape?.length;
  if (axis >= 0 && rank === undefined) return unknown('LayerNormalization with a positive axis on an input of unknown rank');
  const first = axis < 0 ? axis : axis - rank!;
  return op('LayerNormalization', { axis: Array.from({ length: -first }, (_, i) => first + i), epsilon: numberAttr(v, 'epsilon', 1e-5), center: !!v.inputs[2], scale: true });
};

/** ONNX's LRN sums over `size` channels and divides alpha by size; TensorFlow's radius and alpha follow for odd sizes. */
const lrn: Mapper = (v) => {
  const size = numberAttr(v, 'size', 0);
  if (size % 2 !== 1) return unknown(`LRN over an even window (size ${size}) is asymmetric; CNN Lens maps odd sizes`);
  return op('LocalResponseNormalization', { depthRadius: (size - 1) / 2, alpha: numberAttr(v, 'alpha', 1e-4) / size, beta: numberAttr(v, 'beta', 0.75), bias: numberAttr(v, 'bias', 1), dataFormat: NCHW });
};

export const CONV_OPS: Readonly<Record<string, Mapper>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('MaxPooling2D'),
  AveragePool: pool('AveragePooling2D'),
  GlobalAveragePool: globalPool('GlobalAveragePooling2D'),
  GlobalMaxPool: globalPool('GlobalMaxPooling2D'),
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  LRN: lrn,
};
