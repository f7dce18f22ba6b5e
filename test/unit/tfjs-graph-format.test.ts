import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core';
import { detectFormat, parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { looksLikeKerasModel } from '../../src/core/formats/keras/parse';
import { resolveRunWeights } from '../../src/core/runtime/preprocess';
import { WeightsError } from '../../src/core/runtime/weights';
import { openModelFile } from '../../src/cli/files';
import { FIXTURES, MODELS } from '../support/fixtures';
import { converterModel, graphFixturePath, graphFixtures } from '../support/tfjs-graph-fixtures';
import { attr, GraphBuilder } from '../../scripts/tfjs-graph/graph-builder';

// TF.js graph models as CNN Lens reads them: detection against layers models (both are model.json),
// the parse of the committed tiny model (ops, fused forms, quantised constants as stored, scopes as
// groups), parameter and byte totals against the weightsManifest, and bad input.

const TINY = join(FIXTURES, 'tfjs_graph_tiny');
const elements = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/** Every .json under a folder, recursively. */
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? jsonFiles(p) : f.endsWith('.json') ? [p] : [];
  });

/** The manifest's truth: elements of the float tensors (the weights; int32 ones are operands) and stored bytes by stored dtype. */
function manifestTruth(file: string) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights) as { shape: number[]; dtype: string; quantization?: { dtype: string } }[];
  const floats = specs.filter((s) => s.dtype === 'float32');
  const bytes: Record<string, number> = {};
  for (const s of floats) bytes[s.quantization?.dtype ?? s.dtype] = (bytes[s.quantization?.dtype ?? s.dtype] ?? 0) + elements(s.shape) * BYTES[s.quantization?.dtype ?? s.dtype];
  return { params: floats.reduce((n, s) => n + elements(s.shape), 0), bytes };
}

/** A copy of the tiny model in a temp folder, model.json edited, the shard replaced: for bad input. */
function tinyCopy(edit: (json: any) => void = () => {}, shard?: (bytes: Buffer) => Buffer | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-graph-'));
  const json = JSON.parse(readFileSync(join(TINY, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const bytes = readFileSync(join(TINY, 'group1-shard1of1.bin'));
  const replaced = shard ? shard(bytes) : bytes;
  if (replaced) writeFileSync(join(dir, 'group1-shard1of1.bin'), replaced);
  return join(dir, 'model.json');
}
const problems = (graph: { diagnostics: readonly { severity: string; message: string }[] }) => graph.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);

describe('TF.js graph models: detection', () => {
  it('every model.json of the zoo, the fixtures and the graph-model cache goes to the format its content says', function () {
    this.timeout(120_000);
    const files = [...jsonFiles(MODELS), ...jsonFiles(FIXTURES), ...graphFixtures().map(graphFixturePath)];
    let graphs = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const json = JSON.parse(text);
      // The truth from the JSON itself: a GraphDef node list, or a Keras config.
      const graph = Array.isArray(json?.modelTopology?.node);
      const format = detectFormat({ name: file, text: () => text, bytes: () => new TextEncoder().encode(text), sibling: () => Promise.reject(new Error('unused')) });
      if (graph) {
        graphs++;
        assert.equal(format?.id, 'tfjs-graph', `${file} is a graph model`);
        assert.equal(looksLikeKerasModel(text), false, `the Keras format does not claim ${file}`);
      } else if (looksLikeKerasModel(text)) assert.equal(format?.id, 'keras', `${file} is a Keras / layers model`);
    }
    // The tiny one and every model of the cache's index (3 generated, and the package's 11 where the registry was reachable).
    assert.equal(graphs, 1 + graphFixtures().length, `${graphs} graph models among ${files.length} files`);
  });

  it('a graph model without "format" (older converters) is still one; a layers model saying "layers-model" is not', () => {
    const text = readFileSync(join(TINY, 'model.json'), 'utf8').replace('"format":"graph-model",', '');
    assert.equal(detectFormat({ name: 'model.json', text: () => text, bytes: () => new TextEncoder().encode(text), sibling: () => Promise.reject(new Error('unused')) })?.id, 'tfjs-graph');
    const layers = readFileSync(join(FIXTURES, 'tfjs_multi_io', 'model.json'), 'utf8');
    assert.equal(detectFormat({ name: 'model.json', text: () => layers, bytes: () => new TextEncoder().encode(layers), sibling: () => Promise.reject(new Error('unused')) })?.id, 'keras');
  });
});

describe('TF.js graph models: the parse', () => {
  it('the tiny model: ops of the op table, fused bias and activation on the node, constants as stored, scopes as groups', async () => {
    const graph = await parseSourceWithFiles(openModelFile(join(TINY, 'model.json')));
    assert.deepEqual(problems(graph), []);
    const op = (id: string) => graph.nodes.find((n) => n.id === id)!;
    assert.equal(graph.format, 'tfjs-graph');
    assert.deepEqual([op('stem/Pad').op, op('stem/Pad').attrs.padding], ['ZeroPadding2D', [[1, 1], [1, 1]]]);
    const conv = op('stem/conv/Relu6');
    assert.deepEqual([conv.op, conv.sourceClass, conv.attrs.useBias, conv.attrs.activation, conv.attrs.padding, conv.attrs.pads, conv.attrs.strides], ['Conv2D', '_FusedConv2D', true, 'relu6', 'explicit', [0, 0, 1, 1], [2, 2]]);
    assert.deepEqual(conv.sourceAttrs!.fused_ops, ['BiasAdd', 'Relu6'], 'base64 strings decoded');
    assert.deepEqual([op('block/dw/Relu').op, op('block/dw/Relu').attrs.activation], ['DepthwiseConv2D', 'relu']);
    assert.deepEqual([op('head/fc/Relu').op, op('head/fc/Relu').attrs.units], ['Dense', 10]);
    assert.deepEqual([op('head/concat').op, op('head/concat').attrs.axis], ['Concatenate', 3]);
    assert.deepEqual([op('head/Mean').op, op('head/Mean').attrs.axes], ['ReduceMean', [1, 2]]);
    assert.equal(graph.constants!['stem/conv/weights'].dtype, 'uint8');
    assert.equal(graph.constants!['stem/conv/weights'].byteLength, 216);
    assert.equal(graph.constants!['head/fc/weights'].dtype, 'float16');
    assert.equal(graph.constants!['head/fc/weights'].byteLength, 320);
    // A scope of two nodes or more is a group (block/pw: Conv2D and BiasAdd); block/dw, of one, is not.
    assert.deepEqual(graph.groups.map((g) => g.name).sort(), ['block', 'head', 'pw', 'stem']);
    assert.equal(op('head/Softmax').group, graph.groups.find((g) => g.name === 'head')!.id);
  });

  it('without the shards (an in-memory parse) the operand constants stay static inputs, with no error', () => {
    const graph = parseSource(openModelFile(join(TINY, 'model.json')));
    assert.deepEqual(problems(graph).filter((m) => /error/.test(m)), []);
    assert.equal(graph.nodes.find((n) => n.id === 'head/Mean')!.inputs.length, 2);
  });

  const TOTALS = ['mobilenet_v1', 'mobilenet_v1_uint8', 'mobilenet_v1_float16', 'blazeface', 'emotion', 'antispoof', 'liveness', 'facemesh', 'iris', 'faceres', 'handlandmark-lite'];
  it('parameters = the elements of the manifest’s float tensors, weight bytes = their stored bytes by stored dtype', async function () {
    this.timeout(120_000);
    const files = [join(TINY, 'model.json'), ...graphFixtures().filter((f) => TOTALS.includes(f.name)).map(graphFixturePath)];
    for (const file of files) {
      const analysis = analyze(await parseSourceWithFiles(openModelFile(file)));
      const truth = manifestTruth(file);
      assert.equal(analysis.totals.params, truth.params, `${file}: params`);
      assert.deepEqual(analysis.weightBytesByDtype, truth.bytes, `${file}: bytes by stored dtype`);
    }
  });

  it('models with ops CNN Lens does not know (TopKV2, GatherNd, TF1 while loops) open with those nodes opaque and a warning each, no error, never an exception', async function () {
    this.timeout(60_000);
    for (const f of graphFixtures().filter((g) => ['centernet', 'movenet-lightning', 'handtrack'].includes(g.name))) {
      const analysis = analyze(await parseSourceWithFiles(openModelFile(graphFixturePath(f))));
      // A while loop's back edge (NextIteration → Merge) is left out: no cycle is reported.
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).slice(0, 3), [], `${f.name}: no errors`);
      const unknown = analysis.graph.nodes.filter((n) => n.op === 'Unknown');
      assert.ok(unknown.length > 0, `${f.name} has opaque nodes`);
      for (const n of unknown) assert.ok(analysis.diagnostics.some((d) => d.node === n.id && d.message.includes(n.sourceClass)), `${n.id}: a diagnostic naming ${n.sourceClass}`);
    }
  });
});

describe('TF.js graph models: bad input names the file, the node and the reason', () => {
  const dirs: string[] = [];
  const copy = (...args: Parameters<typeof tinyCopy>) => {
    const file = tinyCopy(...args);
    dirs.push(join(file, '..'));
    return file;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a missing shard: an error naming the shard and the first Const it holds; loading weights says the same', async () => {
    const file = copy(undefined, () => undefined);
    const graph = await parseSourceWithFiles(openModelFile(file));
    const message = problems(graph).find((m) => m.includes('group1-shard1of1.bin'));
    assert.ok(message && message.includes(file) && /cannot be read/.test(message) && message.includes('"stem/paddings"'), message);
    const analysis = analyze(graph);
    await assert.rejects(resolveRunWeights(tf, analysis, openModelFile(file), undefined), (e: Error) => e instanceof WeightsError && e.message.includes('group1-shard1of1.bin'));
  });

  it('a short shard: an error naming the bytes and the first Const cut off', async () => {
    const file = copy(undefined, (b) => b.subarray(0, 600));
    const graph = await parseSourceWithFiles(openModelFile(file));
    const message = problems(graph).find((m) => /short/.test(m));
    assert.ok(message && message.includes(file) && message.includes('600 bytes'), message);
    const cut = graph.diagnostics.find((d) => /short/.test(d.message))!;
    assert.ok(cut.node && graph.nodes.some((n) => n.id === cut.node), `names a node (${cut.node})`);
    await assert.rejects(resolveRunWeights(tf, analyze(graph), openModelFile(file), undefined), (e: Error) => e instanceof WeightsError && /missing or truncated|short/.test(e.message));
  });

  it('an unknown op: opaque, a warning naming the node and the op; the nodes before it keep their shapes', async () => {
    const file = copy((j) => (j.modelTopology.node.find((n: { name: string }) => n.name === 'head/Softmax').op = 'MysteryOp'));
    const analysis = analyze(await parseSourceWithFiles(openModelFile(file)));
    const d = analysis.diagnostics.find((x) => x.code === 'unknown-op')!;
    assert.equal(d.node, 'head/Softmax');
    assert.ok(d.message.includes(file) && d.message.includes('MysteryOp'), d.message);
    assert.deepEqual(analysis.byId.get('head/logits/MatMul')!.outputShape, [1, 4]);
  });

  it('a bad base64 attribute: an error naming the node and the attribute; the node stays opaque', async () => {
    const file = copy((j) => (j.modelTopology.node.find((n: { name: string }) => n.name === 'stem/conv/Relu6').attr.padding = { s: 'not base64!' }));
    const graph = await parseSourceWithFiles(openModelFile(file));
    const d = graph.diagnostics.find((x) => x.code === 'attribute')!;
    assert.equal(d.node, 'stem/conv/Relu6');
    assert.ok(d.message.includes(file) && d.message.includes('"padding"') && /not base64/.test(d.message), d.message);
    assert.equal(graph.nodes.find((n) => n.id === 'stem/conv/Relu6')!.op, 'Unknown');
  });

  it('a shard named outside the model’s folder is refused by name, never read', async () => {
    const file = copy((j) => (j.weightsManifest[0].paths = ['../outside.bin']));
    const graph = await parseSourceWithFiles(openModelFile(file));
    assert.ok(problems(graph).some((m) => m.includes('../outside.bin') && /leaves the model/.test(m)), problems(graph).join('\n'));
  });

  it('not JSON, no node list, a manifest entry without a shape, a Const missing from the manifest: one clear error each', () => {
    const parse = (text: string) => parseSource({ name: 'bad/model.json', text: () => text, bytes: () => new TextEncoder().encode(text), sibling: () => Promise.reject(new Error('unused')) });
    const tiny = JSON.parse(readFileSync(join(TINY, 'model.json'), 'utf8'));
    const notJson = parse('{"format": "graph-model", ');
    assert.match(problems(notJson)[0], /bad\/model\.json: not valid JSON/);
    assert.match(problems(parse('{"format": "graph-model", "modelTopology": {}}'))[0], /no "node" list/);
    const noShape = structuredClone(tiny);
    delete noShape.weightsManifest[0].weights[0].shape;
    assert.match(problems(parse(JSON.stringify(noShape)))[0], /weightsManifest group 0 has an entry that is not \{name, shape, dtype\}/);
    const dropped = structuredClone(tiny);
    dropped.weightsManifest[0].weights = dropped.weightsManifest[0].weights.filter((w: { name: string }) => w.name !== 'block/pw/weights');
    const m = parse(JSON.stringify(dropped)).diagnostics.find((d) => d.node === 'block/pw/weights');
    assert.ok(m && /no entry in weightsManifest/.test(m.message), m?.message);
  });
});

describe('TF.js graph models: operand ops against tfjs-converter', () => {
  it('Slice (size -1 to the end), ArgMax, Squeeze, ExpandDims, Transpose, Reshape: the analysed shapes are the ones tfjs-converter computes', async () => {
    const b = new GraphBuilder(3);
    const F32 = { T: attr.type('DT_FLOAT') };
    const x = b.placeholder('x', [-1, 6, 5, 4]);
    const sliced = b.node('slice', 'Slice', [x, b.ints('slice/begin', [0, 1, 2, 0]), b.ints('slice/size', [-1, 3, -1, 2])], { ...F32, Index: attr.type('DT_INT32') });
    const arg = b.node('argmax', 'ArgMax', [sliced, b.ints('argmax/dimension', [3], [])], { ...F32, Tidx: attr.type('DT_INT32'), output_type: attr.type('DT_INT32') });
    const expanded = b.node('expand', 'ExpandDims', [sliced, b.ints('expand/dim', [1], [])], { ...F32, Tdim: attr.type('DT_INT32') });
    const transposed = b.node('transpose', 'Transpose', [expanded, b.ints('transpose/perm', [0, 2, 1, 3, 4])], { ...F32, Tperm: attr.type('DT_INT32') });
    const squeezed = b.node('squeeze', 'Squeeze', [transposed], { ...F32, squeeze_dims: attr.ints([2]) });
    const reshaped = b.node('reshape', 'Reshape', [squeezed, b.ints('reshape/shape', [-1, 6])], { ...F32, Tshape: attr.type('DT_INT32') });
    const files = b.files({ x: [-1, 6, 5, 4] }, [arg, reshaped]);
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-graph-ops-'));
    try {
      writeFileSync(join(dir, 'model.json'), files.modelJson);
      writeFileSync(join(dir, files.shardName), files.shard);
      const analysis = analyze(await parseSourceWithFiles(openModelFile(join(dir, 'model.json'))));
      assert.deepEqual(problems(analysis), []);
      const model = await converterModel(tf, join(dir, 'model.json'));
      const ids = ['slice', 'argmax', 'expand', 'transpose', 'squeeze', 'reshape'];
      const out = model.execute({ x: tf.zeros([1, 6, 5, 4]) }, ids) as tf.Tensor[];
      ids.forEach((id, i) => assert.deepEqual(analysis.byId.get(id)!.outputShape, out[i].shape, id));
      tf.dispose(out);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
