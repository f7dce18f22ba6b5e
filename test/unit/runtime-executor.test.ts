import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { analyzeText, type Analysis } from '../../src/core';
import { KERAS_KINDS } from '../../src/core/formats/keras/names';
import { execute, ExecutionError } from '../../src/core/runtime/executor';
import { mulberry32, randomWeights } from '../../src/core/runtime/random-weights';
import { analyzeFixture, analyzeModel } from '../support/fixtures';

// The executor: taps return every node's output with the shape analysis computed; intermediate
// tensors are freed as soon as nothing needs them; only the needed nodes run; cancellation;
// clear errors naming the node for what cannot run.

function randomTensor(shape: readonly number[], seed: number): tf.Tensor {
  const rand = mulberry32(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rand() * 2 - 1), [...shape]);
}

const inputsFor = (analysis: Analysis, seed = 7) => analysis.graph.inputs.map((id, i) => randomTensor(analysis.inputShapes.get(id) as number[], seed + i));
const disposeAll = (weights: Map<string, Record<string, tf.Tensor>>) => {
  for (const w of weights.values()) tf.dispose(Object.values(w));
};

/** A Keras 2 functional model using every op of the registry once at least (built here, small). */
function everyOpModel(): string {
  const layers: unknown[] = [];
  const add = (name: string, className: string, config: Record<string, unknown>, inputs: string[]) =>
    layers.push({ name, class_name: className, config: { name, ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [] });
  add('img', 'InputLayer', { batch_input_shape: [null, 12, 12, 4] }, []);
  add('vec', 'InputLayer', { batch_input_shape: [null, 6] }, []);
  add('rescale', 'Rescaling', { scale: 0.5, offset: 0.1 }, ['img']);
  add('pad', 'ZeroPadding2D', { padding: [[1, 0], [0, 1]] }, ['rescale']);
  add('gconv', 'Conv2D', { filters: 8, kernel_size: 3, groups: 2, activation: 'hard_swish' }, ['pad']);
  add('dw', 'DepthwiseConv2D', { kernel_size: 3, padding: 'same', depth_multiplier: 2, activation: 'mish' }, ['gconv']);
  add('sep', 'SeparableConv2D', { filters: 8, kernel_size: 3, padding: 'same', activation: 'gelu' }, ['dw']);
  add('bn', 'BatchNormalization', { axis: -1 }, ['sep']);
  add('lrn', 'LocalResponseNormalization', { depth_radius: 2, bias: 1, alpha: 1e-4, beta: 0.75 }, ['bn']);
  add('inorm', 'InstanceNormalization', { axis: -1 }, ['lrn']);
  add('lnorm', 'LayerNormalization', { axis: -1, epsilon: 1e-3 }, ['inorm']);
  add('relu', 'ReLU', { max_value: 6, negative_slope: 0.1, threshold: 0 }, ['lnorm']);
  add('leaky', 'LeakyReLU', { alpha: 0.2 }, ['relu']);
  add('prelu', 'PReLU', { shared_axes: [1, 2] }, ['leaky']);
  add('elu', 'ELU', { alpha: 1 }, ['prelu']);
  add('reflect', 'ReflectionPadding2D', { padding: [1, 1] }, ['elu']);
  add('crop', 'Cropping2D', { cropping: 1 }, ['reflect']);
  add('maxp', 'MaxPooling2D', { pool_size: 2 }, ['crop']);
  add('up', 'UpSampling2D', { size: 2, interpolation: 'bilinear' }, ['maxp']);
  add('avgp', 'AveragePooling2D', { pool_size: 3, strides: 1, padding: 'same' }, ['up']);
  add('deconv', 'Conv2DTranspose', { filters: 4, kernel_size: 3, strides: 2, padding: 'same' }, ['avgp']);
  add('act', 'Activation', { activation: 'selu' }, ['deconv']);
  add('drop', 'Dropout', { rate: 0.5 }, ['act']);
  add('noise', 'GaussianNoise', { stddev: 0.1 }, ['drop']);
  add('gap', 'GlobalAveragePooling2D', {}, ['noise']);
  add('gmp', 'GlobalMaxPooling2D', { keepdims: true }, ['noise']);
  add('flat', 'Flatten', {}, ['gmp']);
  add('sum', 'Add', {}, ['gap', 'flat']);
  add('diff', 'Subtract', {}, ['gap', 'flat']);
  add('prod', 'Multiply', {}, ['gap', 'flat']);
  add('mean', 'Average', {}, ['gap', 'flat', 'sum']);
  add('most', 'Maximum', {}, ['gap', 'flat']);
  add('least', 'Minimum', {}, ['gap', 'flat']);
  add('meta', 'Dense', { units: 4, activation: 'tanh' }, ['vec']);
  add('cat', 'Concatenate', { axis: -1 }, ['sum', 'diff', 'prod', 'mean', 'most', 'least', 'meta']);
  add('rows', 'Reshape', { target_shape: [-1, 4] }, ['cat']);
  add('dense3', 'Dense', { units: 3, activation: 'softplus' }, ['rows']);
  add('probs', 'Softmax', { axis: 1 }, ['dense3']);
  return JSON.stringify({
    class_name: 'Functional',
    config: { name: 'every_op', layers, input_layers: [['img', 0, 0], ['vec', 0, 0]], output_layers: [['probs', 0, 0], ['deconv', 0, 0]] },
  });
}

describe('runtime: executor', () => {
  before(async () => {
    tf.setBackend('cpu');
    await tf.ready();
  });

  it('a model with every op a Keras model can name runs, and its model covers every such kind', async () => {
    const analysis = analyzeText(everyOpModel(), 'every_op.json');
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    assert.deepEqual([...KERAS_KINDS].filter((k) => !analysis.graph.nodes.some((n) => n.op === k)), [], 'kinds missing from the every-op model');
    const weights = randomWeights(tf, analysis.graph, analysis, 3, { perturb: true });
    const inputs = inputsFor(analysis);
    const { outputs } = await execute(tf, analysis, weights, inputs);
    assert.deepEqual(outputs.map((o) => o.shape), [[1, 7, 3], [1, 20, 20, 4]]);
    const probs = outputs[0].arraySync() as number[][][];
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(probs[0].reduce((s, row) => s + row[c], 0) - 1) < 1e-5, 'softmax over axis 1 sums to 1');
    assert.ok(outputs.every((o) => (o.dataSync() as Float32Array).every(Number.isFinite)));
    tf.dispose([...outputs, ...inputs]);
    disposeAll(weights);
  });

  const tapCases: [string, () => Analysis][] = [
    ['every-op model', () => analyzeText(everyOpModel(), 'every_op.json')],
    ['multi_io.json at batch 3', () => analyzeFixture('multi_io.json', { batch: 3 })],
    ['assorted.json', () => analyzeFixture('assorted.json')],
    ['johnson_transform_net.json at 48 (reflection padding of 40 included)', () => analyzeModel('johnson_transform_net.json', { inputShape: [1, 48, 48, 3] })],
    ['keras3_functional.json', () => analyzeFixture('keras3_functional.json')],
    ['keras3_sequential.json', () => analyzeFixture('keras3_sequential.json')],
    ['mobilenet_v2.json at 96', () => analyzeModel('mobilenet_v2.json', { inputShape: [1, 96, 96, 3] })],
    ['alexnet.json (grouped convolutions, LRN)', () => analyzeModel('alexnet.json')],
  ];
  for (const [title, make] of tapCases) {
    it(`taps every node of ${title}: each with analysis's output shape; nothing leaks`, async () => {
      const analysis = make();
      const weights = randomWeights(tf, analysis.graph, analysis, 11);
      const inputs = inputsFor(analysis);
      const before = tf.memory().numTensors;
      const ran: string[] = [];
      let peak = 0;
      const { outputs, taps } = await execute(tf, analysis, weights, inputs, {
        taps: 'all',
        onNode: (id, ms) => {
          assert.ok(ms >= 0);
          ran.push(id);
          peak = Math.max(peak, tf.memory().numTensors - before);
        },
      });
      assert.deepEqual(ran, analysis.graph.nodes.map((n) => n.id), 'every node ran once, in order');
      assert.equal(taps.size, analysis.graph.nodes.length);
      for (const node of analysis.nodes) assert.deepEqual(taps.get(node.id)!.shape, node.outputShape, `tap ${node.id}`);
      assert.equal(new Set([...taps.values(), ...outputs]).size, taps.size + outputs.length, 'every returned tensor is its own object');
      tf.dispose([...outputs, ...taps.values()]);
      assert.equal(tf.memory().numTensors, before, 'disposing what execute returned frees everything it made');
      assert.ok(inputs.every((t) => !t.isDisposed), "the caller's inputs are left alone");
      tf.dispose(inputs);
      disposeAll(weights);
    });
  }

  it('frees intermediates as it goes: untapped MobileNet v1 holds a handful of tensors, not one per layer', async () => {
    const analysis = analyzeModel('mobilenet_v1.json', { inputShape: [1, 64, 64, 3] });
    const weights = randomWeights(tf, analysis.graph, analysis, 1);
    const inputs = inputsFor(analysis);
    const before = tf.memory().numTensors;
    let peak = 0;
    const { outputs, taps } = await execute(tf, analysis, weights, inputs, { onNode: () => (peak = Math.max(peak, tf.memory().numTensors - before)) });
    assert.equal(taps.size, 0);
    assert.ok(peak <= 3, `at most 3 live tensors at once, saw ${peak} (${analysis.graph.nodes.length} nodes)`);
    tf.dispose(outputs);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(inputs);
    disposeAll(weights);
  });

  it('runs only what the outputs and taps need; a tap on an identity layer and its input are distinct tensors', async () => {
    // A branch no output reads, ending in a layer nobody can run: skipped, unless tapped.
    const json = JSON.parse(everyOpModel());
    json.config.layers.push({ name: 'unused', class_name: 'MyCustomLayer', config: { name: 'unused' }, inbound_nodes: [[['gap', 0, 0, {}]]] });
    const dead = analyzeText(JSON.stringify(json), 'dead.json');
    const wd = randomWeights(tf, dead.graph, dead, 1);
    const ind = inputsFor(dead);
    const order: string[] = [];
    const rd = await execute(tf, dead, wd, ind, { taps: ['bn'], onNode: (id) => order.push(id) });
    assert.ok(!order.includes('unused') && order.length === dead.graph.nodes.length - 1);
    tf.dispose([...rd.outputs, ...rd.taps.values()]);
    await assert.rejects(execute(tf, dead, wd, ind, { taps: ['unused'] }), /cannot run unused \(MyCustomLayer\)/);
    tf.dispose(ind);
    disposeAll(wd);

    const analysis = analyzeFixture('assorted.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 2);
    const inputs = inputsFor(analysis);
    const ran: string[] = [];
    const { taps, outputs } = await execute(tf, analysis, weights, inputs, { taps: ['flat', 'drop', 'conv_rect'], onNode: (id) => ran.push(id) });
    assert.deepEqual(ran, analysis.graph.nodes.map((n) => n.id), 'the outputs need every node here');
    assert.notEqual(taps.get('flat'), taps.get('drop'));
    assert.deepEqual(taps.get('flat')!.dataSync(), taps.get('drop')!.dataSync());
    tf.dispose([...taps.values(), ...outputs]);

    const multi = analyzeFixture('multi_io.json');
    const w2 = randomWeights(tf, multi.graph, multi, 2);
    const in2 = inputsFor(multi);
    const ran2: string[] = [];
    // Tapping the input node of `meta` hands back a clone: disposing it leaves the caller's input intact.
    const r = await execute(tf, multi, w2, in2, { taps: ['meta', 'meta_proj'], onNode: (id) => ran2.push(id) });
    assert.ok(ran2.includes('meta_proj') && ran2.includes('features/f_conv'));
    tf.dispose([...r.taps.values(), ...r.outputs]);
    assert.ok(!in2[1].isDisposed);
    tf.dispose([...inputs, ...in2]);
    disposeAll(weights);
    disposeAll(w2);
  });

  it('can be cancelled between nodes, freeing what it made', async () => {
    const analysis = analyzeFixture('assorted.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 2);
    const inputs = inputsFor(analysis);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let count = 0;
    await assert.rejects(
      execute(tf, analysis, weights, inputs, { taps: 'all', signal: controller.signal, onNode: () => ++count === 4 && controller.abort(new Error('stopped by the user')) }),
      /stopped by the user/,
    );
    assert.equal(count, 4);
    assert.equal(tf.memory().numTensors, before, 'nothing leaks on cancellation');
    tf.dispose(inputs);
    disposeAll(weights);

    // An abort from outside (a timer, a UI button) lands too: the run yields to the event loop now and then.
    const big = analyzeModel('mobilenet_v1.json');
    const wb = randomWeights(tf, big.graph, big, 1);
    const ib = inputsFor(big);
    const start = performance.now();
    const ran: string[] = [];
    const outside = new AbortController();
    setTimeout(() => outside.abort(), 50);
    await assert.rejects(execute(tf, big, wb, ib, { signal: outside.signal, onNode: (id) => ran.push(id) }), (e: Error) => e.name === 'AbortError');
    assert.ok(ran.length < big.graph.nodes.length, `stopped after ${ran.length} of ${big.graph.nodes.length} nodes, ${(performance.now() - start).toFixed(0)} ms`);
    tf.dispose(ib);
    disposeAll(wb);
  });

  it('says which node it cannot run, and why', async () => {
    const base = JSON.parse(everyOpModel());
    const withLayer = (className: string, config: Record<string, unknown>) => {
      const json = structuredClone(base);
      json.config.layers.push({ name: 'odd', class_name: className, config: { name: 'odd', ...config }, inbound_nodes: [[['noise', 0, 0, {}]]] });
      json.config.output_layers.push(['odd', 0, 0]);
      return analyzeText(JSON.stringify(json), 'm.json');
    };
    const run = async (analysis: Analysis, pattern: RegExp, weights = randomWeights(tf, analysis.graph, analysis, 1), inputs = inputsFor(analysis)) => {
      const before = tf.memory().numTensors;
      await assert.rejects(execute(tf, analysis, weights, inputs), (e: Error) => {
        assert.match(e.message, pattern);
        return true;
      });
      assert.equal(tf.memory().numTensors, before, `nothing leaks (${pattern})`);
      tf.dispose(inputs);
      disposeAll(weights as Map<string, Record<string, tf.Tensor>>);
    };
    await run(withLayer('MyCustomLayer', {}), /cannot run odd \(MyCustomLayer\): "MyCustomLayer" is not a layer CNN Lens knows/);
    await run(withLayer('Reshape', { target_shape: [5, 5] }), /cannot run odd \(Reshape\): its shape could not be computed: .*cannot reshape/);
    const ok = analyzeText(everyOpModel(), 'm.json');
    const err = await execute(tf, ok, new Map(), inputsFor(ok)).catch((e) => e);
    assert.ok(err instanceof ExecutionError && err.node === 'gconv' && /no weights were given for it \(it needs kernel, bias\)/.test(err.message), err.message);
    const wrong = randomWeights(tf, ok.graph, ok, 1);
    const sepW = wrong.get('sep')!;
    sepW.pointwise_kernel.dispose();
    sepW.pointwise_kernel = tf.zeros([1, 1, 16, 7]);
    await run(ok, /cannot run sep \(SeparableConv2D\): weight "pointwise_kernel" has shape \(1, 1, 16, 7\), the layer needs \(1, 1, 16, 8\)/, wrong);
    await assert.rejects(execute(tf, ok, new Map(), [tf.zeros([1, 12, 12, 4])]), /takes 2 inputs \(img, vec\), got 1/);
    await assert.rejects(execute(tf, ok, new Map(), [tf.zeros([1, 10, 12, 4]), tf.zeros([1, 6])]), /input img has shape \(1, 10, 12, 4\), the model \(as analysed\) takes \(1, 12, 12, 4\)/);
    await assert.rejects(execute(tf, ok, new Map(), inputsFor(ok), { taps: ['nope'] }), /cannot tap "nope"/);
  });
});
