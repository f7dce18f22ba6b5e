import type { CaffeLayer } from './net';
import { CONV_LAYERS } from './ops-map-conv';
import { OTHER_LAYERS } from './ops-map-layers';
import type { Mapping } from './ops-map-window';

// Caffe layer types onto the op table (one file per family: ops-map-conv, ops-map-layers); every
// shape and cost rule is the op's own (src/core/ops). Input layers are the reader's (parse.ts).

export const CAFFE_LAYERS: Readonly<Record<string, (layer: CaffeLayer) => Mapping>> = { ...CONV_LAYERS, ...OTHER_LAYERS };

/** Layers of training nets (train_val.prototxt), which a deploy net replaces by its input and drops. */
const DATA_LAYERS = new Set(['Data', 'ImageData', 'HDF5Data', 'MemoryData', 'WindowData', 'DummyData', 'Python']);
const TRAINING_LAYERS = /Loss$|^Accuracy$|^Silence$|^HDF5Output$/;

export function mapCaffeLayer(layer: CaffeLayer): Mapping {
  const mapper = CAFFE_LAYERS[layer.type];
  if (mapper) return mapper(layer);
  if (DATA_LAYERS.has(layer.type)) return { unknown: `a ${layer.type} layer reads a data set, so its output shape is not in the file; open the net's deploy.prototxt, whose input declares the shape` };
  if (TRAINING_LAYERS.test(layer.type)) return { unknown: `${layer.type} is a training layer (a loss or a metric), not part of the network a deploy file runs` };
  return { unknown: `CNN Lens does not know the Caffe layer type "${layer.type}" yet` };
}
