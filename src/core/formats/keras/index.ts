import type { ModelFormat } from '../format';
import { planKerasEdit } from './edits';
import { KERAS_VOCABULARY } from './names';
import { looksLikeKerasModel, parseKeras } from './parse';

// Keras 2 and 3 JSON (`model.to_json()`, a .keras archive's config.json) and TF.js layers models
// (`model.json` with a `modelTopology`). The one editable format so far: edits are jsonc text edits.

export const kerasFormat: ModelFormat = {
  id: 'keras',
  displayName: 'Keras / TF.js layers (JSON)',
  extensions: ['.json'],
  produces: ['keras2-json', 'keras3-json', 'tfjs-layers', 'json'],
  binary: false,
  detect: (source) => looksLikeKerasModel(source.text()),
  parse: (source) => parseKeras(source.text(), source.name),
  edits: { plan: planKerasEdit, vocabulary: KERAS_VOCABULARY },
};
