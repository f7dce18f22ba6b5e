import type { ModelFormat } from '../format';
import { parseTflite, TFLITE_FORMAT } from './parse';
import { fileIdentifier } from './read';
import { loadTfliteWeights } from './weights';

// TFLite (.tflite): a FlatBuffer read with the flatbuffers runtime and the reader flatc generates
// from TFLite's own schema.fbs (scripts/tflite/generate-reader.sh). Read-only; weights come from
// the file itself (quantised ones dequantised to float32, and said so).

export const tfliteFormat: ModelFormat = {
  id: 'tflite',
  displayName: 'TensorFlow Lite',
  extensions: ['.tflite'],
  produces: [TFLITE_FORMAT],
  binary: true,
  // The FlatBuffer file identifier TFLite writes at bytes 4–8.
  detect: (source) => fileIdentifier(source.bytes()) === 'TFL3',
  parse: parseTflite,
  ownWeights: loadTfliteWeights,
  layout: 'channels_last',
};
