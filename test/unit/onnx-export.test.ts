import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, analyzeText, OPS, type Analysis } from '../../src/core';
import { OnnxExportError } from '../../src/core/engine/onnx-emitter';
import { exportOnnx, type OnnxExport } from '../../src/core/engine/onnx-export';
import { withExtraOutputs } from '../../src/core/engine/onnx-taps';
import { plainWeights } from '../../src/core/engine/plain-weights';
import { ModelProto } from '../../src/core/formats/onnx/proto';
import { KERAS_KINDS } from '../../src/core/formats/keras/names';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { execute } from '../../src/core/runtime/executor';
import { mulberry32, randomWeights } from '../../src/core/runtime/random-weights';
import { disposeWeights } from '../../src/core/runtime/weight-map';
import { FIXTURES, readFixture, readModel } from '../support/fixtures';
import { everyOpModel } from '../support/keras-every-op';

// IR → ONNX against three independent judges: ONNX's own checker (Debian's python3-onnx, full
// check: schema, types and shape inference), ONNX Runtime running the file, and the tfjs executor
// (itself checked against tfjs-layers' predict) running the same IR with the same seeded weights,
// every constant perturbed so every weight matters. Each model's outputs and every layer's value
// (through layerValues, added as graph outputs) must agree within 1e-4 of the value's magnitude.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const TOLERANCE = 1e-4;
const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-onnx-export-'));
/** Every file written, for one batched onnx.checker run at the end. */
const written: { model: string; file: string }[] = [];

interface Case {
  readonly name: string;
  readonly text: () => string;
  readonly inputShape?: readonly number[];
  /** Transposes in the exported file: the fewest the layouts allow, said per model. */
  readonly transposes: number;
  readonly opset?: number;
}

// Input sizes: the smallest each network's fixed-size layers allow, so the cpu backend keeps up.
const CASES: readonly Case[] = [
  // The input to NCHW; Flatten reads NHWC (Keras's element order), so one back before it.
  { name: 'alexnet.json', text: () => readModel('alexnet.json'), inputShape: [1, 99, 99, 3], transposes: 2 },
  { name: 'vgg16.json', text: () => readModel('vgg16.json'), inputShape: [1, 32, 32, 3], transposes: 2 },
  { name: 'vgg19.json', text: () => readModel('vgg19.json'), inputShape: [1, 32, 32, 3], transposes: 2 },
  // Only the input: global pooling leaves [N, C] in either layout.
  { name: 'resnet18.json', text: () => readModel('resnet18.json'), inputShape: [1, 32, 32, 3], transposes: 1 },
  { name: 'resnet50.json', text: () => readModel('resnet50.json'), inputShape: [1, 32, 32, 3], transposes: 1 },
  { name: 'resnet152.json', text: () => readModel('resnet152.json'), inputShape: [1, 32, 32, 3], transposes: 1 },
  // The input, then the 1×1 classifier convolution between two Reshapes: its input to NCHW and its output back (1024 and 1000 values).
  { name: 'mobilenet_v1.json', text: () => readModel('mobilenet_v1.json'), inputShape: [1, 64, 64, 3], transposes: 3 },
  { name: 'mobilenet_v2.json', text: () => readModel('mobilenet_v2.json'), inputShape: [1, 64, 64, 3], transposes: 1 },
  // 224: the 7×7 average pool before Flatten fixes the size.
  { name: 'googlenet.json', text: () => readModel('googlenet.json'), transposes: 2 },
  // The input, and the image output back to NHWC.
  { name: 'johnson_transform_net.json', text: () => readModel('johnson_transform_net.json'), inputShape: [1, 48, 48, 3], transposes: 2 },
  { name: 'fixture assorted.json', text: () => readFixture('assorted.json'), transposes: -1 },
  { name: 'fixture keras3_functional.json', text: () => readFixture('keras3_functional.json'), transposes: -1 },
  { name: 'fixture keras3_sequential.json', text: () => readFixture('keras3_sequential.json'), transposes: -1 },
  { name: 'fixture multi_io.json', text: () => readFixture('multi_io.json'), transposes: -1 },
  { name: 'every Keras op (opset 17)', text: everyOpModel, transposes: -1 },
  // The opset's fallbacks: HardSwish, LayerNormalization and Reduce axes written the older way.
  { name: 'every Keras op (opset 13)', text: everyOpModel, transposes: -1, opset: 13 },
];

/** Uniform values in [-1, 1) from our seeded PRNG. */
function randomValues(shape: readonly number[], seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rand() * 2 - 1);
}

/** max |ours − truth| / max |truth|, after checking the shapes; 0 where both are all zeros. */
function relativeError(what: string, ours: { dims: readonly number[]; data: unknown }, truth: tf.Tensor): number {
  assert.deepEqual([...ours.dims], truth.shape, `${what}: shape`);
  const a = ours.data as Float32Array;
  const b = truth.dataSync();
  let worst = 0;
  let big = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    big = Math.max(big, Math.abs(b[i]));
  }
  assert.ok(Number.isFinite(worst), `${what}: non-finite values`);
  return worst === 0 ? 0 : worst / big;
}

const transposesIn = (bytes: Uint8Array): number => (ModelProto.decode(bytes) as unknown as { graph: { node: { opType: string }[] } }).graph.node.filter((n) => n.opType === 'Transpose').length;

async function runOrt(bytes: Uint8Array, ex: OnnxExport, feeds: readonly Float32Array[], analysis: Analysis) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 });
  try {
    const inputs = Object.fromEntries(ex.inputs.map((name, i) => [name, new ort.Tensor('float32', feeds[i], analysis.inputShapes.get(analysis.graph.inputs[i]) as number[])]));
    return await session.run(inputs);
  } finally {
    await session.release();
  }
}

describe('IR → ONNX: exported files pass onnx.checker, run on ONNX Runtime and equal the tfjs executor layer by layer', function () {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const analysis = analyzeText(c.text(), c.name.replace(/ .*$/, ''), c.inputShape ? { inputShape: c.inputShape } : undefined);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
      const weights = randomWeights(tf, analysis.graph, analysis, 7, { perturb: true });
      const feeds = analysis.graph.inputs.map((id, i) => randomValues(analysis.inputShapes.get(id) as number[], 100 + i));
      const inputs = feeds.map((f, i) => tf.tensor(f, analysis.inputShapes.get(analysis.graph.inputs[i]) as number[]));
      try {
        const plain = await plainWeights(weights);
        // The file a user gets: its outputs.
        const exported = exportOnnx(analysis, plain, { opset: c.opset });
        const file = join(tmp, `${written.length}.onnx`);
        writeFileSync(file, exported.bytes);
        written.push({ model: c.name, file });
        if (c.transposes >= 0) assert.equal(transposesIn(exported.bytes), c.transposes, 'Transposes in the exported file');

        const truth = await execute(tf, analysis, weights, inputs, { taps: 'all' });
        const results = await runOrt(exported.bytes, exported, feeds, analysis);
        let worstOutput = 0;
        exported.outputs.forEach((name, i) => {
          const error = relativeError(`${c.name}: output ${name}`, results[name], truth.outputs[i]);
          assert.ok(error <= TOLERANCE, `${c.name}: output ${name} differs by ${error} of its magnitude`);
          worstOutput = Math.max(worstOutput, error);
        });

        // Every layer: its IR-layout value made for the taps, read as extra outputs.
        const tapped = exportOnnx(analysis, plain, { opset: c.opset, taps: 'all' });
        assert.deepEqual([...tapped.layerValues.keys()].sort(), analysis.graph.nodes.map((n) => n.id).sort(), 'a value for every node');
        const values = await runOrt(withExtraOutputs(tapped.bytes, [...tapped.layerValues.values()], tapped.outputs), tapped, feeds, analysis);
        let worstLayer = 0;
        let worstName = '';
        for (const [id, name] of tapped.layerValues) {
          const error = relativeError(`${c.name}: layer ${id}`, values[name], truth.taps.get(id)!);
          assert.ok(error <= TOLERANCE, `${c.name}: layer ${id} (${name}) differs by ${error} of its magnitude`);
          if (error >= worstLayer) [worstLayer, worstName] = [error, id];
        }
        console.log(`      ${c.name}: outputs ${worstOutput.toExponential(1)}, ${tapped.layerValues.size} layers worst ${worstLayer.toExponential(1)} (${worstName}); ${(exported.bytes.byteLength / 2 ** 20).toFixed(1)} MiB, ${transposesIn(exported.bytes)} Transposes`);
        tf.dispose([...truth.outputs, ...truth.taps.values()]);
      } finally {
        tf.dispose(inputs);
        disposeWeights(weights);
      }
    });
  }

  it('every exported file passes onnx.checker.check_model(full_check=True)', function () {
    assert.ok(written.length > 0, 'no files were exported');
    const script = [
      'import sys, onnx',
      'for path in sys.argv[1:]:',
      '    try:',
      '        onnx.checker.check_model(onnx.load(path), full_check=True)',
      '        print("ok")',
      '    except Exception as e:',
      '        print(str(e).replace("\\n", " ")[:400])',
    ].join('\n');
    const lines = execFileSync('/usr/bin/python3', ['-c', script, ...written.map((w) => w.file)], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n');
    assert.deepEqual(lines.map((l, i) => `${written[i].model}: ${l}`), written.map((w) => `${w.model}: ok`));
  });

  it('an opset past 17 (HardSwish, Mish, Gelu, Reduce axes as inputs) runs on ONNX Runtime as the default does', async () => {
    const analysis = analyzeText(everyOpModel(), 'every_op.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 3, { perturb: true });
    try {
      const plain = await plainWeights(weights);
      const feeds = [randomValues(analysis.inputShapes.get('image') as number[], 9)];
      const base = exportOnnx(analysis, plain);
      const later = exportOnnx(analysis, plain, { opset: 21 });
      const ops = (bytes: Uint8Array) => new Set((ModelProto.decode(bytes) as unknown as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType));
      assert.deepEqual(['HardSwish', 'Mish', 'Gelu'].map((op) => [op, ops(base.bytes).has(op), ops(later.bytes).has(op)]), [['HardSwish', true, true], ['Mish', false, true], ['Gelu', false, true]]);
      const [a, b] = [await runOrt(base.bytes, base, feeds, analysis), await runOrt(later.bytes, later, feeds, analysis)];
      for (const name of base.outputs) {
        const truth = tf.tensor(a[name].data as Float32Array, [...a[name].dims]);
        assert.ok(relativeError(name, b[name], truth) <= TOLERANCE, name);
        truth.dispose();
      }
    } finally {
      disposeWeights(weights);
    }
  });

  it('every op a Keras model can name has an ONNX form, and the every-op model names each of them', () => {
    // Input has none of its own: the exporter makes the graph's inputs.
    assert.deepEqual([...KERAS_KINDS].filter((kind) => kind !== 'Input' && !OPS.get(kind)?.onnx), []);
    const { graph } = analyzeText(everyOpModel(), 'every_op.json');
    assert.deepEqual([...KERAS_KINDS].filter((kind) => !graph.nodes.some((n) => n.op === kind)), []);
  });

  it('an ONNX model passes through as its own bytes, its values named by the file', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'onnx', 'tiny_cnn.onnx')));
    const analysis = analyze(parseSource(bytesSource('tiny_cnn.onnx', bytes)));
    const exported = exportOnnx(analysis, new Map(), { source: bytes });
    assert.equal(exported.bytes, bytes);
    for (const n of analysis.graph.nodes) assert.equal(exported.layerValues.get(n.id), n.outputNames![0], n.id);
    assert.deepEqual(exported.inputs, analysis.graph.inputs.map((id) => analysis.graph.nodes.find((n) => n.id === id)!.outputNames![0]));
    assert.throws(() => exportOnnx(analysis, new Map()), /is an ONNX model: pass its file's bytes/);
  });

  it('refuses, naming the layer or the option: an unknown layer, missing weights, an opset out of range, a tap of no node', async () => {
    const text = readFixture('keras3_sequential.json');
    const analysis = analyzeText(text, 'keras3_sequential.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 1);
    try {
      const plain = await plainWeights(weights);
      assert.throws(() => exportOnnx(analysis, plain, { opset: 12 }), (e: Error) => e instanceof OnnxExportError && /opset 12 .*choose 13 to 21/.test(e.message));
      assert.throws(() => exportOnnx(analysis, plain, { taps: ['nope'] }), /cannot tap "nope"/);
      const conv = analysis.graph.nodes.find((n) => n.op === 'Conv2D')!;
      const without = new Map([...plain].filter(([id]) => id !== conv.id));
      assert.throws(() => exportOnnx(analysis, without), new RegExp(`cannot export ${conv.id} \\(Conv2D\\) to ONNX: no weights were given`));
      const unknown = analyzeText(text.replace('"Flatten"', '"MyFlatten"'), 'custom.json');
      assert.throws(() => exportOnnx(unknown, plain), /MyFlatten/);
    } finally {
      disposeWeights(weights);
    }
  });
});
