import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import type { Analysis } from '../../src/core/analysis/types';
import { parseModel, parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { openModelFile } from '../../src/cli/files';
import { MODELS } from '../support/fixtures';
import { ensureOnnxFixtures, fixtureSource, readTruth } from '../support/onnx-fixtures';
import { tfliteSource } from '../support/tflite-fixtures';
import { graphFixturePath, graphFixtures } from '../support/tfjs-graph-fixtures';

// The conformance table: the same network in two formats, one row each. Where the architectures
// are equal, the parameters and MACs are equal (layer by layer where both have the same layers);
// where they differ, the row asserts the exact difference, computed from the architectures.
//
//   Keras side: the zoo's Keras 2 JSON (models/, figures in models/README.md).
//   ONNX side:  torchvision 0.14 models exported by torch 1.13 (scripts/onnx/export_fixtures.py).
//
// Two systematic differences, both from how the files are written, not from CNN Lens:
//   BN folded  torch's exporter, in eval mode, folds each BatchNormalization into the convolution
//              before it: the ONNX file has no BN and every such conv has a bias. A Keras BN of C
//              channels holds 4C parameters (γ, β trainable; moving mean and variance not); after
//              folding they are gone and a conv without a bias gains C. So for each BN of C channels,
//              ONNX = Keras − 4C (conv already had a bias: Keras ResNet-50) or − 3C (it had none:
//              ResNet-18 and MobileNetV2 in the zoo, like torchvision).
//   v1 / v1.5  Keras ResNet-50 is v1 (stride 2 on the first 1×1 of stages 3-5); torchvision's is
//              v1.5 (stride 2 on the 3×3). The 3×3 runs at the same output grid in both; the 1×1
//              runs on the full H×W grid in v1.5 instead of H/2×W/2, i.e. 4× its v1 MACs: +3× each.
// References: ../shared/reference/published-figures.md (§2 VGG, §4 and D4/D6 ResNet, §6 MobileNetV2,
// §1/§8.1/§8.2 and D2 AlexNet, §3 and D5 GoogLeNet) and models/README.md.

const fmt = (n: number) => n.toLocaleString('en-US');

const keras = (file: string): Analysis => analyze(parseModel(readFileSync(join(MODELS, file), 'utf8'), file));
const onnx = (name: string): Analysis => analyze(parseSource(fixtureSource(readTruth(name).file)));

/** [params, MACs] of the nodes that do multiply-accumulates (convs, dense / Gemm), in graph order. */
const weighted = (a: Analysis): [number, number][] => a.nodes.filter((n) => n.macs > 0).map((n) => [n.params, n.macs]);

const sorted = (rows: number[][]): number[][] => [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

/** Σ channels of the Keras model's BatchNormalization layers (NHWC: the last axis). */
function bnChannels(a: Analysis): number {
  const bns = a.graph.nodes.filter((n) => n.op === 'BatchNormalization');
  assert.ok(bns.length > 0, `${a.graph.name} has BatchNormalization layers`);
  return bns.reduce((s, n) => {
    const shape = a.byId.get(n.id)!.outputShape!;
    return s + (shape[shape.length - 1] as number);
  }, 0);
}

const noErrors = (a: Analysis) => assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).slice(0, 5), [], `${a.graph.name}: errors`);

describe('conformance: the same network in two formats', function () {
  before(function () {
    this.timeout(45 * 60_000); // generates the ONNX fixtures when the cache is missing or stale
    ensureOnnxFixtures();
  });

  it('VGG-16: Keras models/vgg16.json = torchvision vgg16 (ONNX): 138,357,544 params and 15,470,264,320 MACs, layer by layer', function () {
    this.timeout(120_000);
    // Same architecture (configuration D, 13 convs 3×3 with bias, no BN, 3 dense): nothing to fold.
    const k = keras('vgg16.json');
    const o = onnx('vgg16');
    noErrors(k);
    noErrors(o);
    assert.equal(o.totals.params, k.totals.params, `params: ONNX ${fmt(o.totals.params)}, Keras ${fmt(k.totals.params)}`);
    assert.equal(o.totals.macs, k.totals.macs, `MACs: ONNX ${fmt(o.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
    assert.equal(k.totals.params, 138_357_544);
    assert.equal(k.totals.macs, 15_470_264_320);
    assert.deepEqual(weighted(o), weighted(k), 'the 16 weighted layers, [params, MACs] in order');
  });

  it('ResNet-18: Keras models/resnet18.json (torchvision’s in Keras layers) vs torchvision resnet18 (ONNX): MACs equal; params differ by exactly 3 × Σ BN channels (BN folded into bias-less convs)', function () {
    this.timeout(120_000);
    const k = keras('resnet18.json');
    const o = onnx('resnet18');
    noErrors(k);
    noErrors(o);
    const c = bnChannels(k);
    assert.equal(c, 4_800, 'Σ BN channels of ResNet-18');
    assert.equal(o.totals.macs, k.totals.macs, `MACs: ONNX ${fmt(o.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
    assert.equal(o.totals.params, k.totals.params - 3 * c, `params: ONNX ${fmt(o.totals.params)}, Keras ${fmt(k.totals.params)} − 3 × ${fmt(c)} = ${fmt(k.totals.params - 3 * c)}`);
    // Layer by layer (as multisets: the two files order a block's shortcut conv differently): each
    // ONNX conv = the Keras conv + the bias folding gives it (C), the same MACs; the fc layer equal.
    const kc = k.graph.nodes.filter((n) => n.op === 'Conv2D' || n.op === 'Dense').map((n) => {
      const a = k.byId.get(n.id)!;
      return [a.macs, a.params + (n.op === 'Conv2D' ? (a.outputShape![3] as number) : 0)];
    });
    assert.deepEqual(sorted(weighted(o).map(([p, m]) => [m, p])), sorted(kc), '[MACs, params] of every conv and the fc layer');
  });

  it('MobileNetV2: Keras models/mobilenet_v2.json vs torchvision mobilenet_v2 (ONNX): MACs equal; params differ by exactly 3 × Σ BN channels', function () {
    this.timeout(120_000);
    // Same network (paper Table 2); Keras pads stride-2 depthwise convs ((0,1),(0,1)) where torch
    // pads 1 on every side: the output grids, and so the MACs, are the same.
    const k = keras('mobilenet_v2.json');
    const o = onnx('mobilenet_v2');
    noErrors(k);
    noErrors(o);
    const c = bnChannels(k);
    assert.equal(c, 17_056, 'Σ BN channels of MobileNetV2 (Keras params − trainable = 2 × 17,056)');
    assert.equal(k.totals.params - k.totals.trainableParams, 2 * c);
    assert.equal(o.totals.macs, k.totals.macs, `MACs: ONNX ${fmt(o.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
    assert.equal(o.totals.params, k.totals.params - 3 * c, `params: ONNX ${fmt(o.totals.params)}, Keras ${fmt(k.totals.params)} − 3 × ${fmt(c)} = ${fmt(k.totals.params - 3 * c)}`);
    assert.deepEqual(sorted(weighted(o).map(([, m]) => [m])), sorted(weighted(k).map(([, m]) => [m])), 'MACs of every conv and the classifier');
  });

  it('ResNet-50: Keras models/resnet50.json (v1, conv biases) vs torchvision resnet50 (v1.5, ONNX, BN folded): params − 4 × Σ BN channels; MACs + 3 × the v1 MACs of the three strided 1×1 convs', function () {
    this.timeout(120_000);
    const k = keras('resnet50.json');
    const o = onnx('resnet50');
    noErrors(k);
    noErrors(o);
    const c = bnChannels(k);
    assert.equal(c, 26_560, 'Σ BN channels of ResNet-50 (published-figures D4)');
    // Every Keras conv has a bias already, so folding only removes BN's 4 vectors.
    assert.ok(k.graph.nodes.filter((n) => n.op === 'Conv2D').every((n) => n.attrs.useBias === true), 'every Keras ResNet-50 conv has a bias');
    assert.equal(o.totals.params, k.totals.params - 4 * c, `params: ONNX ${fmt(o.totals.params)}, Keras ${fmt(k.totals.params)} − 4 × ${fmt(c)} = ${fmt(k.totals.params - 4 * c)}`);
    // v1 → v1.5: the first 1×1 of stages 3, 4, 5 loses its stride (runs on 4× the positions); the 3×3
    // gains it (same output grid, same MACs). The projection shortcut (…_0_conv) is strided in both.
    const strided = ['conv3_block1_1_conv', 'conv4_block1_1_conv', 'conv5_block1_1_conv'].map((id) => {
      const n = k.graph.nodes.find((x) => x.id === id);
      assert.ok(n, `Keras node ${id}`);
      assert.deepEqual(n.attrs.strides, [2, 2], `${id} is strided in v1`);
      return k.byId.get(id)!.macs;
    });
    const extra = 3 * strided.reduce((s, m) => s + m, 0);
    assert.equal(extra, 231_211_008, '3 × (25,690,112 + 25,690,112 + 25,690,112)');
    assert.equal(o.totals.macs, k.totals.macs + extra, `MACs: ONNX ${fmt(o.totals.macs)}, Keras ${fmt(k.totals.macs)} + ${fmt(extra)} = ${fmt(k.totals.macs + extra)}`);
    assert.equal(o.totals.macs, 4_089_184_256, 'torchvision `_ops` 4.089 (published-figures §4)');
  });

  it('AlexNet: not one network in the two formats — the zoo’s BVLC Caffe AlexNet (groups, LRN, 227²) and torchvision’s one-weird-trick variant (224²); each equals its own published count', function () {
    this.timeout(120_000);
    // published-figures D2: BVLC 60,965,224 params / 724,406,816 MACs (§1, §8.1); torchvision
    // 61,100,840 / 714,188,480 (§8.2). Different channel counts (96-256-384-384-256 vs
    // 64-192-384-256-256), so no parameter or MAC difference between them is a conversion effect.
    const k = keras('alexnet.json');
    const o = onnx('alexnet');
    noErrors(k);
    noErrors(o);
    assert.equal(k.totals.params, 60_965_224);
    assert.equal(k.totals.macs, 724_406_816);
    assert.equal(o.totals.params, 61_100_840);
    assert.equal(o.totals.macs, 714_188_480);
  });

  it('GoogLeNet: not one network — the zoo’s paper GoogLeNet (biases, true 5×5, no BN) and torchvision’s (BN, 3×3 in the “5×5” branch, issue #906); each equals its own count', function () {
    this.timeout(120_000);
    // published-figures §3, D5: paper recount 6,998,552 / 1,582,671,872; torchvision (no aux)
    // 6,624,904 params with 7,280 BN channels, folded by the exporter: 6,624,904 − 7,280 = 6,617,624;
    // 1,498,376,192 MACs.
    const k = keras('googlenet.json');
    const o = onnx('googlenet');
    noErrors(k);
    noErrors(o);
    assert.equal(k.totals.params, 6_998_552);
    assert.equal(k.totals.macs, 1_582_671_872);
    assert.equal(o.totals.params, 6_624_904 - 7_280);
    assert.equal(o.totals.macs, 1_498_376_192);
  });
});

describe('conformance: MobileNet v1 as TFLite', function () {
  // TFLite side: MobileNet v1 (α 1, 224²) in TF-slim's layout, as TFLite's own mobilenet_v1_1.0_224
  // has it, written by the flatbuffers Python runtime (scripts/tflite/export_fixtures.py) in float32
  // and int8. Converters fold each BatchNormalization into the conv before it (a bias-less conv gains
  // C biases, BN's 4C go): TFLite = Keras − 3 × Σ BN channels. Average pool 7×7 for the global pool,
  // a 1×1 conv for the classifier, as the zoo's Keras model has it: the MACs are the same, layer by layer.
  for (const file of ['mobilenet_v1_float.tflite', 'mobilenet_v1_int8.tflite']) {
    it(`Keras models/mobilenet_v1.json vs ${file}: MACs equal (568,740,352), layer by layer; params = Keras − 3 × Σ BN channels`, function () {
      this.timeout(120_000);
      const k = keras('mobilenet_v1.json');
      const t = analyze(parseSource(tfliteSource(file)));
      noErrors(k);
      noErrors(t);
      const c = bnChannels(k);
      assert.equal(c, 10_944, 'Σ BN channels of MobileNet v1 (Keras params − trainable = 2 × 10,944)');
      assert.equal(k.totals.params - k.totals.trainableParams, 2 * c);
      assert.equal(t.totals.macs, k.totals.macs, `MACs: TFLite ${fmt(t.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
      assert.equal(k.totals.macs, 568_740_352);
      assert.equal(t.totals.params, k.totals.params - 3 * c, `params: TFLite ${fmt(t.totals.params)}, Keras ${fmt(k.totals.params)} − 3 × ${fmt(c)}`);
      assert.deepEqual(weighted(t).map(([, m]) => m), weighted(k).map(([, m]) => m), 'MACs of the 28 convolutions in order');
    });
  }
});

describe('conformance: MobileNet v1 as a TF.js graph model', () => {
  it('Keras models/mobilenet_v1.json = the same network as a TF.js graph model (Conv2D, DepthwiseConv2dNative, FusedBatchNormV3, Relu6 nodes; weights in shards): 4,253,864 params and 568,740,352 MACs, layer by layer', async function () {
    this.timeout(120_000);
    // The graph is written from the zoo's layers by scripts/tfjs-graph/graph-models.ts as a frozen
    // TensorFlow graph has them (BN kept as FusedBatchNormV3, so its statistics stay parameters);
    // tfjs-converter runs it (tfjs-graph-oracle.test). Its figures come from the GraphDef and the
    // constants' shapes in the manifest, not from the Keras config.
    const k = keras('mobilenet_v1.json');
    const fixture = graphFixtures().find((f) => f.name === 'mobilenet_v1')!;
    const g = analyze(await parseSourceWithFiles(openModelFile(graphFixturePath(fixture))));
    noErrors(k);
    noErrors(g);
    assert.equal(g.graph.format, 'tfjs-graph');
    assert.equal(g.totals.params, k.totals.params, `params: graph ${fmt(g.totals.params)}, Keras ${fmt(k.totals.params)}`);
    assert.equal(g.totals.trainableParams, k.totals.trainableParams, 'trainable: BN moving statistics are not');
    assert.equal(g.totals.macs, k.totals.macs, `MACs: graph ${fmt(g.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
    assert.equal(k.totals.params, 4_253_864);
    assert.equal(k.totals.macs, 568_740_352);
    assert.deepEqual(weighted(g), weighted(k), 'the 28 weighted layers, [params, MACs] in order');
  });
});

// Caffe rows: the networks' own deploy files (test/fixtures/caffe) against the zoo's Keras files of
// the same networks. No fixtures to generate, so no ONNX set-up: `--grep Caffe` runs these alone.
describe('conformance: Caffe deploy files vs the zoo’s Keras files', () => {
  const caffe = (file: string): Analysis => analyze(parseModel(readFileSync(join(__dirname, '..', 'fixtures', 'caffe', file), 'utf8'), file));

  it('AlexNet: BVLC deploy.prototxt = models/alexnet.json, layer by layer (60,965,224 params, 724,406,816 MACs)', () => {
    const c = caffe('bvlc_alexnet.deploy.prototxt');
    const k = keras('alexnet.json');
    noErrors(c);
    noErrors(k);
    assert.equal(c.totals.params, k.totals.params);
    assert.equal(c.totals.macs, k.totals.macs);
    assert.deepEqual(weighted(c), weighted(k), 'the 8 weighted layers, [params, MACs] in order');
  });

  it('VGG-16: the VGG team’s deploy file = models/vgg16.json, layer by layer (138,357,544 params, 15,470,264,320 MACs)', () => {
    const c = caffe('VGG_ILSVRC_16_layers.deploy.prototxt');
    const k = keras('vgg16.json');
    noErrors(c);
    noErrors(k);
    assert.equal(c.totals.params, k.totals.params);
    assert.equal(c.totals.macs, k.totals.macs);
    assert.deepEqual(weighted(c), weighted(k), 'the 16 weighted layers, [params, MACs] in order');
  });

  it('GoogLeNet: BVLC deploy.prototxt = models/googlenet.json (the paper network, no auxiliary heads), layer by layer', () => {
    const c = caffe('bvlc_googlenet.deploy.prototxt');
    const k = keras('googlenet.json');
    noErrors(c);
    noErrors(k);
    assert.equal(c.totals.params, k.totals.params);
    assert.equal(c.totals.macs, k.totals.macs);
    assert.deepEqual(sorted(weighted(c)), sorted(weighted(k)), '[params, MACs] of the 58 weighted layers');
  });

  it('ResNet-50: Kaiming He’s deploy file = models/resnet50.json (both v1) in MACs; params differ by exactly the conv biases Keras has and Caffe drops (every conv but conv1)', () => {
    const c = caffe('ResNet-50-deploy.prototxt');
    const k = keras('resnet50.json');
    noErrors(c);
    noErrors(k);
    assert.equal(c.totals.macs, k.totals.macs, `MACs: Caffe ${fmt(c.totals.macs)}, Keras ${fmt(k.totals.macs)}`);
    // Each conv feeds one BN of its channels, so the biases Caffe leaves out sum to Σ BN channels − conv1's 64.
    const c64 = bnChannels(k) - 64;
    assert.equal(c.totals.params, k.totals.params - c64, `params: Caffe ${fmt(c.totals.params)}, Keras ${fmt(k.totals.params)} − ${fmt(c64)}`);
    // BN + Scale in Caffe is Keras's BN: the same 2C statistics (not trainable), and γ, β trainable.
    assert.equal(c.totals.nonTrainableParams, k.totals.nonTrainableParams);
    assert.deepEqual(sorted(weighted(c).map(([, m]) => [m])), sorted(weighted(k).map(([, m]) => [m])), 'MACs of every conv and the fc layer');
  });
});
