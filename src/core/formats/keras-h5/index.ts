import type { ModelFormat } from '../format';
import { hdf5 } from '../hdf5';
import { loadKerasWeights } from '../keras/weights-keras';
import { findArchitectureFile } from './architecture-file';
import { KERAS_FILE_FORMATS, looksLikeKerasFile, parseKerasFile } from './parse';

// Whole-model Keras files: Keras 2 `.h5` (`model.save('m.h5')`) and Keras 3 `.keras` archives. The
// architecture is the Keras JSON inside (drawn without reading the weights); the weights are the
// file's own (the Keras HDF5 weights reader), read when the model runs or is exported. Read-only:
// CNN Lens does not rewrite HDF5 or zip files.

export const kerasFileFormat: ModelFormat = {
  id: 'keras-h5',
  displayName: 'Keras model file (.h5, .keras)',
  extensions: ['.h5', '.hdf5', '.keras'],
  produces: KERAS_FILE_FORMATS,
  binary: true,
  detect: looksLikeKerasFile,
  prepare: async () => {
    await hdf5();
  },
  parse: parseKerasFile,
  checkFiles: findArchitectureFile,
  ownWeights: loadKerasWeights,
};
