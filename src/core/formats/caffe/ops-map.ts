import type { CaffeLayer } from './net';
import { CONV_LAYERS } from './ops-map-conv';
import { OTHER_LAYERS } from './ops-map-layers';
import type { Mapping } from './ops-map-window';

// Caffe layer types onto the op table (one file per family: ops-map-conv, ops-map-layers); every
// shape and cost rule is the op's own (src/core/ops). Input layers are the reader's (parse.ts).

export const CAFFE_LAYERS: Readonly<Record<string, (layer: CaffeLayer) => Mapping>> = { ...CONV_LAYERS, ...OTHER_LAYERS };

export function mapCaffeLayer(layer: CaffeLayer): Mapping {
  const mapper = CAFFE_LAYERS[layer.type];
  return mapper ? mapper(layer) : { unknown: `CNN Lens does not know the Caffe layer type "${layer.type}" yet` };
}
