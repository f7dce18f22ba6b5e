// A generated Keras 2 Functional model of any size, for benchmarks and very-large-graph tests:
// repeated residual blocks (conv → BN → ReLU → conv → BN → Add → ReLU), 7 layers each. Named
// `b12_conv1` (Keras's block convention: the diagram groups them into blocks), or with `flat` named
// `conv_85`, `add_89` (no convention: a graph that carries no hierarchy of its own).

type Layer = { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };

export function largeModel(layerCount: number, opts: { flat?: boolean } = {}): object {
  const layers: Layer[] = [];
  const add = (class_name: string, blockName: string, config: Record<string, unknown>, inputs: string[]) => {
    const name = opts.flat ? flatName(blockName) : blockName;
    layers.push({ class_name, name, config: { name, trainable: true, dtype: 'float32', ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [opts.flat ? flatName(i) : i, 0, 0, {}])] : [] });
  };
  // Flat names: the role without its block (`b12_conv1` → `conv_85`), numbered by position.
  const flatNames = new Map<string, string>();
  const flatName = (n: string): string => {
    let f = flatNames.get(n);
    if (!f) flatNames.set(n, (f = `${n.replace(/^b\d+_/, '').replace(/\d+$/, '')}_${flatNames.size}`));
    return f;
  };
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
    config: { name: `generated_${layerCount}`, layers, input_layers: [[layers[0].name, 0, 0]], output_layers: [[layers[layers.length - 1].name, 0, 0]] },
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
