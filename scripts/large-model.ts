// A generated Keras 2 Functional model of any size, for benchmarks and very-large-graph tests:
// repeated residual blocks (conv → BN → ReLU → conv → BN → Add → ReLU), 7 layers each.

type Layer = { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };

export function largeModel(layerCount: number): object {
  const layers: Layer[] = [];
  const add = (class_name: string, name: string, config: Record<string, unknown>, inputs: string[]) =>
    layers.push({ class_name, name, config: { name, trainable: true, dtype: 'float32', ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [] });
  const conv = { filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', use_bias: false };
  add('InputLayer', 'input', { batch_input_shape: [null, 56, 56, 32] }, []);
  let x = 'input';
  for (let b = 0; layers.length + 7 <= layerCount; b++) {
    add('Conv2D', `b${b}_conv1`, conv, [x]);
    add('BatchNormalization', `b${b}_bn1`, { axis: -1 }, [`b${b}_conv1`]);
    add('ReLU', `b${b}_relu1`, {}, [`b${b}_bn1`]);
    add('Conv2D', `b${b}_conv2`, conv, [`b${b}_relu1`]);
    add('BatchNormalization', `b${b}_bn2`, { axis: -1 }, [`b${b}_conv2`]);
    add('Add', `b${b}_add`, {}, [x, `b${b}_bn2`]);
    add('ReLU', `b${b}_out`, {}, [`b${b}_add`]);
    x = `b${b}_out`;
  }
  while (layers.length < layerCount) {
    const name = `tail${layers.length}`;
    add('ReLU', name, {}, [x]);
    x = name;
  }
  return {
    class_name: 'Functional',
    config: { name: `generated_${layerCount}`, layers, input_layers: [['input', 0, 0]], output_layers: [[x, 0, 0]] },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** The model as a file a person would open: one layer per line (an editor handles 50k short lines, not one 10 MB line). */
export function largeModelText(layerCount: number): string {
  const model = largeModel(layerCount) as { config: { layers: unknown[] } };
  const { layers, ...rest } = model.config;
  const head = JSON.stringify({ ...model, config: { ...rest, layers: '\u0000' } }, null, 1);
  return head.replace('"\\u0000"', `[\n${layers.map((l) => `  ${JSON.stringify(l)}`).join(',\n')}\n ]`);
}
