import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runCliAsync } from '../../src/cli/main';
import { mulberry32 } from '../../src/core/runtime/random-weights';
import { writeNpy } from '../../src/core/runtime/npy';
import { FIXTURES, MODELS, ROOT } from '../support/fixtures';

// `cnn-lens run` and `cnn-lens profile` on the command line: outputs against tfjs-layers' own
// predict, the random-weights notice, the JSON schemas and the usage errors.

const TFJS_MODEL = join(FIXTURES, 'tfjs_multi_io', 'model.json');
const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-run-'));

function randomNpy(name: string, shape: number[], seed: number): { file: string; values: Float32Array } {
  const rand = mulberry32(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rand() * 2 - 1);
  const file = join(tmp, name);
  writeFileSync(file, writeNpy({ dtype: 'float32', shape, data: values }));
  return { file, values };
}

/** tfjs-layers loads model.json and its shards from disk (as over HTTP). */
async function loadWithTfjsLayers(modelJson: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel({
    load: async () => {
      const json = JSON.parse(readFileSync(modelJson, 'utf8'));
      const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
      const bytes = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(modelJson, '..', p)))));
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
    },
  });
}

describe('cnn-lens run', () => {
  for (const [backend, expect] of [['cpu', /^cpu$/], ['auto', /^onnxruntime \(CPU, \d+ threads?\)$/]] as const) {
    it(`--json on a TF.js model with its shards equals tfjs-layers predict on the same .npy inputs (--backend ${backend}${backend === 'auto' ? ': exported to ONNX Runtime' : ''})`, async () => {
      const image = randomNpy('image.npy', [1, 32, 32, 3], 11);
      const meta = randomNpy('meta.npy', [1, 10], 12);
      const r = await runCliAsync(['run', TFJS_MODEL, '--input', image.file, '--input', meta.file, '--backend', backend, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(doc).slice(0, 2), ['backend', 'outputs']);
      assert.match(doc.backend, expect);
      assert.equal(doc.randomWeights, false);
      assert.match(doc.weights, /TF\.js shards next to model\.json/);

      const model = await loadWithTfjsLayers(TFJS_MODEL);
      const predicted = model.predict([tf.tensor(image.values, [1, 32, 32, 3]), tf.tensor(meta.values, [1, 10])]) as tf.Tensor[];
      assert.equal(doc.outputs.length, predicted.length);
      doc.outputs.forEach((o: { name: string; shape: number[]; values: number[] }, i: number) => {
        assert.deepEqual(o.shape, predicted[i].shape, o.name);
        const truth = predicted[i].dataSync();
        assert.equal(o.values.length, truth.length);
        const worst = Math.max(...o.values.map((v, j) => Math.abs(v - truth[j])));
        assert.ok(worst <= 1e-4, `${o.name}: max |diff| ${worst}`);
      });
      assert.deepEqual(doc.outputs.map((o: { name: string }) => o.name), ['class', 'score']);
    });
  }

  it('a zoo model without weights runs with seeded random ones and says so; the output shape is the model’s', async () => {
    const r = await runCliAsync(['run', join(MODELS, 'mobilenet_v1.json'), '--backend', 'wasm', '--json', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.randomWeights, true);
    assert.equal(doc.weights, 'random weights (seed 3): outputs are not meaningful');
    assert.match(r.stderr, /random weights \(seed 3\): outputs are not meaningful/);
    assert.match(doc.backend, /^wasm/);
    assert.deepEqual(doc.outputs[0].shape, [1, 1000]);
    assert.equal(doc.outputs[0].values.length, 1000);
    const sum = doc.outputs[0].values.reduce((a: number, b: number) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, 'softmax output sums to 1');

    const text = await runCliAsync(['run', join(MODELS, 'mobilenet_v1.json'), '--backend', 'wasm', '--input', join(ROOT, 'media', 'samples', 'shapes.png')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Backend: wasm/);
    assert.match(text.stdout, /Weights: random weights \(seed 0\): outputs are not meaningful/);
    assert.match(text.stdout, /shapes\.png \(256×256\) resized to 224×224, preprocessing tf/);
    // A 1000-class output is named with the shipped ImageNet labels (media/labels/imagenet.txt).
    assert.match(text.stdout, /top 5 of 1000 classes \(labels: media\/labels\/imagenet\.txt \(ImageNet\)\)/);
    const imagenet = readFileSync(join(ROOT, 'media', 'labels', 'imagenet.txt'), 'utf8').split('\n');
    const ranked = [...text.stdout.matchAll(/^\s+\d\. (.+) \((\d+)\)\s+[-\d.e]+$/gm)];
    assert.equal(ranked.length, 5, text.stdout);
    for (const [, name, index] of ranked) assert.equal(name, imagenet[Number(index)]);

    // --labels overrides; a missing file is a usage error naming it.
    const labels = join(tmp, 'numbers.txt');
    writeFileSync(labels, Array.from({ length: 1000 }, (_, i) => `number ${i}`).join('\n'));
    const own = await runCliAsync(['run', join(MODELS, 'mobilenet_v1.json'), '--backend', 'wasm', '--labels', labels]);
    assert.equal(own.code, 0, own.stderr);
    assert.equal([...own.stdout.matchAll(/^\s+\d\. number (\d+) \(\1\)/gm)].length, 5, own.stdout);
    const missing = await runCliAsync(['run', join(MODELS, 'mobilenet_v1.json'), '--backend', 'wasm', '--labels', join(tmp, 'nope.txt')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `cnn-lens run: ${join(tmp, 'nope.txt')}: cannot read the label file (no such file)`);
  });

  it('auto says why the better backends were not used', async () => {
    const r = await runCliAsync(['run', TFJS_MODEL]);
    assert.equal(r.code, 0, r.stderr);
    const backendLine = r.stdout.split('\n').find((l) => l.startsWith('Backend: '))!;
    // Either the best backend ran (nothing to explain), or the line names what was not used and why.
    assert.ok(/not used: /.test(backendLine) || /^Backend: tfjs-node-gpu/.test(backendLine), backendLine);
  });

  it('--json omits the values of outputs above 100,000 elements, with a note', async () => {
    const r = await runCliAsync(['run', join(MODELS, 'johnson_transform_net.json'), '--backend', 'wasm', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout).outputs[0];
    assert.deepEqual(out.shape, [1, 256, 256, 3]);
    assert.equal(out.values, undefined);
    assert.match(out.note, /values omitted: 196,608 elements/);
  });

  it('usage, file and input errors exit 2 naming the file', async () => {
    const missing = await runCliAsync(['run', '/no/such/model.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/no\/such\/model\.json: no such file/);
    assert.equal((await runCliAsync(['run'])).code, 2);
    assert.equal((await runCliAsync(['run', TFJS_MODEL, '--seed', 'x'])).code, 2);
    assert.equal((await runCliAsync(['run', TFJS_MODEL, '--backend', 'tpu'])).code, 2);
    const webgl = await runCliAsync(['run', TFJS_MODEL, '--backend', 'webgl']);
    assert.equal(webgl.code, 2);
    assert.match(webgl.stderr, /"webgl" runs only in VS Code's diagram webview \(setting cnnLens\.backend\)/);
    assert.equal((await runCliAsync(['run', TFJS_MODEL, '--frobnicate'])).code, 2);

    const notImage = join(tmp, 'not-an-image.png');
    writeFileSync(notImage, 'hello');
    const bad = await runCliAsync(['run', join(MODELS, 'resnet18.json'), '--input', notImage, '--backend', 'cpu']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not-an-image\.png: not a PNG or JPEG image/);

    const wrong = randomNpy('wrong.npy', [1, 16, 16, 3], 1);
    const mis = await runCliAsync(['run', TFJS_MODEL, '--input', wrong.file, '--backend', 'cpu']);
    assert.equal(mis.code, 2);
    assert.match(mis.stderr, /wrong\.npy: the array has shape \(1, 16, 16, 3\), but the model's input image takes \(None, 32, 32, 3\)|wrong\.npy: the array has shape \(1, 16, 16, 3\), but the model's input image takes \(1, 32, 32, 3\)/);

    const badWeights = await runCliAsync(['run', join(MODELS, 'resnet18.json'), '--weights', TFJS_MODEL, '--backend', 'cpu']);
    assert.equal(badWeights.code, 2);
    assert.match(badWeights.stderr, /model\.json/);

    // The synchronous entry point refuses the asynchronous commands rather than misbehaving.
    assert.equal(runCli(['run', TFJS_MODEL]).code, 2);
  });
});

describe('cnn-lens profile', () => {
  it('--json has the documented schema and its invariants hold', async () => {
    const r = await runCliAsync(['profile', join(FIXTURES, 'keras3_functional.json'), '--backend', 'wasm', '--runs', '3', '--warmup', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc).slice(0, 6), ['backend', 'runs', 'wholeModelMs', 'layers', 'peakActivationBytes', 'weightBytes']);
    assert.equal(doc.runs, 3);
    assert.ok(doc.wholeModelMs > 0);
    for (const l of doc.layers) {
      assert.deepEqual(Object.keys(l).slice(0, 5), ['name', 'type', 'ms', 'share', 'gflops']);
      assert.ok(l.ms >= 0 && l.share >= 0 && l.gflops >= 0, l.name);
      assert.ok(l.p10Ms <= l.ms + 1e-9 && l.ms <= l.p90Ms + 1e-9, `${l.name}: median within p10–p90`);
    }
    const share = doc.layers.reduce((s: number, l: { share: number }) => s + l.share, 0);
    assert.ok(Math.abs(share - 1) < 1e-9, `shares sum to ${share}`);
    const summary = JSON.parse(runCli(['summary', join(FIXTURES, 'keras3_functional.json'), '--json']).stdout);
    assert.deepEqual(doc.layers.map((l: { name: string }) => l.name), summary.layers.map((l: { name: string }) => l.name), 'every layer present, in order');
    const largest = Math.max(...summary.layers.map((l: { activationBytes: number }) => l.activationBytes));
    assert.ok(doc.peakActivationBytes >= largest, 'peak ≥ the largest single activation');
    assert.ok(doc.peakActivationBytes <= summary.totals.activationBytes, 'peak ≤ all activations together');
    assert.equal(doc.weightBytes, summary.totals.weightBytes);
  });

  it('the table shows median, spread, share, GFLOP/s and the sum-vs-whole line; --csv one row per layer', async () => {
    const r = await runCliAsync(['profile', TFJS_MODEL, '--backend', 'cpu', '--runs', '2', '--warmup', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Backend: cpu/);
    assert.match(r.stdout, /Weights: TF\.js shards next to model\.json/);
    assert.match(r.stdout, /Layer\s+Type\s+Median ms\s+p10–p90 ms\s+Share\s+GFLOP\/s/);
    assert.match(r.stdout, /Whole model \(median of 2, untapped\): [\d.]+ ms/);
    assert.match(r.stdout, /Sum of per-layer medians: [\d.]+ ms \([+-][\d.]+ ms, [+-][\d.]+% vs the whole model\): each layer is timed alone/);
    assert.match(r.stdout, /Peak activation memory: .*Weight memory: /s);
    const csv = await runCliAsync(['profile', TFJS_MODEL, '--backend', 'cpu', '--runs', '1', '--csv']);
    const lines = csv.stdout.split('\n');
    assert.equal(lines[0], 'layer,type,ms,p10_ms,p90_ms,share,gflops,flops');
    assert.ok(lines.length > 5);
  });

  it('random weights are said; usage errors exit 2', async () => {
    const r = await runCliAsync(['profile', join(MODELS, 'alexnet.json'), '--backend', 'wasm', '--runs', '1', '--warmup', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).randomWeights, true);
    assert.match(r.stderr, /random weights \(seed 0\): outputs are not meaningful/);
    assert.equal((await runCliAsync(['profile', TFJS_MODEL, '--runs', '0'])).code, 2);
    assert.equal((await runCliAsync(['profile', TFJS_MODEL, '--json', '--csv'])).code, 2);
    const missing = await runCliAsync(['profile', '/no/such.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/no\/such\.json: no such file/);
  });
});

describe('cnn-lens run and profile on ONNX Runtime', () => {
  const ONNX = join(FIXTURES, 'onnx', 'tiny_cnn.onnx');

  it('run --backend onnxruntime prints the outputs and says which providers were not used; --json too', async () => {
    const r = await runCliAsync(['run', ONNX, '--backend', 'onnxruntime', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Backend: onnxruntime \(CPU, 1 thread\) \(chosen with --backend onnxruntime; the others were not tried\)$/m);
    assert.match(r.stdout, /^Weights: the ONNX file's own initializers$/m);
    assert.match(r.stdout, /^Output \/fc\/Gemm \[1,10\]:/m);
    const auto = await runCliAsync(['run', ONNX, '--json']);
    assert.equal(auto.code, 0, auto.stderr);
    const doc = JSON.parse(auto.stdout);
    assert.match(doc.backend, /^onnxruntime \(/);
    assert.equal(doc.backendTried.at(-1).name, 'onnxruntime');
    assert.equal(doc.outputs[0].values.length, 10);
  });

  it('profile --backend onnxruntime --trace writes ORT’s Chrome trace; --json names each layer’s kernel', async () => {
    const trace = join(tmp, 'tiny.trace.json');
    const r = await runCliAsync(['profile', ONNX, '--backend', 'onnxruntime', '--runs', '2', '--warmup', '1', '--trace', trace]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Fused kernels \(time shared by FLOPs\):$/m);
    const events = JSON.parse(readFileSync(trace, 'utf8')) as { cat: string; name: string }[];
    assert.ok(events.some((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')));
    const json = JSON.parse((await runCliAsync(['profile', ONNX, '--runs', '2', '--json'])).stdout);
    assert.ok(json.layers.every((l: { kernel: string; ms: number }) => l.kernel && l.ms > 0));
    assert.match(json.sumVsWhole, /ONNX Runtime's own kernel times/);
  });

  it('a Keras model runs on the engine by default: exported with its weights (seeded random ones said), the backend line and the weights line as on tfjs', async () => {
    const r = await runCliAsync(['run', join(MODELS, 'mobilenet_v1.json'), '--threads', '1', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Backend: onnxruntime \(CPU, 1 thread\); not used: onnxruntime's CUDA provider is not installed/m);
    assert.match(r.stdout, /^Weights: random weights \(seed 3\): outputs are not meaningful$/m);
    assert.match(r.stdout, /^Output predictions\S* \[1,1000\]:/m);
    const h5 = await runCliAsync(['run', join(FIXTURES, 'multi_io.json'), '--weights', join(FIXTURES, 'weights', 'multi_io.weights.h5'), '--json']);
    assert.equal(h5.code, 0, h5.stderr);
    const doc = JSON.parse(h5.stdout);
    assert.match(doc.backend, /^onnxruntime /);
    assert.equal(doc.randomWeights, false);
    assert.match(doc.weights, /multi_io\.weights\.h5/);
  });

  it('profile on a Keras model times ORT’s kernels per layer and saves its trace', async () => {
    const trace = join(tmp, 'keras.trace.json');
    const r = await runCliAsync(['profile', join(FIXTURES, 'keras3_functional.json'), '--runs', '2', '--warmup', '1', '--trace', trace, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.match(doc.backend, /^onnxruntime /);
    assert.match(doc.sumVsWhole, /ONNX Runtime's own kernel times/);
    assert.ok(doc.layers.some((l: { kernel: string; ms: number }) => l.kernel && l.ms > 0), 'kernels attributed to layers');
    const events = JSON.parse(readFileSync(trace, 'utf8')) as { cat: string; name: string }[];
    assert.ok(events.some((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')));
  });

  it('usage errors exit 2: --threads 0, --weights for an ONNX file, --trace on a tfjs backend', async () => {
    assert.equal((await runCliAsync(['run', ONNX, '--threads', '0'])).code, 2);
    const weights = await runCliAsync(['run', ONNX, '--weights', 'random']);
    assert.equal(weights.code, 2);
    assert.match(weights.stderr, /carries its own weights/);
    const trace = await runCliAsync(['profile', TFJS_MODEL, '--backend', 'wasm', '--trace', join(tmp, 'x.json')]);
    assert.equal(trace.code, 2);
    assert.match(trace.stderr, /--trace saves ONNX Runtime's trace/);
  });
});
