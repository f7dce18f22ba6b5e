import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliAsync } from '../../src/cli/main';
import { FIXTURES } from '../support/fixtures';

// `cnn-lens summary | run | profile | export` on a TF.js graph model: the shards are read for the
// operand constants and the weights; run and profile say the quantised weights were dequantised;
// the exported ONNX file reads back with the same parameters and MACs.

const TINY = join(FIXTURES, 'tfjs_graph_tiny', 'model.json');

describe('cnn-lens on a TF.js graph model', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tfjs-graph-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('summary --json: the totals, weight bytes as stored (216 uint8 + 320 float16 + 840 float32), exit 0', async () => {
    const r = await runCliAsync(['summary', TINY, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model.format, 'tfjs-graph');
    assert.equal(doc.totals.params, 586);
    assert.equal(doc.totals.macs, 17_448);
    assert.equal(doc.totals.weightBytes, 216 + 320 + 840);
  });

  it('run: its own weights, labelled as dequantised; four probabilities that sum to 1', async () => {
    const r = await runCliAsync(['run', TINY, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.match(doc.weights, /uint8-quantised, float16-quantised weights dequantised to float32/);
    const values = doc.outputs[0].values as number[];
    assert.equal(values.length, 4);
    assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  });

  it('profile: runs and reports the whole model', async () => {
    const r = await runCliAsync(['profile', TINY]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Whole model \(median of/);
  });

  it('export --onnx: the ONNX file reads back with the same parameters and MACs (float32 now)', async () => {
    const out = join(dir, 'tiny.onnx');
    const r = await runCliAsync(['export', TINY, '--onnx', out]);
    assert.equal(r.code, 0, r.stderr);
    const back = JSON.parse((await runCliAsync(['summary', out, '--json'])).stdout);
    assert.equal(back.totals.params, 586);
    assert.equal(back.totals.macs, 17_448);
  });
});
