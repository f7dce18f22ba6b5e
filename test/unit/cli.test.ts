import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { FIXTURES, ROOT } from '../support/fixtures';

// The command line: output formats, the JSON schema, exit statuses and messages.

const fixture = (name: string) => join(FIXTURES, name);

describe('cnn-lens summary', () => {
  it('prints a table with every layer and the totals in human units', () => {
    const r = runCli(['summary', fixture('keras3_functional.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Model: tiny_resnet \(keras3-json\)/);
    assert.match(r.stdout, /stem_conv\s+Conv2D\s+1×32×32×16\s+448\s+14\.9%\s+442\.37K\s+15\.8%/);
    assert.match(r.stdout, /Total params:\s+3,002 \(3\.00K\)/);
    assert.match(r.stdout, /Non-trainable params:\s+32/);
    assert.match(r.stdout, /MACs \(mult-adds\):\s+2,801,824/);
  });

  it('--json follows the documented schema', () => {
    const r = runCli(['summary', fixture('keras3_functional.json'), '--json']);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['model', 'layers', 'totals', 'memory', 'diagnostics']);
    assert.deepEqual(Object.keys(doc.model), ['name', 'format', 'inputs', 'outputs']);
    assert.deepEqual(Object.keys(doc.layers[0]), ['name', 'type', 'inputs', 'outputShape', 'params', 'trainableParams', 'macs', 'flops', 'weightBytes', 'activationBytes']);
    assert.deepEqual(Object.keys(doc.totals), ['params', 'trainableParams', 'nonTrainableParams', 'macs', 'flops', 'weightBytes', 'activationBytes']);
    assert.deepEqual(doc.model.inputs, [{ name: 'input_layer', shape: [1, 64, 64, 3] }]);
    const residual = doc.layers.find((l: { name: string }) => l.name === 'residual');
    assert.deepEqual(residual.inputs, ['stem_bn', 'block_conv']);
    assert.equal(doc.totals.params, 3002);
    assert.equal(doc.totals.weightBytes, 3002 * 4);
    assert.deepEqual(doc.memory, { weightBytesByDtype: { float32: 3002 * 4 } });
  });

  it('reads an ONNX file (PyTorch\u2019s export) with the same schema: NCHW shapes, PyTorch\u2019s figures, bytes by dtype', () => {
    const truth = JSON.parse(readFileSync(fixture('onnx/tiny_cnn.json'), 'utf8'));
    const r = runCli(['summary', fixture('onnx/tiny_cnn.onnx'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model.format, 'onnx');
    assert.deepEqual(doc.model.inputs.map((i: { shape: number[] }) => i.shape), [truth.input.shape]);
    assert.deepEqual(doc.model.outputs.map((o: { shape: number[] }) => o.shape), [truth.output.shape]);
    assert.equal(doc.totals.params, truth.params.total);
    assert.equal(doc.totals.nonTrainableParams, truth.params.nonTrainable);
    assert.equal(doc.totals.macs, truth.macs);
    assert.deepEqual(doc.memory, { weightBytesByDtype: { float32: truth.params.total * 4 } });
    const table = runCli(['summary', fixture('onnx/tiny_cnn.onnx'), '--input-shape', '4,3,64,64']);
    assert.match(table.stdout, /input 4×3×64×64/);
    // The convolutions scale with batch × area (4 × 4); the classifier after the global pool with the batch alone.
    const gemm = doc.layers.find((l: { type: string }) => l.type === 'Gemm').macs;
    assert.match(table.stdout, new RegExp(`MACs \\(mult-adds\\):\\s+${((truth.macs - gemm) * 16 + gemm * 4).toLocaleString('en-US')} `));
  });

  it('reads a Caffe deploy.prototxt: the BVLC CaffeNet’s 60,965,224 params and 724,406,816 MACs, NCHW shapes per image', () => {
    const r = runCli(['summary', fixture('caffe/bvlc_reference_caffenet.deploy.prototxt'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model.format, 'caffe-prototxt');
    assert.deepEqual(doc.model.inputs.map((i: { shape: number[] }) => i.shape), [[1, 3, 227, 227]]);
    assert.equal(doc.totals.params, 60_965_224);
    assert.equal(doc.totals.macs, 724_406_816);
    const table = runCli(['summary', fixture('caffe/bvlc_reference_caffenet.deploy.prototxt'), '--batch', '10']);
    assert.match(table.stdout, /MACs \(mult-adds\):\s+7,244,068,160 /, 'the deploy file’s batch of ten: ten times the per-image MACs');
  });

  it('--input-shape and --batch scale shapes and costs', () => {
    const base = JSON.parse(runCli(['summary', fixture('keras3_functional.json'), '--json']).stdout);
    const big = JSON.parse(runCli(['summary', fixture('keras3_functional.json'), '--json', '--input-shape', '1,128,128,3', '--batch', '4']).stdout);
    assert.deepEqual(big.model.inputs[0].shape, [4, 128, 128, 3]);
    assert.equal(big.totals.params, base.totals.params, 'parameters do not depend on the input size');
    // Conv MACs scale with batch × area (16×); the dense head only with batch (4×).
    assert.equal(big.totals.macs, (base.totals.macs - 160) * 16 + 160 * 4);
  });

  it('--csv has exact integers and --markdown a table', () => {
    const csv = runCli(['summary', fixture('keras3_functional.json'), '--csv']).stdout.split('\n');
    assert.equal(csv[0], 'layer,type,output_shape,params,trainable_params,macs,flops,weight_bytes,activation_bytes');
    assert.match(csv[2], /^stem_conv,Conv2D,1×32×32×16,448,448,442368,/);
    const md = runCli(['summary', fixture('keras3_functional.json'), '--markdown']).stdout;
    assert.match(md, /\| stem_conv \| Conv2D \| 1×32×32×16 \| 448 \|/);
  });

  it('exit 1 when the model has errors, with the rest still analysed and the problem named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ class_name: 'Sequential', config: { name: 'b', layers: [{ class_name: 'Dense', config: { name: 'd1', units: 4, batch_input_shape: [null, 8] } }, { class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: 3 } }] } }));
    const r = runCli(['summary', file, '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.layers.find((l: { name: string }) => l.name === 'd1').params, 36);
    assert.equal(doc.diagnostics[0].layer, 'c');
    assert.match(r.stderr, new RegExp(`${file.replace(/[/.]/g, '\\$&')}: error: c \\(Conv2D\\): Conv2D needs a 4-D input`));
  });

  it('exit 2 for usage errors and unreadable files, naming the file and the reason', () => {
    const missing = runCli(['summary', '/no/such/model.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read \/no\/such\/model\.json: no such file/);
    assert.equal(runCli(['summary']).code, 2);
    assert.equal(runCli(['summary', fixture('keras3_functional.json'), '--json', '--csv']).code, 2);
    const badShape = runCli(['summary', fixture('keras3_functional.json'), '--input-shape', '1,abc']);
    assert.equal(badShape.code, 2);
    assert.match(badShape.stderr, /--input-shape "1,abc" is not a shape/);
    assert.equal(runCli(['summary', fixture('keras3_functional.json'), '--frobnicate']).code, 2);
    assert.equal(runCli(['explode']).code, 2);
  });

  it('the built binary runs and sets its exit status', function () {
    this.timeout(60_000);
    execFileSync('node', ['scripts/build.mjs'], { cwd: ROOT });
    const ok = spawnSync(join(ROOT, 'dist', 'cli.js'), ['summary', fixture('keras3_sequential.json')], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Total params:\s+11,738/);
    const bad = spawnSync(join(ROOT, 'dist', 'cli.js'), ['summary', 'nope.json'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });
});
