import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runCliAsync } from '../../src/cli/main';
import { writeNpy } from '../../src/core/runtime/npy';
import { readTfliteIndex, tfliteFixturePath } from '../support/tflite-fixtures';

// `cnn-lens summary|run|profile|export` on .tflite files (scripts/tflite/export_fixtures.py): the
// figures Python's flatbuffers counts, a run equal to numpy's from the file's own weights, and the
// labels that say a quantised model ran in float32 after dequantisation.

interface Oracle { readonly input: number[]; readonly inputShape: number[]; readonly output: number[] }

describe('cnn-lens on TFLite files', function () {
  this.timeout(180_000);
  const index = readTfliteIndex();
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-tflite-'));

  it('summary: every_op.tflite’s totals, its weights by stored type, the custom op’s warning', () => {
    const r = runCli(['summary', tfliteFixturePath('every_op.tflite')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Total params:\\s+${index.files['every_op.tflite'].totals.params.toLocaleString('en-US')} `));
    assert.match(r.stdout, new RegExp(`MACs \\(mult-adds\\):\\s+≥ ${index.files['every_op.tflite'].totals.macs.toLocaleString('en-US')} `));
    assert.match(r.stdout, /Weights:.*float32.*float16.*int8|Weights:.*\(.*int8.*\)/);
    assert.match(r.stderr, /custom operator "MyPostprocess"/);
  });

  it('summary of a broken file: exit 1, the tensor and the reason', () => {
    const r = runCli(['summary', tfliteFixturePath('bad_shape.tflite')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tensor 1 \("conv\/filter"\) declares shape \[4, 3, 3, 3\] of FLOAT32 \(432 bytes\), but its buffer 1 holds 100 bytes/);
  });

  it('run --json: the output numpy computes from the file’s weights, and where the weights came from', async () => {
    const oracle = (index.files['run_check.tflite'] as unknown as { oracle: Oracle }).oracle;
    const npy = join(dir, 'input.npy');
    writeFileSync(npy, writeNpy({ dtype: 'float32', shape: oracle.inputShape, data: Float32Array.from(oracle.input) }));
    const r = await runCliAsync(['run', tfliteFixturePath('run_check.tflite'), '--input', npy, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { outputs: { values: number[] }[]; weights: string };
    out.outputs[0].values.forEach((v, i) => assert.ok(Math.abs(v - oracle.output[i]) < 1e-5, `output[${i}] ${v} vs numpy ${oracle.output[i]}`));
    assert.match(JSON.stringify(out), /int8 model run in float32 after dequantisation/);
  });

  it('profile and export: an int8 MobileNet, labelled as run in float32 after dequantisation', async () => {
    const p = await runCliAsync(['profile', tfliteFixturePath('run_check.tflite'), '--runs', '2', '--warmup', '1']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /CONV_2D/);
    const onnx = join(dir, 'm.onnx');
    const e = await runCliAsync(['export', tfliteFixturePath('mobilenet_v1_int8.tflite'), '--onnx', onnx]);
    assert.equal(e.code, 0, e.stderr);
    assert.ok(existsSync(onnx));
    assert.match(e.stdout, /int8 model run in float32 after dequantisation/);
  });
});
