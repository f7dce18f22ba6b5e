import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { analyze } from '../../src/core/analysis/analyze';
import { exportOnnx } from '../../src/core/engine/onnx-export';
import { plainWeights } from '../../src/core/engine/plain-weights';
import { parseSource } from '../../src/core/formats/registry';
import { tfliteFormat } from '../../src/core/formats/tflite';
import { execute } from '../../src/core/runtime/executor';
import { disposeWeights } from '../../src/core/runtime/weight-map';
import { readTfliteIndex, tfliteSource } from '../support/tflite-fixtures';

// A TFLite model runs with its own weights — float16 widened, int8 dequantised per channel, kernels
// re-laid out from OHWI / 1HWO / [units, in] — on ONNX Runtime (through the IR → ONNX exporter) and
// on tfjs, and both give what numpy computes in float64 from the file's weights
// (scripts/tflite/export_fixtures.py, run_check.tflite's `oracle`).

interface Oracle { readonly input: number[]; readonly inputShape: number[]; readonly output: number[] }

describe('TFLite on the engine', function () {
  this.timeout(120_000);
  const oracle = (readTfliteIndex().files['run_check.tflite'] as unknown as { oracle: Oracle }).oracle;

  const open = async (file: string) => {
    const source = tfliteSource(file);
    const analysis = analyze(parseSource(source));
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
    const loaded = await tfliteFormat.ownWeights!(source, analysis, { tf });
    return { analysis, loaded };
  };

  const close = (got: ArrayLike<number>, want: readonly number[], what: string) => {
    assert.equal(got.length, want.length, `${what}: length`);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `${what}[${i}]: ${got[i]} vs numpy ${want[i]}`);
  };

  it('run_check.tflite (float32 conv, float16 depthwise, int8 per-channel dense, uint8 zero point 128 operand) equals numpy on ONNX Runtime and on tfjs', async () => {
    const { analysis, loaded } = await open('run_check.tflite');
    assert.equal(loaded.source, "the TFLite file's own weights (run_check.tflite; int8/uint8 model run in float32 after dequantisation (the integer kernels' rounding is not reproduced); float16 weights read as float32)");
    const exported = exportOnnx(analysis, await plainWeights(loaded.weights));
    const session = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ [exported.inputs[0]]: new ort.Tensor('float32', Float32Array.from(oracle.input), oracle.inputShape) });
      close(out[exported.outputs[0]].data as Float32Array, oracle.output, 'ONNX Runtime');
    } finally {
      await session.release();
    }
    const input = tf.tensor(oracle.input, oracle.inputShape);
    const { outputs } = await execute(tf, analysis, loaded.weights, [input]);
    close(await outputs[0].data(), oracle.output, 'tfjs');
    outputs.forEach((t) => t.dispose());
    input.dispose();
    disposeWeights(loaded.weights);
  });

  it('MediaPipe’s BlazeFace (npm, float16): ONNX Runtime and tfjs agree on both outputs (no TFLite runtime here to be the oracle)', async function () {
    if (!readTfliteIndex().files['npm/face_detection_short_range.tflite']) this.skip();
    const { analysis, loaded } = await open('npm/face_detection_short_range.tflite');
    const data = Float32Array.from({ length: 128 * 128 * 3 }, (_, i) => ((i * 7919) % 256) / 255);
    const exported = exportOnnx(analysis, await plainWeights(loaded.weights));
    const session = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: 1 });
    let fromOrt: Float32Array[];
    try {
      const out = await session.run({ [exported.inputs[0]]: new ort.Tensor('float32', data, [1, 128, 128, 3]) });
      fromOrt = exported.outputs.map((name) => out[name].data as Float32Array);
    } finally {
      await session.release();
    }
    const input = tf.tensor(data, [1, 128, 128, 3]);
    const { outputs } = await execute(tf, analysis, loaded.weights, [input]);
    for (const [i, t] of outputs.entries()) {
      const got = await t.data();
      const scale = fromOrt[i].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      assert.equal(got.length, fromOrt[i].length);
      for (let k = 0; k < got.length; k++) assert.ok(Math.abs(got[k] - fromOrt[i][k]) <= 1e-4 * scale, `output ${i}[${k}]: tfjs ${got[k]} vs ORT ${fromOrt[i][k]}`);
    }
    outputs.forEach((t) => t.dispose());
    input.dispose();
    disposeWeights(loaded.weights);
  });

  it('an int8 MobileNet exports to ONNX with its dequantised weights, labelled so', async () => {
    const { analysis, loaded } = await open('mobilenet_v1_int8.tflite');
    assert.match(loaded.source, /int8 model run in float32 after dequantisation/);
    const exported = exportOnnx(analysis, await plainWeights(loaded.weights));
    disposeWeights(loaded.weights);
    const session = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ [exported.inputs[0]]: new ort.Tensor('float32', new Float32Array(224 * 224 * 3).fill(0.5), [1, 224, 224, 3]) });
      const probs = out[exported.outputs[0]].data as Float32Array;
      assert.equal(probs.length, 1000);
      assert.ok(Math.abs(probs.reduce((s, p) => s + p, 0) - 1) < 1e-4, 'softmax sums to 1');
    } finally {
      await session.release();
    }
  });
});
