// The analysis worker (src/node/analysis): what it answers equals the in-process analysis of the
// same file, a newer request for a document supersedes the running one, and the calling thread
// keeps running while a big model is analysed.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { analyze, analyzeText } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { AnalysisWorker, Superseded } from '../../src/node/analysis/analysis-worker';
import { NODES_PER_SLICE } from '../../src/node/analysis/protocol';
import { largeModel } from '../../scripts/large-model';

const ROOT = join(__dirname, '..', '..');
const fixture = (...p: string[]) => join(ROOT, 'test', 'fixtures', ...p);

describe('analysis worker', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  let worker: AnalysisWorker;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-worker-'));
    script = join(dir, 'analysis-worker.js');
    // The same bundle options as scripts/build.mjs gives dist/analysis-worker.js.
    await esbuild.build({ entryPoints: [join(ROOT, 'src/node/analysis/worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], logLevel: 'warning' });
  });
  beforeEach(() => (worker = new AnalysisWorker(script)));
  afterEach(() => worker.dispose());
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a Keras model exactly as the host would analyse it, shared nodes kept shared', async () => {
    const text = readFileSync(fixture('multi_io.json'), 'utf8');
    const got = await worker.analyze('multi_io', { name: 'multi_io.json', text });
    // Crossing threads is a structured clone: the same data, but the null-prototype objects of
    // jsonc-parser's values arrive as plain objects (as they do in the webview's messages).
    const want = structuredClone(analyzeText(text, 'multi_io.json'));
    assert.deepEqual(got, want);
    assert.ok(got.nodes.length > 5);
    for (const n of got.nodes) assert.equal(got.byId.get(n.id), n, `byId holds the node objects of nodes (${n.id})`);
  });

  it('answers an ONNX file from its bytes (transferred) as the host would', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('onnx', 'tiny_cnn.onnx')));
    const want = analyze(parseSource(bytesSource('tiny_cnn.onnx', bytes.slice())));
    const got = await worker.analyze('tiny', { name: 'tiny_cnn.onnx', bytes });
    assert.equal(bytes.byteLength, 0, 'the buffer moved to the worker instead of being copied');
    assert.deepEqual(got, structuredClone(want));
    assert.equal(got.totals.params, JSON.parse(readFileSync(fixture('onnx', 'tiny_cnn.json'), 'utf8')).params.total, "PyTorch's parameter count");
  });

  it('a file that is not a model gets diagnostics, not a rejection', async () => {
    const got = await worker.analyze('junk', { name: 'junk.json', text: '{"not": "a model"' });
    assert.ok(got.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(got.diagnostics));
  });

  it('the calling thread keeps running while a big model is analysed, and gets the same analysis', async () => {
    const text = JSON.stringify(largeModel(5_000));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const got = await worker.analyze('big', { name: 'big.json', text });
    clearInterval(timer);
    assert.ok(ticks > 0, 'timers of the calling thread fired while the worker analysed');
    // (sent in slices of NODES_PER_SLICE nodes: put back together exactly)
    assert.ok(got.nodes.length > NODES_PER_SLICE);
    assert.deepEqual(got, structuredClone(analyzeText(text, 'big.json')));
    for (const n of got.nodes) assert.equal(got.byId.get(n.id), n);
  });

  it('a newer version of a document stops the analysis of the older one; other documents wait their turn', async () => {
    const big = JSON.stringify(largeModel(20_000));
    const small = readFileSync(fixture('multi_io.json'), 'utf8');
    const older = worker.analyze('doc', { name: 'big.json', text: big });
    const otherDoc = worker.analyze('other', { name: 'multi_io.json', text: small });
    await new Promise((r) => setTimeout(r, 300)); // the big one is running now
    assert.ok(worker.busyWith('doc') && worker.busyWith('other'));
    const newer = worker.analyze('doc', { name: 'multi_io.json', text: small });
    await assert.rejects(older, Superseded);
    const want = analyzeText(small, 'multi_io.json');
    assert.deepEqual((await newer).totals, want.totals);
    assert.deepEqual((await otherDoc).totals, want.totals);
    assert.equal(worker.busyWith('doc'), false);
  });

  it('cancel (the document closed) stops its analysis and starts the next document\'s', async () => {
    const closed = worker.analyze('closed', { name: 'big.json', text: JSON.stringify(largeModel(20_000)) });
    const next = worker.analyze('next', { name: 'multi_io.json', text: readFileSync(fixture('multi_io.json'), 'utf8') });
    await new Promise((r) => setTimeout(r, 300));
    worker.cancel('closed');
    await assert.rejects(closed, Superseded);
    assert.equal((await next).graph.nodes.length, analyzeText(readFileSync(fixture('multi_io.json'), 'utf8'), 'multi_io.json').graph.nodes.length);
  });

  it('dispose rejects what is queued and running', async () => {
    const running = worker.analyze('a', { name: 'big.json', text: JSON.stringify(largeModel(20_000)) });
    const queued = worker.analyze('b', { name: 'multi_io.json', text: readFileSync(fixture('multi_io.json'), 'utf8') });
    worker.dispose();
    await assert.rejects(running, Superseded);
    await assert.rejects(queued, Superseded);
  });
});
