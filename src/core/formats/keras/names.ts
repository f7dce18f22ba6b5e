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

const snakeNames = new Map<string, string>();
/** kernelSize → kernel_size (memoised: it runs for every attribute of every layer). */
export function snake(camel: string): string {
  let name = snakeNames.get(camel);
  if (name === undefined) snakeNames.set(camel, (name = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return name;
}

/** The config keys an op attribute may be written under, preferred first. */
export const configKeys = (kind: string, attr: string): readonly string[] => KEY_ALIASES[kind]?.[attr] ?? [snake(attr)];
