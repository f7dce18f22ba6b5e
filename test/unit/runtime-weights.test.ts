import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeText, parseModel } from '../../src/core';
import type { Analysis, Graph } from '../../src/core';
import { disposeWeights, ownerId, WeightsError, type WeightMap } from '../../src/core/runtime/weights';
import { loadWeights } from '../../src/node/weights-files';
import { kerasSnakeCase, loadKerasWeights } from '../../src/core/formats/keras/weights-keras';
import { loadTfjsWeights } from '../../src/core/formats/keras/weights-tfjs';
import { fileSource } from '../../src/node/file-source';
import { fixtureValues, WEIGHT_FIXTURES } from '../../scripts/make-weight-fixtures';
import { FIXTURES, readFixture } from '../support/fixtures';

// Weights from TF.js shards (float32 and the quantised forms tfjs writes) and from Keras HDF5
// files and archives, checked value by value against tfjs's own decoding and loading, against a
// hand-computed dequantisation, and against the values the fixture generator wrote.

const TFJS_DIR = join(FIXTURES, 'tfjs_multi_io');
const graphOf = (file: string): Graph => parseModel(readFixture(file), file);
const analysisOf = (file: string): Analysis => analyzeText(readFixture(file), file);

/** tfjs-layers' own weights of a loaded model, keyed like our map: node id → weight name → values. */
function layersWeights(model: tfl.LayersModel): Map<string, Map<string, { shape: number[]; values: Float32Array }>> {
  const out = new Map<string, Map<string, { shape: number[]; values: Float32Array }>>();
  const visit = (layer: tfl.layers.Layer, prefix: string) => {
    if (layer instanceof tfl.LayersModel) {
      for (const inner of layer.layers) visit(inner, `${prefix}${layer.name}/`);
      return;
    }
    if (!layer.weights.length) return;
    const record = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const w of layer.weights) record.set(w.originalName.split('/').pop()!, { shape: w.shape as number[], values: w.read().dataSync() as Float32Array });
    out.set(`${prefix}${layer.name}`, record);
  };
  for (const layer of model.layers) visit(layer, '');
  return out;
}

/** An IOHandler that reads model.json and its shards from disk, as tf.loadLayersModel would over HTTP. */
function fileHandler(modelJson: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJson, 'utf8'));
      const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
      const bytes = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(modelJson, '..', p)))));
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
    },
  };
}

function assertEqualToLayers(ours: WeightMap, theirs: ReturnType<typeof layersWeights>): void {
  const owners = [...ours.keys()].filter((id) => ownerId(id) === id);
  assert.deepEqual(owners.sort(), [...theirs.keys()].sort());
  for (const [id, record] of theirs) {
    const mine = ours.get(id)!;
    assert.deepEqual(Object.keys(mine).sort(), [...record.keys()].sort(), id);
    for (const [name, { shape, values }] of record) {
      assert.deepEqual(mine[name].shape, shape, `${id}/${name} shape`);
      assert.deepEqual(mine[name].dataSync(), values, `${id}/${name} values`);
    }
  }
}

// ---- quantisation by hand, following tfjs's documented affine scheme --------------------------

/** tfjs-converter's affine quantisation: scale = (max − min) / (2^bits − 1), q = round((v − min) / scale). */
function quantise(values: Float32Array, bits: 8 | 16): { q: Uint8Array | Uint16Array; scale: number; min: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const scale = max === min ? 1 : (max - min) / (2 ** bits - 1);
  const q = bits === 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  values.forEach((v, i) => (q[i] = Math.round((v - min) / scale)));
  return { q, scale, min };
}

/** float32 → IEEE half bits (round to nearest even), for values in the normal half range. */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) return sign; // flush tiny values (none in these tests)
  let half = sign | (exp << 10) | (mant >> 13);
  mant &= 0x1fff;
  if (mant > 0x1000 || (mant === 0x1000 && half & 1)) half++;
  return half;
}
const fromHalf = (h: number): number => {
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  return e === 0 ? s * 2 ** -14 * (f / 1024) : s * 2 ** (e - 15) * (1 + f / 1024);
};

/** A small tfjs-layers model, saved: topology, float32 specs and data. */
async function smallModel(): Promise<{ topology: unknown; specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const model = tfl.sequential({
    name: 'small',
    layers: [
      tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, name: 'conv1', biasInitializer: 'randomNormal' }),
      tfl.layers.batchNormalization({ name: 'bn', gammaInitializer: 'randomUniform', betaInitializer: 'randomNormal', movingVarianceInitializer: 'ones' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 4, name: 'fc', biasInitializer: 'randomNormal' }),
    ],
  });
  let saved!: tf.io.ModelArtifacts;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  model.dispose();
  return { topology: saved.modelTopology, specs: saved.weightSpecs!, data: saved.weightData as ArrayBuffer };
}

describe('runtime weights: TF.js shards', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cnn-lens-weights-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tfjs_multi_io: every tensor equals tf.loadLayersModel’s own weights, shared calls share tensors', async () => {
    const loaded = await loadTfjsWeights(fileSource(join(TFJS_DIR, 'model.json')), graphOf('tfjs_multi_io/model.json'));
    const model = await tfl.loadLayersModel(fileHandler(join(TFJS_DIR, 'model.json')));
    try {
      assertEqualToLayers(loaded.weights, layersWeights(model));
      assert.equal(loaded.weights.get('shared_dense@2'), loaded.weights.get('shared_dense'));
      assert.match(loaded.source, /TF\.js shards next to model\.json \(1 file, float32\)/);
    } finally {
      model.dispose();
      disposeWeights(loaded.weights);
    }
  });

  it('uint8, uint16 and float16 quantised shards decode to what tfjs decodes and to the hand-computed dequantisation', async () => {
    const { topology, specs, data } = await smallModel();
    const floats = tf.io.decodeWeights(data, specs);
    // Quantise by hand: each tensor in a different form, spread over two shard files.
    const forms: Record<string, 'uint8' | 'uint16' | 'float16' | 'float32'> = {
      'conv1/kernel': 'uint8', 'conv1/bias': 'float16', 'bn/gamma': 'uint16', 'bn/beta': 'uint8',
      'bn/moving_mean': 'float16', 'bn/moving_variance': 'float32', 'fc/kernel': 'uint16', 'fc/bias': 'uint8',
    };
    const expected = new Map<string, Float32Array>();
    const chunks: Uint8Array[] = [];
    const qspecs = specs.map((spec) => {
      const v = floats[spec.name].dataSync() as Float32Array;
      const form = forms[spec.name];
      assert.ok(form, `a form for ${spec.name}`);
      if (form === 'float32') {
        chunks.push(new Uint8Array(v.slice().buffer));
        expected.set(spec.name, v);
        return spec;
      }
      if (form === 'float16') {
        const h = Uint16Array.from(v, toHalf);
        chunks.push(new Uint8Array(h.buffer));
        expected.set(spec.name, Float32Array.from(h, fromHalf));
        return { ...spec, quantization: { dtype: 'float16' as const } };
      }
      const { q, scale, min } = quantise(v, form === 'uint8' ? 8 : 16);
      chunks.push(new Uint8Array(q.buffer));
      expected.set(spec.name, Float32Array.from(q, (x) => x * scale + min)); // the documented dequantisation
      return { ...spec, quantization: { dtype: form, scale, min } };
    });
    const all = Buffer.concat(chunks);
    const cut = 37; // shards split mid-tensor: paths are concatenated before decoding
    writeFileSync(join(dir, 'group1-shard1of2.bin'), all.subarray(0, cut));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), all.subarray(cut));
    const modelJson = join(dir, 'model.json');
    writeFileSync(modelJson, JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: qspecs }] }));

    const loaded = await loadTfjsWeights(fileSource(modelJson), parseModel(readFileSync(modelJson, 'utf8'), 'model.json'));
    const tfjsDecoded = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), qspecs);
    const model = await tfl.loadLayersModel(fileHandler(modelJson));
    try {
      for (const spec of qspecs) {
        const [layer, name] = spec.name.split('/');
        const ours = loaded.weights.get(layer)![name];
        // Exactly tfjs-core's decoding …
        assert.deepEqual(ours.dataSync(), tfjsDecoded[spec.name].dataSync(), `${spec.name} equals tf.io.decodeWeights`);
        // … which is the documented dequantisation, computed here in float64 (1 float32 ulp apart at most).
        const want = expected.get(spec.name)!;
        (ours.dataSync() as Float32Array).forEach((x, i) => assert.ok(Math.abs(x - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])), `${spec.name}[${i}]: ${x} vs ${want[i]}`));
        // The quantisation really was lossy (so the test is not comparing float32 with itself).
        if (forms[spec.name] === 'uint8') assert.notDeepEqual(ours.dataSync(), floats[spec.name].dataSync());
      }
      assertEqualToLayers(loaded.weights, layersWeights(model));
      assert.match(loaded.source, /2 files/);
      assert.match(loaded.source, /uint8-quantised/);
      assert.match(loaded.source, /float16-quantised/);
    } finally {
      model.dispose();
      disposeWeights(loaded.weights);
      for (const t of [...Object.values(floats), ...Object.values(tfjsDecoded)]) t.dispose();
    }
  });

  it('maps prefixed and uniquified manifest names (model/conv1/kernel, conv1/kernel_1)', async () => {
    const { topology, specs, data } = await smallModel();
    const renamed = specs.map((s, i) => ({ ...s, name: i % 2 ? `small/${s.name}` : `${s.name}_1` }));
    writeFileSync(join(dir, 'w.bin'), Buffer.from(data));
    const modelJson = join(dir, 'model.json');
    writeFileSync(modelJson, JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: renamed }] }));
    const loaded = await loadTfjsWeights(fileSource(modelJson), parseModel(readFileSync(modelJson, 'utf8'), 'model.json'));
    assert.deepEqual([...loaded.weights.keys()], ['conv1', 'bn', 'fc']);
    assert.deepEqual(Object.keys(loaded.weights.get('bn')!), ['gamma', 'beta', 'moving_mean', 'moving_variance']);
    disposeWeights(loaded.weights);
  });

  it('a shape mismatch names the file, the layer, the weight and both shapes', async () => {
    const json = JSON.parse(readFixture('tfjs_multi_io/model.json'));
    const layer = json.modelTopology.config.layers.find((l: { config: { name: string } }) => l.config.name === 'class');
    layer.config.units = 6;
    const changed = parseModel(JSON.stringify(json), 'model.json');
    const file = join(TFJS_DIR, 'model.json');
    await assert.rejects(loadTfjsWeights(fileSource(file), changed), (e: unknown) => {
      assert.ok(e instanceof WeightsError);
      assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not match the model`));
      assert.match(e.message, /layer class \(Dense\): weight "kernel" \("class\/kernel"\) has shape \(48, 5\) in the file, the model expects \(48, 6\)/);
      assert.match(e.message, /weight "bias" .* has shape \(5\) in the file, the model expects \(6\)/);
      return true;
    });
  });

  it('renamed layers: weights that match no layer and layers without weights are both named', async () => {
    const text = readFixture('tfjs_multi_io/model.json').replace(/"score"/g, '"score2"');
    await assert.rejects(loadTfjsWeights(fileSource(join(TFJS_DIR, 'model.json')), parseModel(text, 'model.json')), (e: unknown) => {
      assert.ok(e instanceof WeightsError);
      assert.match(e.message, /weight "score\/kernel" \[24,1\] matches no layer of the model/);
      assert.match(e.message, /layer score2 \(Dense\) needs kernel \(24, 1\), bias \(1\), but the file has no weights for it/);
      return true;
    });
  });

  it('a truncated or missing shard is a clear error', async () => {
    const json = readFixture('tfjs_multi_io/model.json');
    writeFileSync(join(dir, 'model.json'), json);
    await assert.rejects(loadTfjsWeights(fileSource(join(dir, 'model.json')), graphOf('tfjs_multi_io/model.json')), /weight shard group1-shard1of1\.bin cannot be read \(no such file next to the model\)/);
    writeFileSync(join(dir, 'group1-shard1of1.bin'), readFileSync(join(TFJS_DIR, 'group1-shard1of1.bin')).subarray(0, 5000));
    await assert.rejects(loadTfjsWeights(fileSource(join(dir, 'model.json')), graphOf('tfjs_multi_io/model.json')), /a shard is missing or truncated/);
  });
});

describe('runtime weights: Keras HDF5 and .keras (fixtures written by scripts/make-weight-fixtures.ts)', () => {
  /** Every tensor equals what the generator wrote for that node and weight; every declared weight is there. */
  function assertFixtureValues(weights: WeightMap, analysis: Analysis): void {
    let params = 0;
    for (const [id, record] of weights) {
      if (ownerId(id) !== id) {
        assert.equal(record, weights.get(ownerId(id)), `${id} shares ${ownerId(id)}'s tensors`);
        continue;
      }
      for (const [name, t] of Object.entries(record)) {
        assert.deepEqual(t.dataSync(), fixtureValues(id, name, t.size), `${id}/${name}`);
        params += t.size;
      }
    }
    assert.equal(params, analysis.totals.params, 'every parameter the analysis counts is loaded');
  }

  const cases: [string, string, RegExp][] = [
    ['multi_io.keras2.h5', 'multi_io.json', /^Keras 2 HDF5 weights/],
    ['multi_io.full.h5', 'multi_io.json', /^Keras 2 HDF5 weights/],
    ['multi_io.weights.h5', 'multi_io.json', /^Keras 3 weights/],
    ['keras3_functional.weights.h5', 'keras3_functional.json', /^Keras 3 weights/],
    ['keras3_functional.keras', 'keras3_functional.json', /^Keras 3 archive keras3_functional\.keras/],
  ];
  for (const [file, model, source] of cases) {
    it(`${file} loads onto ${model} with the values written`, async () => {
      const analysis = analysisOf(model);
      const loaded = await loadWeights(join(WEIGHT_FIXTURES, file), analysis);
      try {
        assert.match(loaded.source, source);
        assertFixtureValues(loaded.weights, analysis);
      } finally {
        disposeWeights(loaded.weights);
      }
    });
  }

  it('Keras 3 layer keys are the class names in snake_case, as keras.src.utils.naming writes them', () => {
    const cases = { Conv2D: 'conv2d', BatchNormalization: 'batch_normalization', Conv2DTranspose: 'conv2d_transpose', DepthwiseConv2D: 'depthwise_conv2d', SeparableConv2D: 'separable_conv2d', PReLU: 'p_re_lu', ReLU: 're_lu', LeakyReLU: 'leaky_re_lu', Dense: 'dense', Functional: 'functional' };
    for (const [cls, key] of Object.entries(cases)) assert.equal(kerasSnakeCase(cls), key, cls);
  });

  it('weights of another model: every mismatch is listed', async () => {
    await assert.rejects(loadKerasWeights(fileSource(join(WEIGHT_FIXTURES, 'keras3_functional.keras')), graphOf('multi_io.json')), (e: unknown) => {
      assert.ok(e instanceof WeightsError);
      assert.match(e.message, /keras3_functional\.keras \(model\.weights\.h5\) does not match the model/);
      assert.match(e.message, /layer meta_proj \(Dense\): weight "kernel" \(layers\/dense\/vars\/0\) has shape \(16, 10\) in the file, the model expects \(10, 24\)/);
      assert.match(e.message, /layers\/conv2d \(2 variables\) matches no layer of the model/);
      return true;
    });
    await assert.rejects(loadKerasWeights(fileSource(join(WEIGHT_FIXTURES, 'multi_io.keras2.h5')), graphOf('keras3_functional.json')), /the file's layer "meta_proj" .* is not a layer of the model/);
  });

  it('files that are not weights are clear errors', async () => {
    await assert.rejects(loadWeights(join(FIXTURES, 'multi_io.json'), graphOf('multi_io.json')), /has no weightsManifest/);
    await assert.rejects(loadKerasWeights(fileSource(join(FIXTURES, 'multi_io.json')), graphOf('multi_io.json')), /neither an HDF5 file nor a \.keras archive/);
    await assert.rejects(loadWeights(join(FIXTURES, 'tfjs_multi_io', 'group1-shard1of1.bin'), graphOf('multi_io.json')), /not a weights file CNN Lens reads/);
    await assert.rejects(loadWeights(join(FIXTURES, 'missing.h5'), graphOf('multi_io.json')), /missing\.h5 cannot be read \(no such file\)/);
  });

  it('a folder is searched for model.json, then a single Keras weights file', async () => {
    const loaded = await loadWeights(TFJS_DIR, graphOf('tfjs_multi_io/model.json'));
    assert.match(loaded.source, /^TF\.js shards/);
    disposeWeights(loaded.weights);
    await assert.rejects(loadWeights(WEIGHT_FIXTURES, graphOf('multi_io.json')), /holds several weight files/);
  });
});
