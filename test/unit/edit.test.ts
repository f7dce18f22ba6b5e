import { strict as assert } from 'node:assert';
import { analyze, analyzeText, type Analysis } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { planEdit } from '../../src/core/edit/plan';
import { applyTextEdits, EditError, type ModelEdit, type TextEdit } from '../../src/core/edit/types';
import { readFixture, readModel } from '../support/fixtures';
import { onnxModel } from '../support/onnx-build';
import { assertMatchesTfjs } from '../support/tfjs-oracle';

// Every edit kind on Keras Sequential and Functional JSON: the result parses, tfjs-layers builds
// it, our analysis equals tfjs-layers' parameters and shapes, and the text outside the edited
// spans is byte-identical (only the changed span is rewritten).

/** Applies an edit and checks the invariants; returns the new text and analysis. */
async function edit(text: string, file: string, e: ModelEdit, { oracle = true, maxChanged = 2000 } = {}) {
  const planned = planEdit(text, file, e);
  const after = applyTextEdits(text, planned.edits);
  assert.equal(after, planned.text);
  JSON.parse(after);
  // Outside the edits, nothing moved: the new text is the old one with just these spans replaced.
  const sorted = [...planned.edits].sort((a, b) => a.offset - b.offset);
  let cursor = 0;
  let rebuilt = '';
  for (const x of sorted) {
    assert.ok(x.offset >= cursor, 'edits do not overlap');
    rebuilt += text.slice(cursor, x.offset) + x.content;
    cursor = x.offset + x.length;
  }
  assert.equal(rebuilt + text.slice(cursor), after);
  const changed = sorted.reduce((s, x) => s + x.length + x.content.length, 0);
  assert.ok(changed < maxChanged, `the edit rewrites ${changed} characters: only the changed span should be`);
  const analysis = analyzeText(after, file);
  if (oracle) await assertMatchesTfjs(file, after, analysis);
  return { text: after, analysis, planned };
}

describe('editing the model text', () => {
  const vgg = readModel('vgg16.json');
  const resnet = readModel('resnet18.json');
  const seq = readFixture('assorted.json');

  it('setAttribute: VGG-16 block1_conv1 filters 64 → 32 drops the totals by the exact amount', async () => {
    const before = analyzeText(vgg, 'vgg16.json');
    const { analysis, planned } = await edit(vgg, 'vgg16.json', { kind: 'setAttribute', layer: 'block1_conv1', attr: 'filters', value: 32 });
    assert.equal(planned.edits.length, 1);
    assert.equal(planned.edits[0].content, '32');
    // conv1_1 loses 32·(27+1) params; conv1_2 loses 32·9·64 weights.
    assert.equal(before.totals.params - analysis.totals.params, 32 * 28 + 32 * 9 * 64);
    assert.deepEqual(analysis.byId.get('block1_conv1')!.outputShape, [1, 224, 224, 32]);
  });

  it('setAttribute on a Sequential model and with enum/tuple values; adds a key the file did not write', async () => {
    await edit(seq, 'assorted.json', { kind: 'setAttribute', layer: 'conv_rect', attr: 'kernelSize', value: [3, 3] }, { oracle: false });
    await edit(seq, 'assorted.json', { kind: 'setAttribute', layer: 'conv_rect', attr: 'filters', value: 6 });
    await edit(seq, 'assorted.json', { kind: 'setAttribute', layer: 'conv_dilated', attr: 'activation', value: 'relu6' });
    const { analysis } = await edit(seq, 'assorted.json', { kind: 'setAttribute', layer: 'head', attr: 'useBias', value: true });
    assert.equal(analysis.byId.get('head')!.params, 1443 * 3 * 6 + 6);
  });

  it('insertLayer after and before, on Functional and Sequential models, with consumers reconnected', async () => {
    const after = await edit(resnet, 'resnet18.json', { kind: 'insertLayer', anchor: 'conv1_conv', position: 'after', op: 'BatchNormalization', attrs: { axis: [3] } });
    const inserted = after.analysis.graph.nodes.find((n) => n.id === after.planned.focus)!;
    assert.equal(inserted.op, 'BatchNormalization');
    assert.deepEqual(inserted.inputs.map((r) => r.node), ['conv1_conv']);
    assert.deepEqual(after.analysis.graph.nodes.find((n) => n.id === 'conv1_bn')!.inputs.map((r) => r.node), [inserted.id], 'the old consumer reads the new layer');
    await edit(resnet, 'resnet18.json', { kind: 'insertLayer', anchor: 'pool1_pool', position: 'before', op: 'ReLU' });
    const s = await edit(seq, 'assorted.json', { kind: 'insertLayer', anchor: 'leaky', position: 'after', op: 'Dropout', name: 'extra_dropout', attrs: { rate: 0.1 } });
    assert.equal(s.analysis.graph.nodes[4].id, 'extra_dropout');
  });

  it('deleteLayer reconnects consumers to its input; breaking an Add is allowed and reported', async () => {
    const d = await edit(resnet, 'resnet18.json', { kind: 'deleteLayer', layer: 'conv2_block1_1_relu' });
    assert.ok(!d.analysis.byId.has('conv2_block1_1_relu'));
    assert.deepEqual(d.analysis.graph.nodes.find((n) => n.id === 'conv2_block1_2_conv')!.inputs.map((r) => r.node), ['conv2_block1_1_bn']);
    // Deleting the projection shortcut's conv of a downsampling block breaks the Add downstream.
    const broken = planEdit(resnet, 'resnet18.json', { kind: 'deleteLayer', layer: 'conv3_block1_0_conv' });
    assert.ok(broken.newProblems.some((p) => p.node === 'conv3_block1_0_bn' || p.node === 'conv3_block1_add'), broken.newProblems.map((p) => p.message).join('\n'));
    await edit(seq, 'assorted.json', { kind: 'deleteLayer', layer: 'elu' });
  });

  it('renameLayer: every reference follows', async () => {
    const r = await edit(resnet, 'resnet18.json', { kind: 'renameLayer', layer: 'conv2_block1_add', newName: 'first_residual' });
    assert.equal(r.planned.focus, 'first_residual');
    assert.deepEqual(r.analysis.graph.nodes.find((n) => n.id === 'conv2_block1_out')!.inputs.map((x) => x.node), ['first_residual']);
    assert.ok(!r.text.includes('"conv2_block1_add"'));
  });

  it('duplicateLayer inserts a copy after it', async () => {
    const d = await edit(resnet, 'resnet18.json', { kind: 'duplicateLayer', layer: 'conv1_relu' });
    assert.equal(d.planned.focus, 'conv1_relu_copy');
    assert.equal(d.analysis.graph.nodes.find((n) => n.id === 'conv1_relu_copy')!.op, 'Activation');
  });

  it('connect: rewire an input, and add an input to an Add', async () => {
    const text = readFixture('multi_io.json');
    const rewired = await edit(text, 'multi_io.json', { kind: 'connect', layer: 'sum', input: 1, from: 'shared_dense@2'.replace('@2', '') });
    assert.deepEqual(rewired.analysis.graph.nodes.find((n) => n.id === 'sum')!.inputs.map((x) => x.node), ['gate', 'shared_dense']);
    const added = await edit(text, 'multi_io.json', { kind: 'connect', layer: 'sum', input: 2, from: 'meta_proj' });
    assert.equal(added.analysis.graph.nodes.find((n) => n.id === 'sum')!.inputs.length, 3);
  });

  it('setInputShape: the resolution of any model', async () => {
    const m = await edit(readModel('mobilenet_v1.json'), 'mobilenet_v1.json', { kind: 'setInputShape', shape: [1, 160, 160, 3] });
    assert.equal(m.analysis.totals.macs, 290_675_200);
  });

  it('Keras 3 files: rename and insert keep the Keras 3 form', async () => {
    const k3 = readFixture('keras3_functional.json');
    const r = await edit(k3, 'k3.json', { kind: 'renameLayer', layer: 'stem_bn', newName: 'bn0' }, { oracle: false });
    assert.deepEqual(r.analysis.graph.nodes.find((n) => n.id === 'residual')!.inputs.map((x) => x.node), ['bn0', 'block_conv']);
    const i = await edit(k3, 'k3.json', { kind: 'insertLayer', anchor: 'leaky', position: 'after', op: 'Dropout', attrs: { rate: 0.2 } }, { oracle: false });
    assert.match(i.text, /"keras_history": \[\s*"leaky"/);
    assert.deepEqual(i.analysis.diagnostics, []);
  });

  it('invalid edits are refused with a message and change nothing', () => {
    const refused = (e: ModelEdit, pattern: RegExp) => assert.throws(() => planEdit(vgg, 'vgg16.json', e), (err: Error) => err instanceof EditError && pattern.test(err.message));
    refused({ kind: 'setAttribute', layer: 'block1_conv1', attr: 'filters', value: -4 }, /filters must be positive, got -4/);
    assert.throws(() => planEdit(seq, 'assorted.json', { kind: 'setAttribute', layer: 'conv_rect', attr: 'kernelSize', value: 99 }), /window 99×99 .* does not fit the input/);
    refused({ kind: 'setAttribute', layer: 'block1_conv1', attr: 'kernelSize', value: 'big' }, /kernelSize: expected an integer or a pair/);
    refused({ kind: 'setAttribute', layer: 'block1_conv1', attr: 'units', value: 3 }, /Conv2D layers have no attribute "units"/);
    // The op table speaks ONNX too; a Keras file gets only what Keras can say.
    refused({ kind: 'setAttribute', layer: 'block1_conv1', attr: 'padding', value: 'same_lower' }, /padding: expected one of valid, same, got "same_lower"/);
    refused({ kind: 'setAttribute', layer: 'block1_conv1', attr: 'pads', value: [1, 1, 2, 2] }, /Conv2D layers have no attribute "pads" in a keras2-json model/);
    refused({ kind: 'insertLayer', anchor: 'fc1', position: 'after', op: 'Gemm' }, /"Gemm" is not a layer kind CNN Lens can write into a keras2-json model/);
    refused({ kind: 'renameLayer', layer: 'block1_conv1', newName: 'block1_conv2' }, /already exists/);
    refused({ kind: 'deleteLayer', layer: 'input_1' }, /model input/);
    refused({ kind: 'insertLayer', anchor: 'fc1', position: 'after', op: 'Sparkle' }, /not a layer kind/);
    const onnx = analyze(parseSource(bytesSource('tiny.onnx', onnxModel({ nodes: [{ name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['y'] }], outputs: ['y'] }))));
    assert.throws(() => planEdit('', 'tiny.onnx', { kind: 'deleteLayer', layer: 'relu' }, onnx), /tiny\.onnx: CNN Lens shows onnx models read-only/);
    assert.throws(() => planEdit(resnet, 'resnet18.json', { kind: 'connect', layer: 'conv1_conv', input: 0, from: 'conv1_relu' }), /cycle/);
    assert.throws(() => planEdit(resnet, 'resnet18.json', { kind: 'connect', layer: 'conv2_block2_add', input: 1, from: 'conv1_conv' }), /conv2_block2_add \(Add\): .*differ at axis 1 \(56 vs 112\)/);
  });
});

/** The edits that undo `edits` (planned on `text`), on the text they produce: what VS Code's undo applies. */
function inverse(text: string, edits: readonly TextEdit[]): TextEdit[] {
  let shift = 0;
  return [...edits].sort((a, b) => a.offset - b.offset).map((e) => {
    const undo = { offset: e.offset + shift, length: e.content.length, content: text.slice(e.offset, e.offset + e.length) };
    shift += e.content.length - e.length;
    return undo;
  });
}

const inputsOf = (a: Analysis, id: string): string[] => a.graph.nodes.find((n) => n.id === id)!.inputs.map((r) => r.node);

describe('duplicating a whole block', () => {
  const resnet = readModel('resnet50.json');

  it('ResNet-50 conv2_block2: a copy named conv2_block4 after it, rewired, params up by exactly the block’s own; undo restores', async () => {
    const before = analyzeText(resnet, 'resnet50.json');
    const members = before.graph.nodes.filter((n) => n.layer.startsWith('conv2_block2_'));
    assert.equal(members.length, 10);
    const own = members.reduce((s, n) => s + before.byId.get(n.id)!.params, 0);
    assert.equal(own, 71_552, 'a 256→64→64→256 bottleneck: 16,448 + 36,928 + 16,640 in convolutions, 4 × (64 + 64 + 256) in BNs');
    const d = await edit(resnet, 'resnet50.json', { kind: 'duplicateBlock', block: 'conv2_block2' }, { maxChanged: 12_000 });
    assert.equal(d.analysis.totals.params - before.totals.params, own);
    assert.equal(d.planned.focus, 'conv2_block4_out');
    assert.deepEqual(d.analysis.diagnostics.filter((x) => x.severity === 'error'), []);
    // The copy reads the block's output; the block's former readers read the copy's.
    assert.deepEqual(inputsOf(d.analysis, 'conv2_block4_1_conv'), ['conv2_block2_out']);
    assert.deepEqual(inputsOf(d.analysis, 'conv2_block4_add'), ['conv2_block2_out', 'conv2_block4_3_bn']);
    assert.deepEqual(inputsOf(d.analysis, 'conv2_block3_1_conv'), ['conv2_block4_out']);
    assert.deepEqual(inputsOf(d.analysis, 'conv2_block3_add'), ['conv2_block4_out', 'conv2_block3_3_bn']);
    // Layer for layer the same as the original, right after it in the file.
    const order = d.analysis.graph.nodes.map((n) => n.id);
    assert.equal(order.indexOf('conv2_block4_1_conv'), order.indexOf('conv2_block2_out') + 1);
    for (const n of members) {
      const copy = n.id.replace('conv2_block2_', 'conv2_block4_');
      assert.equal(d.analysis.byId.get(copy)!.params, before.byId.get(n.id)!.params, copy);
      assert.deepEqual(d.analysis.byId.get(copy)!.outputShape, before.byId.get(n.id)!.outputShape, copy);
    }
    // The copies are the original objects' text, renamed: the file's own formatting (one-line initialisers).
    assert.match(d.text, /"name": "conv2_block4_1_conv",\n {10}"trainable": true,/);
    assert.match(d.text, /"kernel_initializer": \{"module": "keras.initializers", "class_name": "GlorotUniform"/);
    // Undo: the inverse edits give the exact original text back.
    assert.equal(applyTextEdits(d.text, inverse(resnet, d.planned.edits)), resnet);
    // The copy is a block of its own: duplicating again continues the numbering.
    assert.equal(planEdit(d.text, 'resnet50.json', { kind: 'duplicateBlock', block: 'conv2_block4' }).focus, 'conv2_block5_out');
  });

  it('a projection block (ResNet-50 conv3_block1) is refused with the reason, the file untouched', () => {
    assert.throws(
      () => planEdit(resnet, 'resnet50.json', { kind: 'duplicateBlock', block: 'conv3_block1' }),
      (e: Error) => e instanceof EditError && e.message.startsWith('conv3_block1 cannot be duplicated: it turns 1×56×56×256 into 1×28×28×512 (it downsamples (56×56 → 28×28) and changes the channels (256 → 512)), so a copy after it would not fit; only a block whose output shape equals its input shape (an identity block) can be repeated'),
    );
    assert.throws(() => planEdit(resnet, 'resnet50.json', { kind: 'duplicateBlock', block: 'conv9_block1' }), /there is no block "conv9_block1" in the model/);
  });

  it('GoogLeNet: inception_3a widens 192 → 256 channels and is refused; inception_4b (512 → 512) becomes inception_4f', async () => {
    const googlenet = readModel('googlenet.json');
    assert.throws(
      () => planEdit(googlenet, 'googlenet.json', { kind: 'duplicateBlock', block: 'inception_3a' }),
      /^Error: inception_3a cannot be duplicated: it turns 1×28×28×192 into 1×28×28×256 \(it changes the channels \(192 → 256\)\)/,
    );
    const before = analyzeText(googlenet, 'googlenet.json');
    const own = before.graph.nodes.filter((n) => n.layer.startsWith('inception_4b_')).reduce((s, n) => s + before.byId.get(n.id)!.params, 0);
    const d = await edit(googlenet, 'googlenet.json', { kind: 'duplicateBlock', block: 'inception_4b' }, { maxChanged: 12_000 });
    assert.equal(d.planned.focus, 'inception_4f_concat');
    assert.equal(d.analysis.totals.params - before.totals.params, own);
    assert.deepEqual(inputsOf(d.analysis, 'inception_4c_1x1'), ['inception_4f_concat']);
  });

  it('MobileNet v1 by its display name "block 3": conv_dw_3 … conv_pw_3_relu copied as block 14', async () => {
    const text = readModel('mobilenet_v1.json');
    const d = await edit(text, 'mobilenet_v1.json', { kind: 'duplicateBlock', block: 'block 3' }, { maxChanged: 12_000 });
    assert.equal(d.planned.focus, 'conv_pw_14_relu');
    assert.deepEqual(inputsOf(d.analysis, 'conv_dw_14'), ['conv_pw_3_relu']);
    assert.deepEqual(inputsOf(d.analysis, 'conv_pad_4'), ['conv_pw_14_relu']);
  });

  it('Keras 3: the copy’s keras_history references are renamed and fed from the block’s output', async () => {
    // The fixture's residual block, named as a block: block1_conv, block1_add, block1_relu.
    const k3 = readFixture('keras3_functional.json').replace(/"block_conv"/g, '"block1_conv"').replace(/"residual"/g, '"block1_add"').replace(/"leaky"/g, '"block1_relu"');
    const d = await edit(k3, 'k3.json', { kind: 'duplicateBlock', block: 'block1' }, { oracle: false, maxChanged: 12_000 });
    assert.equal(d.planned.focus, 'block2_relu');
    assert.deepEqual(inputsOf(d.analysis, 'block2_conv'), ['block1_relu']);
    assert.deepEqual(inputsOf(d.analysis, 'block2_add'), ['block1_relu', 'block2_conv']);
    assert.deepEqual(inputsOf(d.analysis, 'gap'), ['block2_relu']);
    assert.deepEqual(d.analysis.diagnostics, []);
    assert.equal(applyTextEdits(d.text, inverse(k3, d.planned.edits)), k3);
  });

  it('Sequential: the copied layers are inserted after the block, the input shape not copied', async () => {
    const layer = (cls: string, config: object) => ({ class_name: cls, config: { trainable: true, dtype: 'float32', ...config } });
    const conv = (name: string, extra: object = {}) => layer('Conv2D', { name, filters: 8, kernel_size: [3, 3], padding: 'same', activation: 'linear', use_bias: true, ...extra });
    const seq = `${JSON.stringify({
      class_name: 'Sequential',
      config: {
        name: 'tiny',
        layers: [
          conv('block1_conv1', { batch_input_shape: [null, 16, 16, 8] }),
          layer('BatchNormalization', { name: 'block1_bn', axis: -1 }),
          layer('ReLU', { name: 'block1_relu' }),
          conv('block2_conv1'),
          layer('ReLU', { name: 'block2_relu' }),
          layer('GlobalAveragePooling2D', { name: 'gap' }),
          layer('Dense', { name: 'head', units: 3, activation: 'softmax', use_bias: true }),
        ],
      },
    }, null, 2)}\n`;
    const before = analyzeText(seq, 'tiny.json');
    const d = await edit(seq, 'tiny.json', { kind: 'duplicateBlock', block: 'block1' }, { maxChanged: 12_000 });
    assert.deepEqual(d.analysis.graph.nodes.map((n) => n.id).slice(1, 7), ['block1_conv1', 'block1_bn', 'block1_relu', 'block3_conv1', 'block3_bn', 'block3_relu']);
    assert.equal(d.analysis.totals.params - before.totals.params, 8 * 9 * 8 + 8 + 4 * 8);
    assert.equal((d.text.match(/batch_input_shape/g) ?? []).length, 1);
    assert.equal(applyTextEdits(d.text, inverse(seq, d.planned.edits)), seq);
  });
});

describe('whole-model knobs', () => {
  it('scaleWidth reproduces Keras MobileNet α = 0.5 and 0.25 from the α = 1 file (§5a params, §5b MACs)', async () => {
    const text = readModel('mobilenet_v1.json');
    const half = await edit(text, 'mobilenet_v1.json', { kind: 'scaleWidth', factor: 0.5 }, { oracle: false });
    assert.equal(half.analysis.totals.params, 1_342_536);
    assert.equal(half.analysis.totals.macs, 149_497_088);
    const quarter = await edit(text, 'mobilenet_v1.json', { kind: 'scaleWidth', factor: 0.25 });
    assert.equal(quarter.analysis.totals.params, 475_544);
    assert.throws(() => planEdit(text, 'mobilenet_v1.json', { kind: 'scaleWidth', factor: 0 }), /width multiplier must be in \(0, 16\]/);
  });
});
