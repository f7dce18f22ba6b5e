import * as fc from 'fast-check';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import type { Analysis } from '../../src/core/analysis/types';
import { hoverMarkdown, inlayHints, nodeAtOffset } from '../../src/core/analysis/describe';
import { detectFormat, parseModel } from '../../src/core/formats/registry';
import { textSource } from '../../src/core/formats/source';
import { FIXTURES } from '../support/fixtures';

// The Caffe reader against the networks' own deploy files (test/fixtures/caffe, BVLC and Kaiming
// He's releases) and the figures published for them (../shared/reference/published-figures.md),
// then each input style, layer form and kind of bad input on small nets written here.

const fixture = (name: string): string => readFileSync(join(FIXTURES, 'caffe', name), 'utf8');
const analyzeCaffe = (text: string, name = 'net.prototxt'): Analysis => analyze(parseModel(text, name));
const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
const shape = (a: Analysis, id: string) => a.byId.get(id)?.outputShape;
const at = (text: string, r?: { start: number; end: number }) => (r ? text.slice(r.start, r.end) : undefined);

describe('Caffe prototxt: the published deploy files', () => {
  it('CaffeNet at 227: 60,965,224 parameters and 724,406,816 MACs, layer by layer as published (§8.1: grouped conv2/4/5, ceil pooling)', () => {
    const a = analyzeCaffe(fixture('bvlc_reference_caffenet.deploy.prototxt'), 'deploy.prototxt');
    assert.deepEqual(errors(a), []);
    assert.equal(a.graph.name, 'CaffeNet');
    assert.equal(a.totals.params, 60_965_224);
    assert.equal(a.totals.macs, 724_406_816);
    const rows = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8'].map((id) => [a.byId.get(id)!.params, a.byId.get(id)!.macs]);
    assert.deepEqual(rows, [
      [34_944, 105_415_200], [307_456, 223_948_800], [885_120, 149_520_384], [663_936, 112_140_288],
      [442_624, 74_760_192], [37_752_832, 37_748_736], [16_781_312, 16_777_216], [4_097_000, 4_096_000],
    ]);
    assert.deepEqual(shape(a, 'pool1'), [1, 96, 27, 27]);
    assert.deepEqual(shape(a, 'pool5'), [1, 256, 6, 6]);
    // The deploy file's batch of 10 is kept for the inspector; the figures are per image.
    assert.deepEqual(a.graph.nodes.find((n) => n.op === 'Input')!.sourceAttrs, { dim: [10, 3, 227, 227] });
  });

  it('BVLC AlexNet (an Input layer, LRN before pooling): the same 60,965,224 / 724,406,816', () => {
    const a = analyzeCaffe(fixture('bvlc_alexnet.deploy.prototxt'));
    assert.deepEqual(errors(a), []);
    assert.equal(a.totals.params, 60_965_224);
    assert.equal(a.totals.macs, 724_406_816);
    assert.deepEqual(shape(a, 'norm1'), [1, 96, 55, 55]);
  });

  it('GoogLeNet: the paper network’s recount, 6,998,552 parameters and 1,582,671,872 MACs (ceil pooling: 112 → 56)', () => {
    const a = analyzeCaffe(fixture('bvlc_googlenet.deploy.prototxt'));
    assert.deepEqual(errors(a), []);
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.totals.params, 6_998_552);
    assert.equal(a.totals.macs, 1_582_671_872);
    assert.deepEqual(shape(a, 'pool1/3x3_s2'), [1, 64, 56, 56]);
    assert.deepEqual(shape(a, 'inception_5b/output'), [1, 1024, 7, 7]);
    assert.deepEqual(shape(a, 'prob'), [1, 1000]);
  });

  it('VGG-16 (configuration D): 138,357,544 parameters and 15,470,264,320 MACs (torchvision’s figures)', () => {
    const a = analyzeCaffe(fixture('VGG_ILSVRC_16_layers.deploy.prototxt'));
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.graph.name, 'VGG_ILSVRC_16_layers');
    assert.equal(a.totals.params, 138_357_544);
    assert.equal(a.totals.macs, 15_470_264_320);
    assert.deepEqual(shape(a, 'pool5'), [1, 512, 7, 7]);
  });

  it('CIFAR-10 full (BVLC example): Caffe’s ceil pooling gives ip1 its 64×4×4 = 1,024 inputs (floor would give 576); LRN within channels; 89,578 params by hand', () => {
    const a = analyzeCaffe(fixture('cifar10_full.prototxt'));
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(['pool1', 'pool2', 'pool3'].map((id) => shape(a, id)), [[1, 32, 16, 16], [1, 32, 8, 8], [1, 64, 4, 4]]);
    assert.equal(a.byId.get('ip1')!.params, 10 * 1024 + 10);
    assert.equal(a.totals.params, (32 * 3 * 25 + 32) + (32 * 32 * 25 + 32) + (64 * 32 * 25 + 64) + (10 * 1024 + 10));
    assert.equal(a.graph.nodes.filter((n) => n.op === 'SpatialResponseNormalization').length, 2);
  });

  it('ResNet-50 (Kaiming He): 3,857,973,248 MACs (3.86 G, v1), 25.56 M trainable parameters (torchvision’s 25,557,032 + conv1’s bias), BN statistics apart', () => {
    const a = analyzeCaffe(fixture('ResNet-50-deploy.prototxt'));
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.totals.macs, 3_857_973_248);
    assert.equal(+(a.totals.macs / 1e9).toFixed(2), 3.86);
    // Every conv is bias-free but conv1; each BatchNorm's γ, β are its Scale layer's.
    assert.equal(a.byId.get('conv1')!.params, 64 * 3 * 7 * 7 + 64);
    assert.equal(a.totals.trainableParams, 25_557_032 + 64);
    assert.equal(+(a.totals.trainableParams / 1e6).toFixed(2), 25.56);
    const bnChannels = a.graph.nodes.filter((n) => n.op === 'BatchNormalization').reduce((s, n) => s + (a.byId.get(n.id)!.outputShape![1] as number), 0);
    assert.equal(bnChannels, 26_560);
    assert.equal(a.totals.nonTrainableParams, 2 * bnChannels);
    assert.deepEqual(shape(a, 'pool5'), [1, 2048, 1, 1]);
    // In place: res2a_relu reads the sum and the next block reads the ReLU.
    const next = a.graph.nodes.find((n) => n.id === 'res2b_branch2a')!;
    assert.equal(next.inputs[0].node, 'res2a_relu');
  });
});

describe('Caffe prototxt: every input style, layer form and bad input', () => {
  const conv = (bottom: string, extra = '') => `layer { name: "conv" type: "Convolution" bottom: "${bottom}" top: "conv" convolution_param { num_output: 8 kernel_size: 3 ${extra} } }`;

  it('reads the four input styles alike: input + input_dim, input + input_shape, an Input layer, and V1 `layers` with enum types', () => {
    const nets = [
      `input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\ninput_dim: 32\n${conv('data')}`,
      `input: "data"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 32 }\n${conv('data')}`,
      `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }\n${conv('data')}`,
      `input: "data"\ninput_dim: 1 input_dim: 3 input_dim: 32 input_dim: 32\nlayers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" convolution_param { num_output: 8 kernel_size: 3 } }`,
    ];
    for (const text of nets) {
      const a = analyzeCaffe(text);
      assert.deepEqual(a.diagnostics, [], text);
      assert.deepEqual(shape(a, 'conv'), [1, 8, 30, 30], text);
      assert.equal(a.byId.get('conv')!.params, 8 * 3 * 9 + 8, text);
    }
  });

  it('convolution forms: pad_h/pad_w, kernel_h/kernel_w, stride, dilation, group, bias_term: false; Deconvolution', () => {
    const a = analyzeCaffe(`input: "x" input_shape { dim: 1 dim: 4 dim: 20 dim: 30 }
      layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 6 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 stride: 2 group: 2 bias_term: false } }
      layer { name: "d" type: "Convolution" bottom: "c" top: "d" convolution_param { num_output: 6 kernel_size: 3 dilation: 2 pad: 2 } }
      layer { name: "up" type: "Deconvolution" bottom: "d" top: "up" convolution_param { num_output: 3 kernel_size: 4 stride: 2 pad: 1 } }`);
    assert.deepEqual(errors(a), []);
    assert.deepEqual(shape(a, 'c'), [1, 6, 10, 15]);
    assert.equal(a.byId.get('c')!.params, 6 * 2 * 3 * 5);
    assert.deepEqual(shape(a, 'd'), [1, 6, 10, 15]);
    // Caffe's deconvolution: (in − 1)·stride + kernel − 2·pad.
    assert.deepEqual(shape(a, 'up'), [1, 3, 20, 30]);
    assert.equal(a.byId.get('up')!.params, 6 * 3 * 16 + 3);
  });

  it('pooling: Caffe’s ceil rounding, minus a last window that would start in the padding; global pooling; AVE', () => {
    const a = analyzeCaffe(`input: "x" input_shape { dim: 1 dim: 2 dim: 5 dim: 112 }
      layer { name: "p" type: "Pooling" bottom: "x" top: "p" pooling_param { pool: MAX kernel_size: 2 stride: 2 pad: 1 } }
      layer { name: "q" type: "Pooling" bottom: "x" top: "q" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
      layer { name: "g" type: "Pooling" bottom: "x" top: "g" pooling_param { pool: AVE global_pooling: true } }`);
    assert.deepEqual(errors(a), []);
    // Height 5, pad 1, k 2, s 2: ceil(5/2) + 1 = 4 windows, but the 4th would start at row 6 ≥ 5 + 1: 3. Width 112: 57.
    assert.deepEqual(shape(a, 'p'), [1, 2, 3, 57]);
    // Width 112, k 3, s 2: ceil(109/2) + 1 = 56 (floor would give 55).
    assert.deepEqual(shape(a, 'q'), [1, 2, 2, 56]);
    assert.equal(a.graph.nodes.find((n) => n.id === 'q')!.op, 'AveragePooling2D');
    assert.deepEqual(shape(a, 'g'), [1, 2, 1, 1]);
  });

  it('in-place layers chain: ReLU, Dropout, BatchNorm + Scale on one blob, and the next layer reads the last of them', () => {
    const a = analyzeCaffe(`input: "x" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
      ${conv('x', 'pad: 1')}
      layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
      layer { name: "sc" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
      layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
      layer { name: "drop" type: "Dropout" bottom: "conv" top: "conv" dropout_param { dropout_ratio: 0.3 } }
      layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 10 } }
      layer { name: "fc2" type: "InnerProduct" bottom: "fc" top: "fc2" inner_product_param { num_output: 2 } }`);
    assert.deepEqual(errors(a), []);
    const inputOf = (id: string) => a.graph.nodes.find((n) => n.id === id)!.inputs.map((r) => r.node);
    assert.deepEqual([inputOf('bn'), inputOf('sc'), inputOf('relu'), inputOf('drop'), inputOf('fc/flatten'), inputOf('fc'), inputOf('fc2')], [['conv'], ['bn'], ['sc'], ['relu'], ['drop'], ['fc/flatten'], ['fc']]);
    assert.equal(a.byId.get('bn')!.nonTrainableParams, 16);
    assert.equal(a.byId.get('sc')!.trainableParams, 16);
    assert.equal(a.byId.get('fc')!.params, 8 * 8 * 8 * 10 + 10);
    assert.deepEqual(a.graph.outputs, [{ node: 'fc2', index: 0 }]);
  });

  it('keeps only the TEST phase’s layers, and ignores comments', () => {
    const a = analyzeCaffe(`# a train/test net
      input: "x" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
      layer { name: "train_only" type: "Dropout" bottom: "x" top: "x" include { phase: TRAIN } }
      layer { name: "test_only" type: "ReLU" bottom: "x" top: "x" include { phase: TEST } } # kept
      layer { name: "not_test" type: "Sigmoid" bottom: "x" top: "x" exclude { phase: TEST } }`);
    assert.deepEqual(a.graph.nodes.map((n) => n.id), ['x', 'test_only']);
  });

  it('maps Eltwise SUM / PROD / MAX (coefficients 1, −1: a difference), Concat, Split, Slice, Softmax, Flatten, Reshape, Power, PReLU, Sigmoid, TanH, LRN', () => {
    const a = analyzeCaffe(`input: "x" input_shape { dim: 1 dim: 4 dim: 6 dim: 6 }
      layer { name: "split" type: "Split" bottom: "x" top: "a" top: "b" }
      layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
      layer { name: "prod" type: "Eltwise" bottom: "a" bottom: "b" top: "prod" eltwise_param { operation: PROD } }
      layer { name: "max" type: "Eltwise" bottom: "a" bottom: "b" top: "max" eltwise_param { operation: MAX } }
      layer { name: "diff" type: "Eltwise" bottom: "a" bottom: "b" top: "diff" eltwise_param { operation: SUM coeff: 1 coeff: -1 } }
      layer { name: "cat" type: "Concat" bottom: "sum" bottom: "prod" top: "cat" }
      layer { name: "halves" type: "Slice" bottom: "cat" top: "h1" top: "h2" slice_param { axis: 1 } }
      layer { name: "lrn" type: "LRN" bottom: "h1" top: "lrn" lrn_param { local_size: 3 alpha: 0.0003 beta: 0.75 } }
      layer { name: "pw" type: "Power" bottom: "lrn" top: "pw" power_param { scale: 2 shift: 1 } }
      layer { name: "pr" type: "PReLU" bottom: "pw" top: "pr" }
      layer { name: "sg" type: "Sigmoid" bottom: "pr" top: "sg" }
      layer { name: "th" type: "TanH" bottom: "sg" top: "th" }
      layer { name: "fl" type: "Flatten" bottom: "th" top: "fl" }
      layer { name: "rs" type: "Reshape" bottom: "fl" top: "rs" reshape_param { shape { dim: 0 dim: 4 dim: -1 } } }
      layer { name: "sm" type: "Softmax" bottom: "rs" top: "sm" }`);
    assert.deepEqual(errors(a), []);
    const ops = Object.fromEntries(a.graph.nodes.map((n) => [n.id, n.op]));
    assert.deepEqual(
      ['split', 'sum', 'prod', 'max', 'diff', 'cat', 'halves', 'lrn', 'pw', 'pr', 'sg', 'th', 'fl', 'rs', 'sm'].map((id) => ops[id]),
      ['Identity', 'Add', 'Multiply', 'Maximum', 'Subtract', 'Concatenate', 'Split', 'LocalResponseNormalization', 'Rescaling', 'PReLU', 'Activation', 'Activation', 'Flatten', 'ReshapeTo', 'Softmax'],
    );
    assert.deepEqual(shape(a, 'cat'), [1, 8, 6, 6]);
    assert.deepEqual(a.byId.get('halves')!.outputShapes, [[1, 4, 6, 6], [1, 4, 6, 6]]);
    assert.equal(a.byId.get('pr')!.params, 4, 'one slope per channel');
    assert.deepEqual(shape(a, 'fl'), [1, 144]);
    assert.deepEqual(shape(a, 'rs'), [1, 4, 36]);
    assert.deepEqual(a.graph.nodes.find((n) => n.id === 'lrn')!.attrs, { depthRadius: 1, bias: 1, alpha: 0.0003 / 3, beta: 0.75, dataFormat: 'channels_first' });
    assert.deepEqual(a.graph.nodes.find((n) => n.id === 'sm')!.attrs.axis, [1]);
  });

  it('LRN within a channel (CIFAR-10 quick’s norm1): a size×size window, the same shape, its cost per element', () => {
    const a = analyzeCaffe(`input: "x" input_shape { dim: 1 dim: 32 dim: 16 dim: 16 }
      layer { name: "norm1" type: "LRN" bottom: "x" top: "norm1" lrn_param { local_size: 3 alpha: 5e-05 beta: 0.75 norm_region: WITHIN_CHANNEL } }`);
    assert.deepEqual(errors(a), []);
    const n = a.graph.nodes.find((x) => x.id === 'norm1')!;
    assert.deepEqual([n.op, n.attrs], ['SpatialResponseNormalization', { size: 3, alpha: 5e-5, beta: 0.75, bias: 1 }]);
    assert.deepEqual(shape(a, 'norm1'), [1, 32, 16, 16]);
    assert.equal(a.byId.get('norm1')!.flops, 32 * 16 * 16 * (2 * 9 + 4));
  });

  it('Slice at slice points (lengths p₀, p₁ − p₀ and the rest) and Crop to a second blob’s size (FCN), with a clear error where the crop does not fit', () => {
    const net = (offset: number) => `input: "x" input_shape { dim: 1 dim: 8 dim: 70 dim: 70 }
      input: "image" input_shape { dim: 1 dim: 3 dim: 64 dim: 64 }
      layer { name: "cut" type: "Slice" bottom: "x" top: "a" top: "b" top: "c" slice_param { axis: 1 slice_point: 1 slice_point: 3 } }
      layer { name: "score" type: "Crop" bottom: "c" bottom: "image" top: "score" crop_param { axis: 2 offset: ${offset} } }`;
    const a = analyzeCaffe(net(3));
    assert.deepEqual(errors(a), []);
    assert.deepEqual(a.byId.get('cut')!.outputShapes, [[1, 1, 70, 70], [1, 2, 70, 70], [1, 5, 70, 70]]);
    assert.deepEqual(shape(a, 'score'), [1, 5, 64, 64]);
    const bad = analyzeCaffe(net(7));
    assert.ok(bad.diagnostics.some((d) => d.severity === 'error' && /axis 2 of \(1, 5, 70, 70\) is too short for 64 from offset 7/.test(d.message)), JSON.stringify(bad.diagnostics.map((d) => d.message)));
  });

  it('an unknown layer type is opaque, with a warning at its name; shapes after it are unknown, not wrong', () => {
    const text = `input: "x" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\nlayer { name: "odd" type: "MyCustomLayer" bottom: "x" top: "y" }\n${conv('y')}`;
    const a = analyzeCaffe(text);
    const d = a.diagnostics.find((x) => x.code === 'unknown-layer')!;
    assert.match(d.message, /net\.prototxt: odd: CNN Lens does not know the Caffe layer type "MyCustomLayer"/);
    assert.equal(at(text, d.range), '"odd"');
    assert.equal(a.graph.nodes.find((n) => n.id === 'odd')!.op, 'Unknown');
    assert.equal(shape(a, 'conv'), undefined);
  });

  it('a train_val net’s data and loss layers are opaque with the reason (and where to look instead)', () => {
    const a = analyzeCaffe(`layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TEST } data_param { batch_size: 50 } }
      ${conv('data')}
      layer { name: "loss" type: "SoftmaxWithLoss" bottom: "conv" bottom: "label" top: "loss" }`);
    const messages = a.diagnostics.map((d) => d.message);
    assert.ok(messages.some((m) => /data: a Data layer reads a data set, so its output shape is not in the file; open the net's deploy\.prototxt/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /loss: SoftmaxWithLoss is a training layer/.test(m)), messages.join('\n'));
  });

  it('a syntax error is one diagnostic at the offending text; a bottom nothing produces is an error at that bottom', () => {
    const broken = 'input: "x"\nlayer { name: "c" type: "ReLU" bottom: "x" top: "x" ]';
    const s = parseModel(broken, 'net.prototxt');
    assert.equal(s.diagnostics.length, 1);
    assert.match(s.diagnostics[0].message, /^net\.prototxt: expected a field name, found "\]"/);
    assert.equal(at(broken, s.diagnostics[0].range), ']');

    const text = `input: "x" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n${conv('nothing')}`;
    const a = analyzeCaffe(text);
    const d = a.diagnostics.find((x) => x.code === 'missing-input')!;
    assert.match(d.message, /conv: bottom "nothing" of Convolution layer "conv" is produced by no layer or net input before it/);
    assert.equal(at(text, d.range), '"nothing"');
  });

  it('a solver.prototxt (no layers) says it is not a net', () => {
    const g = parseModel('net: "train_val.prototxt"\nbase_lr: 0.01\n', 'solver.prototxt');
    assert.deepEqual(g.diagnostics.map((d) => d.message), ['solver.prototxt: the file declares no layers and no inputs: it is not a Caffe net definition (a solver.prototxt names its net in `net:`)']);
  });

  it('is recognised by its content (whatever the name), and JSON is not taken for it', () => {
    assert.equal(detectFormat(textSource('net.txt', '# deploy\nname: "n"\nlayer {\n}\n'))?.id, 'caffe');
    assert.equal(detectFormat(textSource('net.txt', 'input: "data"\n'))?.id, 'caffe');
    assert.notEqual(detectFormat(textSource('model.json', '{"layer": {"input": 1}}'))?.id, 'caffe');
    assert.equal(detectFormat(textSource('empty.prototxt', ''))?.id, 'caffe', 'by its name when the content says nothing');
  });

  it('gives every layer its range and name range in the text (hovers, inlay shapes)', () => {
    const text = fixture('bvlc_reference_caffenet.deploy.prototxt');
    const g = parseModel(text, 'deploy.prototxt');
    const conv2 = g.nodes.find((n) => n.id === 'conv2')!;
    assert.equal(at(text, conv2.nameRange), '"conv2"');
    assert.match(at(text, conv2.range)!, /^layer \{\n  name: "conv2"[\s\S]*group: 2\n  \}\n\}$/);
  });
});

describe('Caffe prototxt in the text editor: the JSON models\' hovers and inlay shapes, from the kept ranges', () => {
  const text = fixture('bvlc_reference_caffenet.deploy.prototxt');
  const a = analyzeCaffe(text, 'deploy.prototxt');

  it('the layer under the cursor is the layer whose text it is (fc6, not the Flatten CNN Lens adds before it)', () => {
    assert.equal(nodeAtOffset(a, text.indexOf('group: 2'))?.id, 'conv2');
    assert.equal(nodeAtOffset(a, text.indexOf('num_output: 4096'))?.id, 'fc6');
    assert.match(hoverMarkdown(a, 'conv2'), /\| output \| `1×256×27×27` \|/);
  });

  it('an inlay shape after each layer’s closing brace', () => {
    const hints = inlayHints(a);
    const conv1 = a.graph.nodes.find((n) => n.id === 'conv1')!;
    const hint = hints.find((h) => h.offset === conv1.range!.end)!;
    assert.equal(text[hint.offset - 1], '}');
    assert.equal(hint.label, ' → 1×96×55×55');
    assert.equal(hints.length, a.graph.nodes.filter((n) => n.range).length);
  });
});

describe('Caffe prototxt: untrusted text never throws', () => {
  it('any mutilation of a real deploy file (cut, spliced, characters changed) gives a graph and diagnostics, never an exception', () => {
    const base = fixture('bvlc_googlenet.deploy.prototxt').slice(0, 6000);
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 12 }), (from, to, insert) => {
        const [a, b] = from <= to ? [from, to] : [to, from];
        const text = base.slice(0, a) + insert + base.slice(b);
        const analysis = analyzeCaffe(text);
        for (const d of analysis.diagnostics) if (d.range) assert.ok(d.range.start >= 0 && d.range.end <= text.length && d.range.start <= d.range.end, `range ${JSON.stringify(d.range)} inside the text`);
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
