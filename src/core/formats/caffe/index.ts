import type { ModelFormat } from '../format';
import { looksLikeCaffe, parseCaffe } from './parse';

// Caffe deploy nets (.prototxt): protobuf text format of caffe.proto's NetParameter, read by a
// small text-format parser that keeps ranges (text-format.ts). Read-only for now: no edits.

export const caffeFormat: ModelFormat = {
  id: 'caffe',
  displayName: 'Caffe (prototxt)',
  extensions: ['.prototxt'],
  produces: ['caffe-prototxt'],
  binary: false,
  detect: looksLikeCaffe,
  parse: parseCaffe,
  layout: 'channels_first',
};
