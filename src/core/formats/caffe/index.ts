import type { ModelFormat } from '../format';
import { CAFFE_VOCABULARY, planCaffeEdit } from './edits';
import { looksLikeCaffe, parseCaffe } from './parse';

// Caffe deploy nets (.prototxt): protobuf text format of caffe.proto's NetParameter, read by a
// small text-format parser that keeps ranges (text-format.ts). Edits: attribute changes, written
// back as the smallest text edits (edits.ts).

export const caffeFormat: ModelFormat = {
  id: 'caffe',
  displayName: 'Caffe (prototxt)',
  extensions: ['.prototxt'],
  produces: ['caffe-prototxt'],
  binary: false,
  detect: looksLikeCaffe,
  parse: parseCaffe,
  edits: { plan: planCaffeEdit, vocabulary: CAFFE_VOCABULARY },
  layout: 'channels_first',
};
