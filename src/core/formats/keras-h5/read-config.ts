import { hdf5DeclaredSize, isH5Group, stringsAttr, withHdf5Sync, type H5Module } from '../hdf5';
import { bytesText } from '../limits';
import { baseName, SourceError } from '../source';
import { openZip, type ZipEntry } from '../zip';

// The architecture inside a whole-model Keras file, read without touching the weights:
//   Keras 2 `.h5` (`model.save('m.h5')`): root attributes model_config (the model's JSON),
//     keras_version, backend; the weights under /model_weights (read only when the model runs).
//   Keras 3 `.keras` (a zip): config.json (the model's JSON), metadata.json ({keras_version, …}),
//     model.weights.h5 (read only when the model runs).
// Either gives the JSON text the Keras JSON reader parses, or the reason there is none.

export interface KerasConfig {
  /** The model's JSON, as Keras wrote it. */
  readonly json: string;
  /** keras_version as the file records it ('2.15.0', '3.3.3'), when it does. */
  readonly kerasVersion?: string;
  readonly backend?: string;
}

/** Why a file holds no architecture CNN Lens can draw: a message naming the file and the reason. */
export class NoKerasConfig extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoKerasConfig';
  }
}

/** A Keras config (config.json, model_config) larger than this is refused: the largest zoo models' are a few MiB. */
export const MAX_CONFIG_BYTES = 64 * 2 ** 20;

/** The stem a weights-only file's architecture JSON usually has: m.h5 and m.weights.h5 → m. */
export const architectureStem = (file: string): string => baseName(file).replace(/(\.weights)?\.(h5|hdf5|keras)$/i, '');

/** model_config and friends from a Keras `.h5` (h5wasm loaded). */
export function readH5Config(h5: H5Module, bytes: Uint8Array, file: string): KerasConfig {
  const declared = hdf5DeclaredSize(bytes);
  if (declared !== undefined && declared > bytes.length) {
    throw new NoKerasConfig(`${file} is cut short: its HDF5 superblock declares ${declared} bytes, the file has ${bytes.length} (an interrupted copy or download)`);
  }
  let read: KerasConfig | { weightsOnly: 'keras2' | 'keras3' | undefined };
  try {
    read = withHdf5Sync(h5, bytes, (root) => {
      const json = stringsAttr(root, 'model_config')?.join('');
      if (json !== undefined) return { json, kerasVersion: stringsAttr(root, 'keras_version')?.[0], backend: stringsAttr(root, 'backend')?.[0] };
      const keras2 = stringsAttr(root, 'layer_names') !== undefined;
      const keras3 = isH5Group(root.get('layers')) || isH5Group(root.get('_layer_checkpoint_dependencies'));
      return { weightsOnly: keras2 ? 'keras2' : keras3 ? 'keras3' : undefined };
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new NoKerasConfig(`${file} cannot be read as HDF5 (h5wasm: ${message.replace(/\s+/g, ' ').trim()})`);
  }
  if ('json' in read) return read;
  const stem = architectureStem(file);
  if (read.weightsOnly) {
    const saved = read.weightsOnly === 'keras2' ? 'model.save_weights()' : 'Keras 3 save_weights()';
    throw new NoKerasConfig(
      `${file} holds only weights (written by ${saved}; it has no model_config attribute), so it has no architecture to draw: ` +
        `open the model's architecture, ${stem}.json (from model.to_json()), and CNN Lens runs it with the weights in ${baseName(file)} next to it`,
    );
  }
  throw new NoKerasConfig(`${file} is an HDF5 file but not a Keras model: it has no model_config attribute and no Keras weights (layer_names or layers/)`);
}

/** config.json and metadata.json from a Keras 3 `.keras` archive. */
export function readArchiveConfig(bytes: Uint8Array, file: string): KerasConfig {
  try {
    const zip = openZip(bytes, file);
    const entry = (name: string): ZipEntry | undefined => zip.entries.find((e) => e.name === name);
    const config = entry('config.json');
    if (!config) {
      const names = zip.entries.slice(0, 6).map((e) => e.name).join(', ') + (zip.entries.length > 6 ? ', …' : '');
      throw new NoKerasConfig(`${file} is a zip archive but not a Keras archive: it has no config.json (a .keras file holds config.json, metadata.json and model.weights.h5; this one holds ${names || 'nothing'})`);
    }
    const utf8 = new TextDecoder();
    // Only the JSON entries are unpacked to draw, each within the size a config can have; the weights stay packed.
    const text = (e: ZipEntry): string => {
      if (e.size > MAX_CONFIG_BYTES) throw new SourceError(`${file} (${e.name})`, `declares ${bytesText(e.size)} uncompressed, more than the ${bytesText(MAX_CONFIG_BYTES)} a Keras config is read to`);
      return utf8.decode(zip.read(e.name));
    };
    const json = text(config);
    const metadataEntry = entry('metadata.json');
    let metadata: { keras_version?: unknown } = {};
    try {
      if (metadataEntry) metadata = JSON.parse(text(metadataEntry));
    } catch (e) {
      if (e instanceof SourceError) throw e;
      // metadata.json only tells the Keras version; a damaged one does not stop the drawing.
    }
    return { json, kerasVersion: typeof metadata.keras_version === 'string' ? metadata.keras_version : undefined };
  } catch (e) {
    if (e instanceof SourceError) throw new NoKerasConfig(`${file} cannot be read as a .keras archive: ${e.file === file ? '' : `entry "${e.file.slice(file.length + 2, -1)}" `}${e.reason}`);
    throw e;
  }
}
