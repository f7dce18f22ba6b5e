import { OPS } from '../ops';
import type { EditVocabulary } from './types';

// What the diagram's palette offers: the ops the model's format can write (its edit planner's
// vocabulary) but Input, with their attribute schemas (kind, enum values, default) so each
// attribute gets a control that fits it.

export function opCatalog(vocabulary: EditVocabulary) {
  return [...OPS.values()]
    .filter((op) => vocabulary.ops.has(op.kind) && op.kind !== 'Input' && op.kind !== 'Identity')
    .map((op) => ({
      kind: op.kind,
      family: op.family,
      summary: op.summary,
      attrs: Object.entries(op.attrs)
        .filter(([name]) => vocabulary.writes(op.kind, name))
        .map(([name, spec]) => ({ name, kind: spec.kind, values: vocabulary.values(name) ?? spec.values, default: spec.default ?? null })),
      /** Attributes of the op the format has no word for (ONNX's explicit pads in a Keras model): not shown. */
      foreign: Object.keys(op.attrs).filter((name) => !vocabulary.writes(op.kind, name)),
    }));
}

/**
 * Ops that usually follow `op`, first in the palette (BatchNormalization after a convolution, …).
 */
export function suggestedAfter(op: string): readonly string[] {
  switch (op) {
    case 'Conv2D': case 'DepthwiseConv2D': case 'SeparableConv2D': case 'Conv2DTranspose':
      return ['BatchNormalization', 'ReLU', 'Activation', 'MaxPooling2D', 'Dropout'];
    case 'BatchNormalization':
      return ['ReLU', 'Activation', 'Conv2D'];
    case 'Dense':
      return ['Dropout', 'Activation', 'BatchNormalization', 'Dense'];
    case 'MaxPooling2D': case 'AveragePooling2D':
      return ['Conv2D', 'Dropout', 'Flatten'];
    case 'Flatten': case 'GlobalAveragePooling2D': case 'GlobalMaxPooling2D':
      return ['Dense', 'Dropout'];
    case 'Input': case 'InputLayer':
      return ['Rescaling', 'ZeroPadding2D', 'Conv2D'];
    default:
      return ['Conv2D', 'BatchNormalization', 'ReLU', 'Dense'];
  }
}

/** Ops that usually come before `op`. */
export function suggestedBefore(op: string): readonly string[] {
  switch (op) {
    case 'Conv2D': case 'DepthwiseConv2D': case 'SeparableConv2D':
      return ['ZeroPadding2D', 'BatchNormalization', 'Dropout', 'Conv2D'];
    case 'Dense':
      return ['Dropout', 'Flatten', 'GlobalAveragePooling2D', 'Dense'];
    default:
      return ['Conv2D', 'BatchNormalization', 'ReLU', 'Dropout'];
  }
}

/** Attribute values a new layer needs that have no default, chosen so shapes keep working. */
export function requiredDefaults(op: string, inputChannels: number | null): Record<string, unknown> {
  const c = inputChannels ?? 64;
  switch (op) {
    case 'Conv2D':
    case 'SeparableConv2D':
      return { filters: c, kernelSize: [3, 3], padding: 'same' };
    case 'Conv2DTranspose':
      return { filters: c, kernelSize: [3, 3], strides: [2, 2], padding: 'same' };
    case 'DepthwiseConv2D':
      return { kernelSize: [3, 3], padding: 'same' };
    case 'Dense':
      return { units: c };
    case 'Activation':
      return { activation: 'relu' };
    case 'Reshape':
      return { targetShape: [-1] };
    case 'Rescaling':
      return { scale: 1 / 255 };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { poolSize: [2, 2] };
    default:
      return {};
  }
}
