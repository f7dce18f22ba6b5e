// Keras 1 layer configs (Keras ≤ 1.2, still found in old `.h5` files) renamed to Keras 2's, as
// Keras 2 itself did when it loaded them (keras/legacy/interfaces.py): Convolution2D's nb_filter,
// nb_row/nb_col, subsample, border_mode, dim_ordering; Dense's output_dim; Dropout's p; the Merge
// layer by its mode. The Keras JSON reader then reads them like any Keras 2 config.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const DATA_FORMAT: Readonly<Record<string, string>> = { tf: 'channels_last', th: 'channels_first', default: 'channels_last' };
const MERGE_MODES: Readonly<Record<string, string>> = { sum: 'Add', concat: 'Concatenate', mul: 'Multiply', ave: 'Average', max: 'Maximum' };
/** Keras 1 key → Keras 2 key, for every layer that has it. */
const RENAMED: Readonly<Record<string, string>> = { nb_filter: 'filters', subsample: 'strides', border_mode: 'padding', output_dim: 'units', bias: 'use_bias', atrous_rate: 'dilation_rate', input_dtype: 'dtype' };

/** True when a layer config is written in Keras 1's names. */
const isKeras1Layer = (config: Json): boolean => ['nb_filter', 'border_mode', 'output_dim', 'dim_ordering', 'nb_row'].some((k) => k in config) || ('p' in config && !('rate' in config));

function upgradeLayer(layer: Json): boolean {
  const config = layer.config;
  if (isObject(config) && (Array.isArray(config.layers) || layer.class_name === 'Sequential' || layer.class_name === 'Model')) return upgradeModel(layer) > 0;
  if (!isObject(config)) return false;
  const mergeMode = layer.class_name === 'Merge' ? MERGE_MODES[String(config.mode)] : undefined;
  if (!isKeras1Layer(config) && !mergeMode) return false;
  for (const [old, now] of Object.entries(RENAMED)) {
    if (old in config && !(now in config)) config[now] = config[old];
    delete config[old];
  }
  if ('nb_row' in config || 'nb_col' in config) {
    config.kernel_size = [config.nb_row, config.nb_col];
    delete config.nb_row;
    delete config.nb_col;
  }
  if ('dim_ordering' in config) {
    config.data_format = DATA_FORMAT[String(config.dim_ordering)] ?? 'channels_last';
    delete config.dim_ordering;
  }
  if ('p' in config) {
    config.rate = config.p;
    delete config.p;
  }
  if (mergeMode) {
    layer.class_name = mergeMode;
    if (mergeMode === 'Concatenate') config.axis = config.concat_axis ?? -1;
  }
  return true;
}

/** Renames a model's Keras 1 layer configs in place (nested models too); returns how many layers changed. */
export function upgradeModel(model: Json): number {
  const config = model.config;
  // Keras 1's Sequential config is the bare list of layers; Keras 2's a {layers} object.
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  let changed = 0;
  for (const layer of layers) if (isObject(layer) && upgradeLayer(layer)) changed++;
  return changed;
}

/** The JSON with Keras 1 configs in Keras 2's names, and how many layers were renamed (0: the text as it was). */
export function upgradeKeras1(json: string): { json: string; renamed: number } {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return { json, renamed: 0 }; // the Keras reader reports the JSON error with its position
  }
  if (!isObject(root)) return { json, renamed: 0 };
  const renamed = upgradeModel(root);
  return renamed ? { json: JSON.stringify(root), renamed } : { json, renamed: 0 };
}
