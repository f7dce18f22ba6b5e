import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliAsync } from '../../src/cli/main';
import { ModelProto } from '../../src/core/formats/onnx/proto';
import { mulberry32 } from '../../src/core/runtime/random-weights';
import { FIXTURES, MODELS } from '../support/fixtures';

// `cnn-lens export --onnx`: the file it writes runs on ONNX Runtime and equals tfjs-layers' own
// predict with the model's real weights; random weights are said; an ONNX model is copied byte for
// byte; every refusal names the file or the option, with the documented exit status.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-export-'));
const TFJS_MODEL = join(FIXTURES, 'tfjs_multi_io', 'model.json');
const ONNX_MODEL = join(FIXTURES, 'onnx', 'tiny_cnn.onnx');
const RESNET = join(MODELS, 'resnet18.json');

const random = (n: number, seed: number): Float32Array => {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
};

interface Decoded {
  opsetImport: { version: number }[];
  graph: { input: { name: string; type: { tensorType: { shape: { dim: { dimValue?: number; dimParam?: string }[] } } } }[] };
}
const decode = (file: string) => ModelProto.toObject(ModelProto.decode(readFileSync(file)), { longs: Number }) as Decoded;

describe('cnn-lens export --onnx', () => {
  it('a TF.js model with its shards: the file runs on ONNX Runtime and equals tfjs-layers predict', async () => {
    const out = join(tmp, 'multi_io.onnx');
    const r = await runCliAsync(['export', TFJS_MODEL, '--onnx', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Wrote ${out} \\([\\d.]+ MiB, ONNX opset 17\\) from ${TFJS_MODEL}`));
    assert.match(r.stdout, /Weights: .*TF\.js shards next to model\.json/);
    assert.doesNotMatch(r.stdout, /random/);

    await tf.setBackend('cpu');
    const json = JSON.parse(readFileSync(TFJS_MODEL, 'utf8'));
    const model = await tfl.loadLayersModel({
      load: async () => {
        const bytes = readFileSync(join(TFJS_MODEL, '..', json.weightsManifest[0].paths[0]));
        return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
      },
    });
    const image = random(32 * 32 * 3, 1);
    const meta = random(10, 2);
    const truth = model.predict([tf.tensor(image, [1, 32, 32, 3]), tf.tensor(meta, [1, 10])]) as tf.Tensor[];
    const session = await ort.InferenceSession.create(readFileSync(out));
    const [imageName, metaName] = session.inputNames;
    const results = await session.run({ [imageName]: new ort.Tensor('float32', image, [1, 32, 32, 3]), [metaName]: new ort.Tensor('float32', meta, [1, 10]) });
    assert.equal(session.outputNames.length, truth.length);
    session.outputNames.forEach((name, i) => {
      const expected = truth[i].dataSync();
      const got = results[name].data as Float32Array;
      const worst = Math.max(...Array.from(expected, (v, j) => Math.abs(v - got[j])));
      const big = Math.max(...Array.from(expected, Math.abs));
      assert.ok(worst <= 1e-4 * Math.max(big, 1), `${name}: max |diff| ${worst}`);
    });
    await session.release();
    model.dispose();
  });

  it('a zoo model without weights: seeded random weights, said; --opset and --input-shape reach the file; an open batch stays open', async () => {
    const out = join(tmp, 'resnet18.onnx');
    const r = await runCliAsync(['export', RESNET, '--onnx', out, '--opset', '13', '--input-shape', '1,64,64,3', '--seed', '4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ONNX opset 13/);
    assert.match(r.stdout, /Weights: random weights \(seed 4\): outputs are not meaningful/);
    assert.match(r.stdout, /Note: random weights \(seed 4\)/);
    assert.match(r.stdout, /Inputs: input_1 \[1,64,64,3\]/);
    const fixed = decode(out);
    assert.equal(fixed.opsetImport[0].version, 13);
    assert.deepEqual(fixed.graph.input[0].type.tensorType.shape.dim.map((d) => d.dimValue), [1, 64, 64, 3]);

    const open = join(tmp, 'resnet18-open.onnx');
    assert.equal((await runCliAsync(['export', RESNET, '--onnx', open, '--weights', 'random'])).code, 0);
    const file = decode(open);
    assert.equal(file.opsetImport[0].version, 17);
    assert.deepEqual(file.graph.input[0].type.tensorType.shape.dim.map((d) => d.dimParam ?? d.dimValue), ['batch', 224, 224, 3]);
    // The open batch runs at 2.
    const session = await ort.InferenceSession.create(readFileSync(open));
    const results = await session.run({ input_1: new ort.Tensor('float32', random(2 * 224 * 224 * 3, 5), [2, 224, 224, 3]) });
    assert.deepEqual(results[session.outputNames[0]].dims, [2, 1000]);
    await session.release();
  });

  it('an ONNX model is copied byte for byte; --weights and --opset are refused for it', async () => {
    const out = join(tmp, 'copy.onnx');
    const r = await runCliAsync(['export', ONNX_MODEL, '--onnx', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the ONNX file as it is/);
    assert.ok(readFileSync(out).equals(readFileSync(ONNX_MODEL)));
    const weights = await runCliAsync(['export', ONNX_MODEL, '--onnx', out, '--weights', 'random']);
    assert.equal(weights.code, 2);
    assert.match(weights.stderr, /tiny_cnn\.onnx is an ONNX model and carries its own weights/);
    const opset = await runCliAsync(['export', ONNX_MODEL, '--onnx', out, '--opset', '13']);
    assert.equal(opset.code, 2);
    assert.match(opset.stderr, /copied as it is: drop --opset/);
  });

  it('refusals name the file or the option: exit 2 for usage, files and weights, 1 for a model with errors', async () => {
    const out = join(tmp, 'x.onnx');
    const cases: [string[], number, RegExp][] = [
      [['export', RESNET], 2, /export needs --onnx OUT\.onnx[\s\S]*Usage: cnn-lens export MODEL --onnx/],
      [['export', RESNET, '--onnx', out, '--opset', '12'], 2, /--opset "12": CNN Lens writes opsets 13 to 21/],
      [['export', join(tmp, 'missing.json'), '--onnx', out], 2, /cannot read .*missing\.json/],
      [['export', RESNET, '--onnx', RESNET], 2, /is the model itself/],
      [['export', RESNET, '--onnx', out, '--weights', join(tmp, 'none.h5')], 2, /cannot read .*none\.h5: no such file/],
      [['export', RESNET, '--onnx', out, '--weights', TFJS_MODEL], 2, /tfjs_multi_io\/model\.json does not match the model/],
      [['export', join(FIXTURES, 'keras3_sequential.json'), '--onnx', join(tmp, 'no', 'such', 'dir.onnx'), '--weights', 'random'], 2, /cannot write .*no\/such\/dir\.onnx/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runCliAsync(argv);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
    const text = readFileSync(join(FIXTURES, 'keras3_sequential.json'), 'utf8');
    const custom = join(tmp, 'custom.json');
    writeFileSync(custom, text.replace('"Flatten"', '"MyFlatten"'));
    const unknown = await runCliAsync(['export', custom, '--onnx', out]);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /custom\.json: cannot export flatten \(MyFlatten\) to ONNX: "MyFlatten" is not a layer CNN Lens knows/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, text.replace(/"filters": \d+/, '"filters": 0'));
    const errors = await runCliAsync(['export', broken, '--onnx', out]);
    assert.equal(errors.code, 1, errors.stderr);
    assert.match(errors.stderr, /broken\.json: error: .*filters[\s\S]*broken\.json: the model has errors; it cannot be exported/);
  });
});
