// A tiny emulation of the Keras 2 functional API that writes `model.to_json()` documents.
//   const k = new KerasBuilder();
//   const x = k.input('input_1', [224, 224, 3]);
//   const y = k.layer('Conv2D', conv2d({ name: 'conv1', filters: 64, kernel_size: 3 }), x);
//   const json = k.model('my_model', x, y);
// Layer configs carry the full Keras defaults (initializer objects and so on), as Keras 2.15 writes them.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A symbolic tensor: output `tensorIndex` of call `nodeIndex` of layer `layer`. */
export interface Tensor {
  readonly layer: string;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

export const KERAS_VERSION = '2.15.0';

interface LayerEntry {
  class_name: string;
  config: JsonObject;
  name: string;
  inbound_nodes: Json[];
}

export class KerasBuilder {
  private readonly layers: LayerEntry[] = [];
  private readonly byName = new Map<string, LayerEntry>();

  input(name: string, shape: number[]): Tensor {
    return this.add({ class_name: 'InputLayer', config: inputLayer(name, shape), name, inbound_nodes: [] });
  }

  /** Calls a new layer on `inputs` (one tensor or a list, for merge layers). */
  layer(className: string, config: JsonObject, inputs: Tensor | Tensor[]): Tensor {
    const name = config.name;
    if (typeof name !== 'string') throw new Error(`${className}: config.name is required`);
    const refs = (Array.isArray(inputs) ? inputs : [inputs]).map((t): Json => {
      if (!this.byName.has(t.layer)) throw new Error(`${name}: unknown input layer ${t.layer}`);
      return [t.layer, t.nodeIndex, t.tensorIndex, {}];
    });
    return this.add({ class_name: className, config, name, inbound_nodes: [refs] });
  }

  model(name: string, inputs: Tensor | Tensor[], outputs: Tensor | Tensor[]): JsonObject {
    const ref = (t: Tensor): Json => [t.layer, t.nodeIndex, t.tensorIndex];
    return {
      class_name: 'Functional',
      config: {
        name,
        trainable: true,
        layers: this.layers as unknown as Json[],
        input_layers: (Array.isArray(inputs) ? inputs : [inputs]).map(ref),
        output_layers: (Array.isArray(outputs) ? outputs : [outputs]).map(ref),
      },
      keras_version: KERAS_VERSION,
      backend: 'tensorflow',
    };
  }

  private add(entry: LayerEntry): Tensor {
    if (this.byName.has(entry.name)) throw new Error(`duplicate layer name ${entry.name}`);
    this.layers.push(entry);
    this.byName.set(entry.name, entry);
    return { layer: entry.name, nodeIndex: 0, tensorIndex: 0 };
  }
}

/** A Keras 2 Sequential document: the InputLayer first, then each layer as {class_name, config}. */
export function sequential(name: string, inputShape: number[], layers: [string, JsonObject][]): JsonObject {
  const names = new Set<string>();
  for (const [, c] of layers) {
    if (names.has(c.name as string)) throw new Error(`duplicate layer name ${String(c.name)}`);
    names.add(c.name as string);
  }
  return {
    class_name: 'Sequential',
    config: {
      name,
      layers: [
        { class_name: 'InputLayer', config: inputLayer(`${name}_input`, inputShape) },
        ...layers.map(([class_name, config]) => ({ class_name, config })),
      ],
    },
    keras_version: KERAS_VERSION,
    backend: 'tensorflow',
  };
}

// ---------------------------------------------------------------------------------------------
// Layer configs with Keras 2.15 defaults. Options use the Keras (snake_case) argument names.

type Opts = { name: string } & JsonObject;

const init = (className: string, config: JsonObject = {}): JsonObject => ({ module: 'keras.initializers', class_name: className, config, registered_name: null });
const pair = (v: Json | undefined, d: number): Json => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);
const base = (name: string): JsonObject => ({ name, trainable: true, dtype: 'float32' });

export const inputLayer = (name: string, shape: number[]): JsonObject => ({ batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, ragged: false, name });

export function conv2d(o: Opts & { filters: number; kernel_size: Json }): JsonObject {
  return {
    ...base(o.name),
    filters: o.filters,
    kernel_size: pair(o.kernel_size, 1),
    strides: pair(o.strides, 1),
    padding: o.padding ?? 'valid',
    data_format: 'channels_last',
    dilation_rate: pair(o.dilation_rate, 1),
    groups: o.groups ?? 1,
    activation: o.activation ?? 'linear',
    use_bias: o.use_bias ?? true,
    kernel_initializer: init('GlorotUniform', { seed: null }),
    bias_initializer: init('Zeros'),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

export function conv2dTranspose(o: Opts & { filters: number; kernel_size: Json }): JsonObject {
  const c = conv2d(o);
  delete c.groups; // Conv2DTranspose takes no `groups`
  return { ...c, output_padding: o.output_padding ?? null };
}

export function depthwiseConv2d(o: Opts & { kernel_size: Json }): JsonObject {
  return {
    ...base(o.name),
    kernel_size: pair(o.kernel_size, 1),
    strides: pair(o.strides, 1),
    padding: o.padding ?? 'valid',
    data_format: 'channels_last',
    dilation_rate: pair(o.dilation_rate, 1),
    groups: 1,
    activation: o.activation ?? 'linear',
    use_bias: o.use_bias ?? true,
    bias_initializer: init('Zeros'),
    bias_regularizer: null,
    activity_regularizer: null,
    bias_constraint: null,
    depth_multiplier: o.depth_multiplier ?? 1,
    depthwise_initializer: init('GlorotUniform', { seed: null }),
    depthwise_regularizer: null,
    depthwise_constraint: null,
  };
}

export function dense(o: Opts & { units: number }): JsonObject {
  return {
    ...base(o.name),
    units: o.units,
    activation: o.activation ?? 'linear',
    use_bias: o.use_bias ?? true,
    kernel_initializer: init('GlorotUniform', { seed: null }),
    bias_initializer: init('Zeros'),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

export function batchNorm(o: Opts): JsonObject {
  return {
    ...base(o.name),
    axis: o.axis ?? [3], // Keras 2 writes the axis list it resolved in build()
    momentum: o.momentum ?? 0.99,
    epsilon: o.epsilon ?? 0.001,
    center: true,
    scale: true,
    beta_initializer: init('Zeros'),
    gamma_initializer: init('Ones'),
    moving_mean_initializer: init('Zeros'),
    moving_variance_initializer: init('Ones'),
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
  };
}

export const activation = (name: string, fn: string): JsonObject => ({ ...base(name), activation: fn });
export const relu = (name: string, maxValue: number | null = null): JsonObject => ({ ...base(name), max_value: maxValue, negative_slope: 0.0, threshold: 0.0 });

export function pool2d(o: Opts & { pool_size: Json }): JsonObject {
  return { ...base(o.name), pool_size: pair(o.pool_size, 1), padding: o.padding ?? 'valid', strides: pair(o.strides ?? o.pool_size, 1), data_format: 'channels_last' };
}

export const globalAveragePooling2d = (name: string): JsonObject => ({ ...base(name), data_format: 'channels_last', keepdims: false });
export const flatten = (name: string): JsonObject => ({ ...base(name), data_format: 'channels_last' });
export const dropout = (name: string, rate: number): JsonObject => ({ ...base(name), rate, noise_shape: null, seed: null });
export const reshape = (name: string, targetShape: number[]): JsonObject => ({ ...base(name), target_shape: targetShape });
export const zeroPadding2d = (name: string, padding: [[number, number], [number, number]]): JsonObject => ({ ...base(name), padding, data_format: 'channels_last' });
export const cropping2d = (name: string, cropping: [[number, number], [number, number]]): JsonObject => ({ ...base(name), cropping, data_format: 'channels_last' });
export const add = (name: string): JsonObject => ({ ...base(name) });
export const concatenate = (name: string, axis = -1): JsonObject => ({ ...base(name), axis });
export const rescaling = (name: string, scale: number, offset = 0): JsonObject => ({ ...base(name), scale, offset });

/** TensorFlow's `tf.nn.local_response_normalization` naming (not a built-in Keras layer). */
export const localResponseNormalization = (name: string, o: { depth_radius: number; bias: number; alpha: number; beta: number }): JsonObject => ({ ...base(name), ...o });

/** A custom layer (not a Keras built-in), as in many style-transfer ports. */
export const reflectionPadding2d = (name: string, padding: [[number, number], [number, number]]): JsonObject => ({ ...base(name), padding });

// ---------------------------------------------------------------------------------------------
// Output: JSON.stringify(…, null, 2) layout, but short arrays and small objects stay on one line.

const INLINE_MAX = 100; // longest one-line rendering of a value (not counting its key and indentation)

export function formatJson(value: Json, indent = ''): string {
  const compact = JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');
  if (value === null || typeof value !== 'object') return compact;
  const isLayerish = !Array.isArray(value) && ('inbound_nodes' in value || 'layers' in value || 'trainable' in value || 'batch_input_shape' in value);
  if (!isLayerish && compact.length <= INLINE_MAX + (Array.isArray(value) ? 0 : 30)) return compact;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${formatJson(value[k] as Json, inner)}`).join(',\n')}\n${indent}}`;
}
