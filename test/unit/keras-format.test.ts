import { strict as assert } from 'node:assert';
import { analyzeText, parseModel } from '../../src/core';
import { analyzeFixture, errors, node, readFixture } from '../support/fixtures';

// The Keras / TF.js parser: every JSON form, Sequential and Functional, multiple inputs and
// outputs, nested models, shared layers, and source ranges that point at the right text.

describe('Keras and TF.js formats', () => {
  it('reads a Keras 3 Functional config.json (dict inbound nodes, batch_shape, negative_slope)', () => {
    const a = analyzeFixture('keras3_functional.json');
    assert.equal(a.graph.format, 'keras3-json');
    assert.deepEqual(errors(a), []);
    assert.deepEqual(a.graph.nodes.map((n) => n.op), ['Input', 'Conv2D', 'BatchNormalization', 'Conv2D', 'Add', 'LeakyReLU', 'GlobalAveragePooling2D', 'Dense']);
    assert.deepEqual(node(a, 'residual').inputShapes, [[1, 32, 32, 16], [1, 32, 32, 16]]);
    assert.equal(a.graph.nodes.find((n) => n.id === 'leaky')!.attrs.alpha, 0.2);
    // Hand counts: conv 3·3·3·16+16, BN 4·16 (2·16 non-trainable), conv 3·3·16·16+16, dense 16·10+10.
    assert.equal(a.totals.params, 448 + 64 + 2320 + 170);
    assert.equal(a.totals.nonTrainableParams, 32);
    assert.equal(a.totals.macs, 32 * 32 * 16 * 27 + 32 * 32 * 16 * 144 + 16 * 10);
  });

  it('reads a Keras 3 Sequential with an InputLayer first', () => {
    const a = analyzeFixture('keras3_sequential.json');
    assert.equal(a.graph.format, 'keras3-json');
    assert.deepEqual(errors(a), []);
    assert.deepEqual(node(a, 'flatten').outputShape, [1, 1152]);
    assert.equal(a.totals.params, 5 * 5 * 8 + 8 + 1152 * 10 + 10);
    assert.equal(a.totals.macs, 24 * 24 * 8 * 25 + 1152 * 10);
  });

  it('reads a TF.js model.json with its weights manifest; the manifest sizes sum to our parameter count', () => {
    const a = analyzeFixture('tfjs_multi_io/model.json');
    assert.equal(a.graph.format, 'tfjs-layers');
    const manifest = a.graph.weights!;
    assert.ok(manifest.length > 10);
    const manifestTotal = manifest.reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0);
    assert.equal(a.totals.params, manifestTotal);
  });

  it('keeps multiple inputs and outputs in the model’s order', () => {
    const g = parseModel(readFixture('multi_io.json'), 'multi_io.json');
    assert.deepEqual(g.inputs, ['image', 'meta']);
    assert.deepEqual(g.outputs.map((o) => o.node), ['class', 'score']);
  });

  it('expands a nested model as a group and wires it to the outer tensors', () => {
    const a = analyzeFixture('multi_io.json');
    assert.deepEqual(a.graph.groups.map((g) => [g.id, g.kind]), [['features', 'model']]);
    const inner = a.graph.nodes.filter((n) => n.group === 'features').map((n) => n.id);
    assert.deepEqual(inner, ['features/f_conv', 'features/f_bn', 'features/f_dw', 'features/f_sep', 'features/f_pool']);
    assert.deepEqual(a.graph.nodes.find((n) => n.id === 'features/f_conv')!.inputs, [{ node: 'image', index: 0 }]);
    assert.deepEqual(a.graph.nodes.find((n) => n.id === 'gap')!.inputs, [{ node: 'features/f_pool', index: 0 }]);
  });

  it('gives each call of a shared layer its own node and counts the weights once', () => {
    const a = analyzeFixture('multi_io.json');
    const first = node(a, 'shared_dense');
    const second = node(a, 'shared_dense@2');
    assert.equal(first.params, 24 * 24 + 24);
    assert.equal(second.params, 0);
    assert.equal(second.macs, 24 * 24, 'the second call still computes');
    assert.equal(a.graph.nodes.find((n) => n.id === 'shared_dense@2')!.sharesWeightsWith, 'shared_dense');
  });

  it('records each layer’s source range: the whole definition and its name', () => {
    const text = readFixture('keras3_functional.json');
    const g = parseModel(text, 'keras3_functional.json');
    for (const n of g.nodes) {
      assert.equal(text.slice(n.nameRange!.start, n.nameRange!.end), JSON.stringify(n.layer));
      const definition = JSON.parse(text.slice(n.range!.start, n.range!.end));
      assert.equal(definition.name, n.layer);
    }
  });

  it('reads Keras 2 Sequential models whose first layer carries batch_input_shape', () => {
    const text = JSON.stringify({
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd1', units: 4, batch_input_shape: [null, 8] } }, { class_name: 'Dense', config: { name: 'd2', units: 2, activation: 'softmax' } }] },
      keras_version: '2.15.0',
    });
    const a = analyzeText(text, 's.json');
    assert.deepEqual(a.graph.nodes.map((n) => n.id), ['d1_input', 'd1', 'd2']);
    assert.equal(a.totals.params, 8 * 4 + 4 + 4 * 2 + 2);
  });

  it('accepts legacy class names (Convolution2D, MaxPool2D) as their op', () => {
    const text = JSON.stringify({
      class_name: 'Sequential',
      config: [
        { class_name: 'Convolution2D', config: { name: 'c', filters: 4, kernel_size: 3, batch_input_shape: [null, 8, 8, 1] } },
        { class_name: 'MaxPool2D', config: { name: 'p' } },
      ],
    });
    const a = analyzeText(text, 'old.json');
    assert.deepEqual(a.graph.nodes.map((n) => n.op), ['Input', 'Conv2D', 'MaxPooling2D']);
    assert.deepEqual(node(a, 'p').outputShape, [1, 3, 3, 4]);
  });
});
