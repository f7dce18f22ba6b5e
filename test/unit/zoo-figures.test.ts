import { strict as assert } from 'node:assert';
import type { Analysis } from '../../src/core';
import { analyzeText } from '../../src/core';
import { mobilenetV1 } from '../../scripts/zoo/mobilenet';
import { analyzeModel } from '../support/fixtures';

// Every zoo model against the published figures in ../shared/reference/published-figures.md
// (cited by section): exact integers where a source gives one for the same architecture, MACs
// within 1% of the exact recounts and within 5% of the papers' rounded figures.

const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${what}: ${actual.toLocaleString('en-US')} is not within ${tolerance * 100}% of ${expected.toLocaleString('en-US')}`);

/** Per-layer [params, MACs] of the weighted layers (convolutions and dense), in graph order. */
const weighted = (a: Analysis): [string, number, number][] =>
  a.graph.nodes.filter((n) => /Conv|Dense/.test(n.op)).map((n) => [n.id, a.byId.get(n.id)!.params, a.byId.get(n.id)!.macs]);

const noErrors = (a: Analysis) => assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'info'), [], `${a.graph.name} has diagnostics`);

describe('zoo models against the published figures', () => {
  it('AlexNet, BVLC Caffe reference at 227×227 (§1, §8.1): 60,965,224 params, 724,406,816 MACs, layer by layer', () => {
    const a = analyzeModel('alexnet.json');
    noErrors(a);
    assert.equal(a.totals.params, 60_965_224);
    assert.equal(a.totals.macs, 724_406_816);
    const expected = [
      [34_944, 105_415_200], [307_456, 223_948_800], [885_120, 149_520_384], [663_936, 112_140_288],
      [442_624, 74_760_192], [37_752_832, 37_748_736], [16_781_312, 16_777_216], [4_097_000, 4_096_000],
    ];
    assert.deepEqual(weighted(a).map(([, p, m]) => [p, m]), expected);
    assert.ok(a.graph.nodes.filter((n) => n.op === 'LocalResponseNormalization').length === 2, 'two LRN layers');
    assert.equal(a.graph.nodes.filter((n) => n.op === 'Conv2D' && n.attrs.groups === 2).length, 3, 'conv2, conv4, conv5 are grouped');
    within(a.totals.params, 60e6, 0.05, 'paper: 60 million parameters');
    within(a.totals.macs, 720e6, 0.05, 'MobileNet Table 9: 720 M mult-adds');
  });

  it('VGG-16 (§2, §8.3): 138,357,544 params, 15,470,264,320 MACs', () => {
    const a = analyzeModel('vgg16.json');
    noErrors(a);
    assert.equal(a.totals.params, 138_357_544);
    assert.equal(a.totals.macs, 15_470_264_320);
    const layers = weighted(a);
    assert.deepEqual(layers[0].slice(1), [1_792, 86_704_128], 'conv1_1');
    assert.deepEqual(layers[1].slice(1), [36_928, 1_849_688_064], 'conv1_2');
    assert.deepEqual(layers[13].slice(1), [102_764_544, 102_760_448], 'fc6');
    within(a.totals.macs, 15.3e9, 0.05, 'ResNet paper: 15.3 G FLOPs (multiply-adds)');
  });

  it('VGG-19 (§2): 143,667,240 params, 19,632,062,464 MACs', () => {
    const a = analyzeModel('vgg19.json');
    noErrors(a);
    assert.equal(a.totals.params, 143_667_240);
    assert.equal(a.totals.macs, 19_632_062_464);
    within(a.totals.macs, 19.6e9, 0.05, 'ResNet paper: 19.6 G');
  });

  it('GoogLeNet, the paper’s Table 1 topology (§3, D5): recount 1,582,671,872 MACs; weights 6,990,272 + 8,280 biases', () => {
    const a = analyzeModel('googlenet.json');
    noErrors(a);
    assert.equal(a.totals.macs, 1_582_671_872);
    // Biases: one per filter of every conv and of the classifier (Table 1's #1×1 … pool proj columns, 64 + 64 + 192 stem, 1000 FC).
    assert.equal(a.totals.params, 6_990_272 + 8_280);
    within(a.totals.params, 6.8e6, 0.05, 'paper / MobileNet Table 8: 6.8 M');
    within(a.totals.macs, 1.55e9, 0.05, 'MobileNet Table 8: 1550 M mult-adds');
    assert.equal(a.graph.nodes.filter((n) => n.op === 'Concatenate').length, 9, 'nine inception modules');
  });

  it('ResNet-18, torchvision layout (§4): 11,689,512 trainable, 1,814,073,344 MACs', () => {
    const a = analyzeModel('resnet18.json');
    noErrors(a);
    assert.equal(a.totals.trainableParams, 11_689_512);
    assert.equal(a.totals.macs, 1_814_073_344);
    within(a.totals.macs, 1.8e9, 0.05, 'paper Table 1: 1.8×10⁹');
  });

  it('ResNet-50 as Keras builds it (§4, D4): 25,636,712 params (25,583,592 trainable), 3,857,973,248 MACs', () => {
    const a = analyzeModel('resnet50.json');
    noErrors(a);
    assert.equal(a.totals.params, 25_636_712);
    assert.equal(a.totals.trainableParams, 25_583_592);
    assert.equal(a.totals.macs, 3_857_973_248);
    within(a.totals.macs, 3.8e9, 0.05, 'paper Table 1: 3.8×10⁹');
    assert.deepEqual(a.byId.get(a.graph.outputs[0].node)!.outputShape, [1, 1000]);
  });

  it('ResNet-152 as Keras builds it (§4): 60,419,944 params (60,268,520 trainable), 11,282,415,616 MACs', () => {
    const a = analyzeModel('resnet152.json');
    noErrors(a);
    assert.equal(a.totals.params, 60_419_944);
    assert.equal(a.totals.trainableParams, 60_268_520);
    assert.equal(a.totals.macs, 11_282_415_616);
    within(a.totals.macs, 11.3e9, 0.05, 'paper Table 1: 11.3×10⁹');
  });

  it('MobileNet v1 1.0-224 (§5): 4,253,864 params (Keras), 568,740,352 MACs; Table 1 rows', () => {
    const a = analyzeModel('mobilenet_v1.json');
    noErrors(a);
    assert.equal(a.totals.params, 4_253_864);
    assert.equal(a.totals.macs, 568_740_352);
    within(a.totals.macs, 569e6, 0.05, 'paper: 569 M');
    const macs = weighted(a).map(([, , m]) => m);
    // §8.4 rows 1–5: conv s2, dw, pw, dw s2, pw.
    assert.deepEqual(macs.slice(0, 5), [10_838_016, 3_612_672, 25_690_112, 1_806_336, 25_690_112]);
    assert.equal(macs[macs.length - 1], 1_024_000, 'the classifier (conv_preds)');
  });

  it('MobileNet v1 resolution multiplier ρ (§5b, Table 7) from the same file with an input-shape override', () => {
    const grid: [number, number][] = [[192, 418_121_728], [160, 290_675_200], [128, 186_400_768]];
    for (const [size, expected] of grid) {
      const a = analyzeModel('mobilenet_v1.json', { inputShape: [1, size, size, 3] });
      noErrors(a);
      assert.equal(a.totals.macs, expected, `1.0 MobileNet-${size}`);
      assert.equal(a.totals.params, 4_253_864, 'parameters do not depend on the resolution');
    }
  });

  it('MobileNet v1 width multiplier α (§5a Keras params, §5b / Table 6 MACs) built by the zoo generator', () => {
    const grid: [number, number, number, number][] = [
      [0.75, 224, 2_601_976, 325_400_448],
      [0.5, 160, 1_342_536, 76_524_800],
      [0.25, 224, 475_544, 41_030_272],
    ];
    for (const [alpha, rows, params, macs] of grid) {
      const a = analyzeText(JSON.stringify(mobilenetV1(alpha, rows)), `mobilenet_${alpha}_${rows}.json`);
      noErrors(a);
      assert.equal(a.totals.params, params, `α=${alpha} params`);
      assert.equal(a.totals.macs, macs, `α=${alpha} at ${rows} MACs`);
    }
  });

  it('MobileNet v2 (§6): 3,538,984 params (3,504,872 trainable), ~300.8 M MACs', () => {
    const a = analyzeModel('mobilenet_v2.json');
    noErrors(a);
    assert.equal(a.totals.params, 3_538_984);
    assert.equal(a.totals.trainableParams, 3_504_872);
    within(a.totals.macs, 300_774_272, 0.01, 'recount');
    within(a.totals.macs, 300e6, 0.05, 'paper Table 4: 300 M');
  });

  it('Johnson et al. transform network (§7, §8.7): 1,679,235 trainable params, 10,938,507,264 MACs at 256²', () => {
    const a = analyzeModel('johnson_transform_net.json');
    noErrors(a);
    assert.equal(a.totals.trainableParams, 1_679_235);
    assert.equal(a.totals.macs, 10_938_507_264);
    assert.deepEqual(a.byId.get(a.graph.outputs[0].node)!.outputShape, [1, 256, 256, 3], 'same size out as in');
  });
});
