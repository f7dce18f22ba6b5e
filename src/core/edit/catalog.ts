import { OPS } from '../ops';

// What the diagram's palette offers: every op but Input, with its attribute schema (kind, enum
// values, default) so each attribute gets a control that fits it.

export function opCatalog() {
  return [...OPS.values()]
    .filter((op) => op.kind !== 'Input' && op.kind !== 'Identity')
    .map((op) => ({
      kind: op.kind,
      family: op.family,
      summary: op.summary,
      attrs: Object.entries(op.attrs).map(([name, spec]) => ({ name, kind: spec.kind, values: spec.values, default: spec.default ?? null })),
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
