import type { EditVocabulary } from '../../edit/types';

// How Keras names things, shared by the reader (keras.ts) and the writer (keras-edits.ts).

/** Keras class names that differ from the op kind they mean (legacy aliases, wrappers, contrib layers). */
export const CLASS_ALIASES: Readonly<Record<string, string>> = {
  InputLayer: 'Input',
  Convolution2D: 'Conv2D',
  SeparableConvolution2D: 'SeparableConv2D',
  Conv2DTranspose: 'Conv2DTranspose',
  Convolution2DTranspose: 'Conv2DTranspose',
  Deconvolution2D: 'Conv2DTranspose',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  AveragePool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  BatchNormalizationV1: 'BatchNormalization',
  BatchNormalizationV2: 'BatchNormalization',
  SyncBatchNormalization: 'BatchNormalization',
  LRN: 'LocalResponseNormalization',
  'Addons>InstanceNormalization': 'InstanceNormalization',
  SpatialDropout1D: 'Dropout',
  SpatialDropout2D: 'Dropout',
  SpatialDropout3D: 'Dropout',
  AlphaDropout: 'Dropout',
  GaussianDropout: 'Dropout',
  GaussianNoise: 'Identity',
  ActivityRegularization: 'Identity',
};

/** Config keys whose Keras name is not the snake_case of the op's attribute name. */
const KEY_ALIASES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  Input: { batchShape: ['batch_shape', 'batch_input_shape'] },
  LeakyReLU: { alpha: ['alpha', 'negative_slope'] },
};

export const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/**
 * The op kinds a Keras layer class can name (after CLASS_ALIASES). The op table also holds ONNX's
 * vocabulary (Gemm, Gather, ReduceMean, …), which is not Keras's: a layer class called `Gather` is
 * an unknown Keras layer, not an ONNX op. Every kind here runs on TensorFlow.js (a test checks it).
 */
export const KERAS_KINDS: ReadonlySet<string> = new Set([
  'Input', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Dense',
  'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'BatchNormalization', 'LocalResponseNormalization', 'InstanceNormalization', 'LayerNormalization',
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'PReLU',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate',
  'ZeroPadding2D', 'ReflectionPadding2D', 'Cropping2D', 'Flatten', 'Reshape', 'Dropout', 'Identity',
  'UpSampling2D', 'Rescaling',
]);

/** Attributes of the op table that Keras configs do not have (they come from ONNX's vocabulary), by kind. */
const NOT_IN_KERAS: Readonly<Record<string, readonly string[]>> = {
  Conv2D: ['pads'], DepthwiseConv2D: ['pads'], SeparableConv2D: ['pads'], Conv2DTranspose: ['pads', 'groups', 'outputShape'],
  MaxPooling2D: ['pads', 'ceilMode', 'dilationRate'], AveragePooling2D: ['pads', 'ceilMode', 'dilationRate', 'countIncludePad'],
  Flatten: ['axis'],
};

/** Enum values Keras writes, where the op table knows more (ONNX's SAME_LOWER and explicit pads). */
const KERAS_VALUES: Readonly<Record<string, readonly string[]>> = { padding: ['valid', 'same'] };

/** What the Keras edit planner can write: its layer kinds, their Keras attributes, Keras's enum values. */
export const KERAS_VOCABULARY: EditVocabulary = {
  ops: KERAS_KINDS,
  writes: (kind, attr) => !NOT_IN_KERAS[kind]?.includes(attr),
  values: (attr) => KERAS_VALUES[attr],
};

const snakeNames = new Map<string, string>();
/** kernelSize → kernel_size (memoised: it runs for every attribute of every layer). */
export function snake(camel: string): string {
  let name = snakeNames.get(camel);
  if (name === undefined) snakeNames.set(camel, (name = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return name;
}

/** The config keys an op attribute may be written under, preferred first. */
export const configKeys = (kind: string, attr: string): readonly string[] => KEY_ALIASES[kind]?.[attr] ?? [snake(attr)];
