import type { ModelFormat } from '../format';
import { planKerasEdit } from './edits';
import { KERAS_VOCABULARY } from './names';
import { MAX_TEXT_MODEL_BYTES } from '../limits';
import { looksLikeKerasModel, parseKeras } from './parse';

// Keras 2 and 3 JSON (`model.to_json()`, a .keras archive's config.json) and TF.js layers models
// (`model.json` with a `modelTopology`). The one editable format so far: edits are jsonc text edits.

export const kerasFormat: ModelFormat = {
  id: 'keras',
  displayName: 'Keras / TF.js layers (JSON)',
  extensions: ['.json'],
  produces: ['keras2-json', 'keras3-json', 'tfjs-layers', 'json'],
  binary: false,
  // A .json too large to parse is claimed by its name, so that what the user hears is the size limit.
  detect: (source) => looksLikeKerasModel(source.text()) || (/\.json$/i.test(source.name) && source.text().length > MAX_TEXT_MODEL_BYTES),
  parse: (source) => parseKeras(source.text(), source.name),
  edits: { plan: planKerasEdit, vocabulary: KERAS_VOCABULARY },
};
