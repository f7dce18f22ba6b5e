// A tiny builder for Keras 2 functional-model JSON, so that the networks style transfer makes
// (the random loss network, the narrow transform nets) are ordinary model files: CNN Lens parses,
// analyses, draws and runs them like any other.

export interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
  name: string;
  inbound_nodes: unknown[];
}

export class KerasGraphBuilder {
  readonly layers: KerasLayer[] = [];
  constructor(readonly name: string, inputShape: readonly (number | null)[], readonly inputName = 'input_1') {
    this.layers.push({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...inputShape], dtype: 'float32', sparse: false, ragged: false, name: inputName }, name: inputName, inbound_nodes: [] });
  }
  add(className: string, name: string, config: Record<string, unknown>, inputs: readonly string[]): string {
    this.layers.push({ class_name: className, config: { name, trainable: true, dtype: 'float32', ...config }, name, inbound_nodes: [inputs.map((i) => [i, 0, 0, {}])] });
    return name;
  }
  conv(name: string, input: string, filters: number, k: number, strides = 1, padding: 'same' | 'valid' = 'same', activation = 'linear'): string {
    return this.add('Conv2D', name, { filters, kernel_size: [k, k], strides: [strides, strides], padding, data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation, use_bias: true }, [input]);
  }
  toJson(output: string): Record<string, unknown> {
    return {
      class_name: 'Functional',
      config: { name: this.name, trainable: true, layers: this.layers, input_layers: [[this.inputName, 0, 0]], output_layers: [[output, 0, 0]] },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    };
  }
}
