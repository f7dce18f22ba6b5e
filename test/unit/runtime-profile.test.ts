import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { analyzeText } from '../../src/core';
import { decodeImage, encodePng, ImageError } from '../../src/core/runtime/image';
import { fitNpyToInput, NpyError, parseNpy, writeNpy, type NpyArray } from '../../src/core/runtime/npy';
import { applyPreset, choosePreset, globToRegExp, preprocessImage, PRESETS, ZOO_PRESETS } from '../../src/core/runtime/preprocess';
import { median, peakActivationBytes, profileCsv, profileModel, quantile } from '../../src/core/runtime/profile';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { activationPreviews, featureGrid, topK } from '../../src/core/runtime/thumbnails';
import { execute } from '../../src/core/runtime/executor';
import { disposeWeights } from '../../src/core/runtime/weights';
import { analyzeFixture, analyzeModel, MODELS, ROOT } from '../support/fixtures';

// The runtime's helpers for running and profiling: .npy files, image decoding and preprocessing,
// the preprocessing table, the profiler's invariants, peak memory, and activation thumbnails.
// Timings are never compared with thresholds.

before(async () => {
  await tf.setBackend('cpu');
});

describe('.npy', () => {
  const cases: NpyArray[] = [
    { dtype: 'float32', shape: [2, 3], data: new Float32Array([1.5, -2, 3, 4, 5, 6.25]) },
    { dtype: 'float64', shape: [3], data: new Float64Array([1e-300, 2, Math.PI]) },
    { dtype: 'int32', shape: [1, 2, 2, 1], data: new Int32Array([-7, 0, 7, 2 ** 30]) },
    { dtype: 'uint8', shape: [4], data: new Uint8Array([0, 1, 128, 255]) },
    { dtype: 'float32', shape: [], data: new Float32Array([42]) },
  ];
  for (const c of cases) {
    it(`round-trips ${c.dtype} ${JSON.stringify(c.shape)}`, () => {
      const bytes = writeNpy(c);
      assert.equal((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64, 0, 'data starts on a 64-byte boundary');
      // Read from an unaligned view inside a larger buffer, as readFileSync's pooled Buffers can be.
      const padded = new Uint8Array(bytes.length + 3);
      padded.set(bytes, 3);
      const back = parseNpy(padded.subarray(3), 'x.npy');
      assert.equal(back.dtype, c.dtype);
      assert.deepEqual(back.shape, c.shape);
      assert.deepEqual(Array.from(back.data), Array.from(c.data));
    });
  }

  it('reads numpy’s own header (version 1.0, descr, fortran_order, shape with trailing comma)', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".padEnd(117, ' ') + '\n';
    const bytes = new Uint8Array(128 + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
    new DataView(bytes.buffer).setFloat32(128, 0.5, true);
    new DataView(bytes.buffer).setFloat32(132, -1, true);
    assert.deepEqual(Array.from(parseNpy(bytes).data), [0.5, -1]);
  });

  it('refuses what it cannot read, naming the file and the reason', () => {
    assert.throws(() => parseNpy(new TextEncoder().encode('not numpy at all'), 'a.npy'), (e: Error) => e instanceof NpyError && /^a\.npy: not a NumPy \.npy file/.test(e.message));
    const big = writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array(2) });
    const text = new TextDecoder('latin1').decode(big).replace("'<f4'", "'>f4'");
    assert.throws(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'b.npy'), /b\.npy: dtype >f4 is not supported/);
    const fortran = new TextDecoder('latin1').decode(big).replace('False', 'True ');
    assert.throws(() => parseNpy(Uint8Array.from(fortran, (c) => c.charCodeAt(0)), 'c.npy'), /c\.npy: .*Fortran order/);
    assert.throws(() => parseNpy(big.subarray(0, big.length - 4), 'd.npy'), /d\.npy: the file holds 4 bytes of data/);
  });

  it('checks the shape against the model input; a missing batch axis is added', () => {
    const arr: NpyArray = { dtype: 'float32', shape: [32, 32, 3], data: new Float32Array(32 * 32 * 3) };
    assert.deepEqual(fitNpyToInput(arr, [null, 32, 32, 3], 'image', 'x.npy'), [1, 32, 32, 3]);
    assert.deepEqual(fitNpyToInput({ ...arr, shape: [1, 32, 32, 3] }, [1, 32, 32, 3], 'image', 'x.npy'), [1, 32, 32, 3]);
    assert.throws(() => fitNpyToInput({ ...arr, shape: [1, 3, 32, 32] }, [1, 32, 32, 3], 'image', 'x.npy'), /x\.npy: the array has shape \(1, 3, 32, 32\), but the model's input image takes \(1, 32, 32, 3\)/);
  });
});

describe('images and preprocessing', () => {
  /** A 2×2 RGBA image: red, green / blue, white. */
  const quad = { width: 2, height: 2, data: new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]) };

  it('PNG round trip through pngjs; JPEG decodes; anything else is refused naming the file', () => {
    const png = encodePng(quad);
    assert.deepEqual(Array.from(decodeImage(png, 'q.png').data), Array.from(quad.data));
    const sample = decodeImage(readFileSync(join(ROOT, 'media', 'samples', 'shapes.png')), 'shapes.png');
    assert.deepEqual([sample.width, sample.height], [256, 256]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jpeg = require('jpeg-js');
    const jpg = jpeg.encode({ width: 2, height: 2, data: Buffer.from(quad.data) }, 100).data;
    const decoded = decodeImage(jpg, 'q.jpg');
    assert.deepEqual([decoded.width, decoded.height], [2, 2]);
    assert.ok(decoded.data[0] > 200 && decoded.data[1] < 60, 'the red pixel stays red');
    assert.throws(() => decodeImage(new TextEncoder().encode('GIF89a…'), 'x.gif'), (e: Error) => e instanceof ImageError && e.message === 'x.gif: not a PNG or JPEG image (its first bytes are neither signature)');
    const broken = png.slice(0, 30);
    assert.throws(() => decodeImage(broken, 'broken.png'), /broken\.png: the PNG cannot be decoded/);
    assert.ok(PNG.sync.read(Buffer.from(png)).width === 2);
  });

  it('an opaque grey picture (a feature-map thumbnail) is written as a greyscale PNG, same pixels, a fraction of the bytes', () => {
    const width = 64;
    const height = 64;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([(i * 37) % 256, (i * 37) % 256, (i * 37) % 256, 255], i * 4);
    const grey = encodePng({ width, height, data });
    const colourType = (png: Uint8Array): number => png[25]; // IHDR: 8 signature + 8 chunk header + 9 bytes in
    assert.equal(colourType(grey), 0, 'greyscale');
    assert.deepEqual(Array.from(decodeImage(grey, 'g.png').data), Array.from(data));
    const tinted = data.slice();
    tinted[0] = 1 - tinted[1]; // one pixel not grey: RGBA as before
    const rgba = encodePng({ width, height, data: tinted });
    assert.equal(colourType(rgba), 6, 'RGBA');
    assert.ok(grey.length * 2 < rgba.length, `greyscale ${grey.length} B vs RGBA ${rgba.length} B`);
    assert.equal(colourType(encodePng(quad)), 6);
  });

  it('caffe: BGR minus the ImageNet mean, by hand on a 2×2 image', () => {
    const x = preprocessImage(tf, quad, [1, 2, 2, 3], PRESETS.caffe);
    const [mb, mg, mr] = [103.939, 116.779, 123.68];
    const expected = [
      [0 - mb, 0 - mg, 255 - mr], // red → B, G, R
      [0 - mb, 255 - mg, 0 - mr],
      [255 - mb, 0 - mg, 0 - mr],
      [255 - mb, 255 - mg, 255 - mr],
    ].flat();
    assert.deepEqual(x.shape, [1, 2, 2, 3]);
    Array.from(x.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4, `${i}: ${v} vs ${expected[i]}`));
  });

  it('torch mean/std, tf [-1, 1], raw255 and unit, by hand', () => {
    const torch = Array.from(preprocessImage(tf, quad, [1, 2, 2, 3], PRESETS.torch).dataSync());
    const m = [0.485, 0.456, 0.406];
    const s = [0.229, 0.224, 0.225];
    const px = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
    px.flat().forEach((v, i) => assert.ok(Math.abs(torch[i] - (v - m[i % 3]) / s[i % 3]) < 1e-5, `torch ${i}`));
    assert.deepEqual(Array.from(preprocessImage(tf, quad, [1, 2, 2, 3], PRESETS.tf).dataSync()), px.flat().map((v) => v * 2 - 1));
    assert.deepEqual(Array.from(preprocessImage(tf, quad, [1, 2, 2, 3], PRESETS.raw255).dataSync()), px.flat().map((v) => v * 255));
    assert.deepEqual(Array.from(preprocessImage(tf, quad, [1, 2, 2, 3], PRESETS.unit).dataSync()), px.flat());
  });

  it('resizes bilinearly to the model input (a flat image stays flat; 2×2 → 4×4 keeps the corners’ colours)', () => {
    const x = preprocessImage(tf, quad, [1, 4, 4, 3], PRESETS.unit);
    assert.deepEqual(x.shape, [1, 4, 4, 3]);
    const v = x.dataSync();
    assert.deepEqual(Array.from(v.slice(0, 3)), [1, 0, 0], 'top-left corner is red');
    assert.deepEqual(Array.from(v.slice(45, 48)), [1, 1, 1], 'bottom-right corner is white');
    const grey = { width: 3, height: 3, data: new Uint8Array(36).fill(128) };
    assert.ok(Array.from(applyPreset(tf, tf.image.resizeBilinear(tf.fill([1, 3, 3, 3], 128) as tf.Tensor4D, [7, 7]), PRESETS.raw255).dataSync()).every((p) => Math.abs(p - 128) < 1e-4));
    assert.equal(preprocessImage(tf, grey, [1, 5, 5, 1], PRESETS.raw255).shape[3], 1, 'grey models get one channel');
  });

  it('every zoo model has its documented preset; unknown models default to [0, 1], marked as a guess; globs override', () => {
    const expected: Record<string, string> = {
      'alexnet.json': 'caffe', 'vgg16.json': 'caffe', 'vgg19.json': 'caffe', 'googlenet.json': 'caffe', 'resnet50.json': 'caffe', 'resnet152.json': 'caffe',
      'resnet18.json': 'torch', 'mobilenet_v1.json': 'tf', 'mobilenet_v2.json': 'tf', 'johnson_transform_net.json': 'raw255',
    };
    for (const [file, preset] of Object.entries(expected)) {
      const name = analyzeModel(file).graph.name;
      const choice = choosePreset(name, join(MODELS, file));
      assert.equal(choice.preset.name, preset, file);
      assert.equal(choice.guessed, false, file);
    }
    assert.ok(ZOO_PRESETS.length >= 7);
    const guess = choosePreset('my_net', '/w/my_net.json');
    assert.equal(guess.preset.name, 'unit');
    assert.ok(guess.guessed);
    assert.match(guess.reason, /assuming \[0, 1\]/);
    const set = choosePreset('resnet18', '/w/models/resnet18.json', { '**/models/*.json': 'caffe' });
    assert.equal(set.preset.name, 'caffe');
    assert.match(set.reason, /cnnLens\.preprocessing/);
    assert.throws(() => choosePreset('x', '/w/x.json', { '*.json': 'bogus' }), /unknown preset "bogus"/);
    assert.ok(globToRegExp('**/*.json').test('/a/b/c.json'));
    assert.ok(globToRegExp('models/resnet?8.json').test('/w/models/resnet18.json'));
    assert.ok(!globToRegExp('*.json').test('/a/b.jsonc'));
  });
});

describe('profiler', () => {
  it('quantiles and medians', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(quantile([0, 10], 0.1), 1);
    assert.equal(quantile([], 0.5), 0);
  });

  it('peak activation: a hand-checked chain, and bounds on every zoo model', () => {
    const text = JSON.stringify({
      class_name: 'Sequential',
      config: { name: 'chain', layers: [
        { class_name: 'Dense', config: { name: 'a', units: 100, batch_input_shape: [null, 10] } },
        { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
        { class_name: 'Dense', config: { name: 'b', units: 50 } },
        { class_name: 'Dense', config: { name: 'c', units: 5 } },
      ] },
    });
    const a = analyzeText(text, 'chain.json');
    // input 10 floats (held throughout) + a 100 (+ drop shares a's buffer) + b 50 at b's step: (10 + 100 + 50) × 4.
    assert.equal(peakActivationBytes(a), (10 + 100 + 50) * 4);
    for (const file of ['alexnet.json', 'googlenet.json', 'resnet50.json', 'mobilenet_v2.json', 'johnson_transform_net.json']) {
      const an = analyzeModel(file);
      const peak = peakActivationBytes(an);
      const largest = Math.max(...an.nodes.map((n) => n.activationBytes));
      assert.ok(peak >= largest, `${file}: peak ${peak} ≥ largest ${largest}`);
      assert.ok(peak <= an.totals.activationBytes, `${file}: peak ≤ total`);
    }
  });

  it('profiles every executed layer; shares sum to 1; cancellable', async () => {
    const analysis = analyzeFixture('keras3_functional.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 0);
    const input = tf.randomUniform([1, 64, 64, 3]);
    try {
      const phases = new Set<string>();
      const r = await profileModel(tf, analysis, weights, [input], { runs: 2, warmup: 1, onProgress: (p) => phases.add(p.phase) });
      assert.deepEqual([...phases], ['warm-up', 'whole model', 'per layer']);
      assert.deepEqual(r.layers.map((l) => l.name), analysis.graph.nodes.map((n) => n.id));
      assert.ok(Math.abs(r.layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-9);
      assert.ok(r.wholeModelMs > 0);
      assert.ok(Math.abs(r.sumOfLayersMs - r.layers.reduce((s, l) => s + l.ms, 0)) < 1e-9);
      assert.equal(r.weightBytes, analysis.totals.weightBytes);
      assert.match(profileCsv(r).split('\n')[1], /^input_layer,InputLayer,/);
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await assert.rejects(profileModel(tf, analysis, weights, [input], { runs: 1, warmup: 0, signal: controller.signal }), /stop/);
      assert.equal(tf.memory().numTensors, before, 'a cancelled profile leaks no tensors');
    } finally {
      input.dispose();
      disposeWeights(weights);
    }
  });
});

describe('activation thumbnails', () => {
  it('tiles the first channels, normalised per channel', () => {
    // 2×2 maps, 3 channels: channel 0 ramps, channel 1 constant, channel 2 negative ramp.
    const values = [0, 5, -1, 1, 5, -2, 2, 5, -3, 3, 5, -4];
    const g = featureGrid(values, 2, 2, 3, 32);
    assert.deepEqual([g.width, g.height], [2 * 2 + 1, 2 * 2 + 1]);
    const px = (x: number, y: number) => g.data[(y * g.width + x) * 4];
    assert.deepEqual([px(0, 0), px(1, 0), px(0, 1), px(1, 1)], [0, 85, 170, 255], 'channel 0: min black, max white');
    assert.deepEqual([px(3, 0), px(4, 1)], [0, 0], 'a constant channel is black');
    assert.deepEqual([px(0, 3), px(1, 4)], [255, 0], 'channel 2: its own range');
    assert.deepEqual(topK([0.1, 0.5, 0.2, 0.9], 2), [{ index: 3, value: 0.9 }, { index: 1, value: 0.5 }]);
  });

  it('activationPreviews: PNG data URLs with ranges for conv and dense outputs, marked random', async () => {
    const analysis = analyzeFixture('keras3_functional.json');
    const weights = randomWeights(tf, analysis.graph, analysis, 0);
    const input = tf.randomUniform([1, 64, 64, 3]);
    const { outputs, taps } = await execute(tf, analysis, weights, [input], { taps: 'all' });
    try {
      const previews = await activationPreviews(tf, taps, { random: true, channels: 4 });
      assert.deepEqual(Object.keys(previews).sort(), [...taps.keys()].sort());
      const conv = previews.stem_conv;
      assert.match(conv.thumbnail, /^data:image\/png;base64,/);
      assert.equal(conv.channels, 16);
      assert.equal(conv.shown, 4);
      assert.ok(conv.random);
      const t = taps.get('stem_conv')!;
      assert.ok(Math.abs(conv.min - tf.min(t).dataSync()[0]) < 1e-6 && Math.abs(conv.max - tf.max(t).dataSync()[0]) < 1e-6);
      const png = PNG.sync.read(Buffer.from(conv.thumbnail.split(',')[1], 'base64'));
      assert.deepEqual([png.width, png.height], [32 * 2 + 1, 32 * 2 + 1]);
      const dense = Object.values(previews).find((p) => p.shape.length === 2)!;
      assert.ok(dense.top && dense.top.length > 0);
    } finally {
      for (const t of [...outputs, ...taps.values()]) t.dispose();
      input.dispose();
      disposeWeights(weights);
    }
  });
});
