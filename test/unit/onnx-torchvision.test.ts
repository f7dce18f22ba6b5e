import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { analyze } from '../../src/core/analysis/analyze';
import { buildReport } from '../../src/core/analysis/report';
import type { Analysis, AnalysisOptions } from '../../src/core/analysis/types';
import { onnxFormat } from '../../src/core/formats/onnx';
import { checkExternalData } from '../../src/core/formats/onnx/external-data';
import { parseSource } from '../../src/core/formats/registry';
import type { TensorShape } from '../../src/core/ir';
import { ensureOnnxFixtures, fixtureNames, fixturePath, fixtureSource, readTruth, type Truth } from '../support/onnx-fixtures';

// ONNX files written by PyTorch's exporter (torch 1.13, torchvision 0.14, seeded random weights;
// scripts/onnx/export_fixtures.py, cached outside the repo) against truth that does not come from
// CNN Lens:
//   (a) parameters and weight bytes by dtype = the sums Python computes over the file's
//       initializers and Constant tensors with the onnx package (F.json `totals`);
//   (b) every node output's shape = onnxruntime's, from running the all-outputs copy of the model
//       (every value a graph output) on a seeded random input;
//   (c) MACs = torch forward hooks' count (conv and linear multiplies, the rule of torchvision's
//       `_ops`), and within 1% of the figures torchvision publishes;
//   (d) symbolic dimensions: a dynamic batch at 1 and at 4; x.view(x.size(0), -1)'s shape arithmetic.
//
// Which tensors are parameters (decided here, computed in Python, F.json `tensors[].role`):
//   counted   every constant in a weight slot — Conv/ConvTranspose W and B, Gemm B and C (A too
//             when constant), MatMul's constant side, BatchNormalization's four vectors,
//             Instance/LayerNormalization scale and bias, PRelu's slope, a multi-element constant
//             operand of Add/Sub/Mul/Div — and, through DequantizeLinear / Cast / Identity, the
//             stored tensor behind such a slot (an int8 weight counts as its int8 elements and bytes);
//   not       int64 shape / axes / index constants (folded by the analysis), Clip's scalar bounds
//             (MobileNetV2's ReLU6), Pad's pads, Resize's scales, scalar operands, and the scales and
//             zero points of QuantizeLinear / DequantizeLinear (quantisation metadata);
//   once      a tensor stored once counts once however many nodes read it (squeezenet1_0_shared:
//             torch's exporter stores equal zero biases once and shares them through Identity nodes).
// Weight bytes are the counted tensors' bytes as stored: float16 is 2 bytes, int8 1, int32 4.
//
// The exporter folds BatchNormalization into the convolution before it (eval mode): the file has
// no BN, and each folded conv has a bias. So the file's count is torch's parameters − 2 × BN
// channels (γ, β gone) + the channels of convs that had no bias; BN's running statistics (torch
// buffers) are gone too. Each (a) row checks that reconciliation first, so the truth itself is checked.

/** The fixtures, in the script's order (a test checks the cache lists the same). */
const FIXTURES = [
  'resnet18', 'resnet50', 'mobilenet_v2', 'vgg16', 'alexnet', 'googlenet', 'squeezenet1_0', 'squeezenet1_0_shared',
  'resnet18_dynamic', 'view_reshape', 'resnet18_fp16', 'qdq_int8', 'resnet18_external', 'mobilenet_v2_constants',
];

/**
 * MACs torchvision publishes ("GFLOPS" on each model's docs page = `Weights.meta["_ops"]`, which
 * are GMACs: see ../shared/reference/published-figures.md §0 D3, §2, §3, §4, §6, §8.2). torchvision
 * 0.14's own metadata has no `_ops` (added in 0.15, PR #6936); the figures are from the current docs
 * pages (pytorch.org/vision/stable/models/generated/torchvision.models.<name>.html), for the same
 * architectures: ResNet-18 1.81, ResNet-50 4.09, MobileNetV2 0.30, VGG-16 15.47, AlexNet 0.71,
 * GoogLeNet 1.50, SqueezeNet 1.0 0.82 (the last is not in published-figures.md; docs page only).
 */
const PUBLISHED_GMACS: Readonly<Record<string, number>> = {
  resnet18: 1.81, resnet50: 4.09, mobilenet_v2: 0.30, vgg16: 15.47, alexnet: 0.71, googlenet: 1.50, squeezenet1_0: 0.82,
};
/** Variants carry their base model's figure. */
const BASE: Readonly<Record<string, string>> = {
  squeezenet1_0_shared: 'squeezenet1_0', resnet18_dynamic: 'resnet18', resnet18_fp16: 'resnet18', resnet18_external: 'resnet18', mobilenet_v2_constants: 'mobilenet_v2',
};

const fmt = (n: number) => n.toLocaleString('en-US');
const shapeText = (s: readonly unknown[] | null | undefined) => (s ? `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown');

// ------------------------------------------------------------------------------------------------
// Parsing and analysis, once per fixture and options.

const analyses = new Map<string, Analysis>();
function ours(name: string, options: AnalysisOptions = {}): Analysis {
  const key = `${name} ${JSON.stringify(options)}`;
  let a = analyses.get(key);
  if (!a) {
    const truth = readTruth(name);
    a = analyze(parseSource(fixtureSource(truth.file)), options);
    analyses.set(key, a);
  }
  return a;
}

/** Our shape for each ONNX value name: the output of the IR node that produces it (or a constant's shape). */
function ourShapes(a: Analysis): Map<string, TensorShape | undefined> {
  const shapes = new Map<string, TensorShape | undefined>();
  a.graph.nodes.forEach((node, i) => node.outputNames?.forEach((value, k) => shapes.set(value, a.nodes[i].outputShapes[k])));
  for (const [value, t] of Object.entries(a.graph.constants ?? {})) if (!shapes.has(value)) shapes.set(value, t.shape);
  return shapes;
}

const nonZero = (o: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)));

// ------------------------------------------------------------------------------------------------
// onnxruntime: every value of the all-outputs copy, on a seeded random input.

interface OrtTensor { readonly dims: readonly number[] }
interface OrtSession { run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>; release(): Promise<void> }
interface Ort {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array, dims: readonly number[]) => unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = (): Ort => require('onnxruntime-node') as Ort;

/** A seeded standard-normal-ish input (sum of uniforms from a 32-bit LCG): the same numbers every run. */
function seededInput(n: number, seed = 12345): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) out[i] = u() + u() + u() + u() - 2;
  return out;
}

const ortDims = new Map<string, Map<string, readonly number[]>>();
/** ORT's dims of every value of the all-outputs model `file`, with symbolic dims set to `batch`. */
async function ortShapes(truth: Truth, batch = 1): Promise<Map<string, readonly number[]>> {
  const key = `${truth.allOutputs} ${batch}`;
  const cached = ortDims.get(key);
  if (cached) return cached;
  const { InferenceSession, Tensor } = ort();
  const session = await InferenceSession.create(fixturePath(truth.allOutputs), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2, interOpNumThreads: 1 });
  try {
    const feeds: Record<string, unknown> = {};
    for (const input of truth.inputs) {
      const dims = (input.dims ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : batch));
      feeds[input.name] = new Tensor('float32', seededInput(dims.reduce((p, d) => p * d, 1)), dims);
    }
    const results = await session.run(feeds);
    const dims = new Map(Object.entries(results).map(([name, t]) => [name, [...t.dims]] as const));
    ortDims.set(key, dims);
    return dims;
  } finally {
    await session.release();
  }
}

// ------------------------------------------------------------------------------------------------

describe('ONNX from PyTorch’s exporter: torchvision models against independent truth', function () {
  before(function () {
    this.timeout(45 * 60_000); // generates the fixtures (about a minute) when the cache is missing or stale
    ensureOnnxFixtures();
  });
  after(() => analyses.clear());

  it('the fixture cache lists the fixtures this test knows', () => {
    assert.deepEqual(fixtureNames(), FIXTURES);
  });

  describe('(a) parameters and weight bytes by dtype = the sums over the file’s tensors', () => {
    for (const name of FIXTURES) {
      it(name, function () {
        this.timeout(120_000);
        const truth = readTruth(name);
        const t = truth.torch;
        if (t.params !== undefined) {
          // The truth checked against torch first: BN folded (γ, β gone, bias-less convs gain a bias),
          // and tensors the exporter stores once (Identity over an initializer) counted once.
          const stored = new Map(truth.tensors.map((x) => [x.name, x.elements]));
          const shared = truth.nodes.filter((n) => n.op === 'Identity' && stored.has(n.inputs[0])).reduce((s, n) => s + stored.get(n.inputs[0])!, 0);
          const expected = t.params - 2 * (t.bnChannels ?? 0) + (t.convOutChannelsNoBias ?? 0) - shared;
          assert.equal(truth.totals.params, expected, `truth: ${fmt(truth.totals.params)} counted in the file, torch's ${fmt(t.params)} reconciled gives ${fmt(expected)}`);
        }
        const a = ours(name);
        assert.equal(a.totals.params, truth.totals.params,
          `${name}: ours ${fmt(a.totals.params)} params, the file's weight tensors hold ${fmt(truth.totals.params)} (all constants: ${fmt(truth.totals.allConstants)}); ` +
          `diagnostics: ${a.diagnostics.filter((d) => d.severity !== 'info').slice(0, 3).map((d) => d.message).join(' | ') || 'none'}`);
        assert.deepEqual(nonZero(a.weightBytesByDtype), nonZero(truth.totals.weightBytesByDtype), `${name}: weight bytes by dtype (ours vs Python's)`);
        assert.equal(a.totals.weightBytes, truth.totals.weightBytes, `${name}: total weight bytes`);
      });
    }
  });

  describe('(b) every node output’s shape = onnxruntime’s', () => {
    for (const name of FIXTURES) {
      it(name, async function () {
        this.timeout(300_000);
        const truth = readTruth(name);
        const ortOut = await ortShapes(truth);
        const shapes = ourShapes(ours(name));
        const values = truth.nodes.flatMap((n) => n.outputs.filter((o) => o !== '').map((o) => ({ node: n, value: o })));
        assert.ok(values.length > 0);
        const bad: string[] = [];
        for (const { node, value } of values) {
          const theirs = ortOut.get(value);
          assert.ok(theirs, `onnxruntime did not report ${value} (${truth.allOutputs})`);
          const mine = shapes.get(value);
          if (!mine || mine.length !== theirs.length || mine.some((d, i) => d !== theirs[i])) bad.push(`${node.name || value} (${node.op}) → ${value}: ours ${shapeText(mine)}, onnxruntime ${shapeText(theirs)}`);
        }
        assert.deepEqual(bad, [], `${name}: ${bad.length} of ${values.length} node outputs differ from onnxruntime:\n  ${bad.slice(0, 12).join('\n  ')}${bad.length > 12 ? `\n  … ${bad.length - 12} more` : ''}`);
      });
    }
  });

  describe('(c) MACs = torch’s hook count, and within 1% of torchvision’s published figure', () => {
    for (const name of FIXTURES) {
      const published = PUBLISHED_GMACS[BASE[name] ?? name];
      it(`${name}${published ? ` (published ${published} G)` : ''}`, function () {
        this.timeout(120_000);
        const truth = readTruth(name);
        const a = ours(name);
        assert.equal(a.totals.macs, truth.torch.macs, `${name}: ours ${fmt(a.totals.macs)} MACs, ${truth.macsFrom ?? 'torch hooks'} ${fmt(truth.torch.macs)}`);
        if (published) {
          const g = a.totals.macs / 1e9;
          assert.ok(Math.abs(g - published) <= 0.01 * published, `${name}: ${g.toFixed(4)} GMACs is not within 1% of torchvision's ${published}`);
        }
      });
    }
  });

  describe('(d) symbolic dimensions and folded shape arithmetic', () => {
    it("resnet18_dynamic: the symbolic 'batch' is computed at 1, and at 4 with inputShape; shapes and MACs scale", async function () {
      this.timeout(300_000);
      const truth = readTruth('resnet18_dynamic');
      assert.deepEqual(truth.inputShape, ['batch', 3, 224, 224], 'the fixture has a symbolic batch');
      const one = ours('resnet18_dynamic');
      const four = ours('resnet18_dynamic', { inputShape: [4, 3, 224, 224] });
      const input = one.graph.inputs[0];
      assert.deepEqual(one.inputShapes.get(input), [1, 3, 224, 224]);
      assert.ok(one.assumedDims.some((d) => d.input === input && d.axis === 0 && d.name === 'batch' && d.value === 1), `assumed dims: ${JSON.stringify(one.assumedDims)}`);
      assert.deepEqual(four.inputShapes.get(input), [4, 3, 224, 224]);
      assert.equal(one.totals.macs, truth.torch.macs, 'batch 1 MACs = torch hooks at batch 1');
      assert.equal(four.totals.macs, truth.torch.batch4, 'batch 4 MACs = torch hooks at batch 4');
      assert.equal(truth.torch.batch4, 4 * truth.torch.macs);
      assert.equal(four.totals.params, one.totals.params, 'parameters do not depend on the batch');
      // Every activation at batch 4 is ORT's batch-1 shape with the batch replaced.
      const ortOut = await ortShapes(truth, 1);
      const s4 = ourShapes(four);
      const bad: string[] = [];
      for (const n of truth.nodes) {
        for (const v of n.outputs) {
          const t = ortOut.get(v);
          if (!t || t.length < 2) continue; // 0-d / 1-d values (none in this graph) carry no batch
          const expected = [4, ...t.slice(1)];
          const mine = s4.get(v);
          if (!mine || mine.join() !== expected.join()) bad.push(`${n.name} → ${v}: ours ${shapeText(mine)}, expected ${shapeText(expected)}`);
        }
      }
      assert.deepEqual(bad, [], `batch 4:\n  ${bad.slice(0, 10).join('\n  ')}`);
      const out4 = buildReport(four).model.outputs[0];
      assert.deepEqual(out4.shape, [4, 1000]);
    });

    it('view_reshape: x.view(x.size(0), -1) gets a real Reshape shape, and the folded Shape/Gather/Unsqueeze/Concat are hidden from the report', async function () {
      this.timeout(120_000);
      const truth = readTruth('view_reshape');
      const chain = ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape'];
      for (const op of chain) assert.ok(truth.opCounts[op] >= 1, `the export has ${op} (${JSON.stringify(truth.opCounts)})`);
      const reshape = truth.nodes.find((n) => n.op === 'Reshape')!;
      const ortOut = await ortShapes(truth);
      assert.deepEqual(ortOut.get(reshape.outputs[0]), [1, 512], 'onnxruntime: Reshape gives [1, 512]');
      for (const batch of [1, 3]) {
        const a = batch === 1 ? ours('view_reshape') : ours('view_reshape', { inputShape: [batch, 3, 32, 32] });
        const idx = a.graph.nodes.findIndex((n) => n.outputNames?.includes(reshape.outputs[0]));
        assert.ok(idx >= 0, `an IR node produces ${reshape.outputs[0]}`);
        assert.deepEqual(a.nodes[idx].outputShape, [batch, 512], `batch ${batch}: the Reshape's shape (ours ${shapeText(a.nodes[idx].outputShape)})`);
        const report = buildReport(a);
        const drawn = new Set(report.layers.map((l) => l.name));
        assert.ok(drawn.has(a.graph.nodes[idx].id), 'the Reshape is drawn');
        const arithmetic = truth.nodes.filter((n) => ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant'].includes(n.op));
        for (const n of arithmetic) {
          const node = a.graph.nodes.find((x) => x.outputNames?.includes(n.outputs[0]));
          assert.ok(node, `an IR node for ${n.name} (${n.op})`);
          assert.ok(!drawn.has(node.id), `${n.name} (${n.op}) is folded and not in the report's layers`);
        }
        const output = report.model.outputs[0];
        assert.deepEqual(output.shape, [batch, 10]);
        assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), [], 'no errors');
      }
    });
  });

  describe('openings', () => {
    for (const name of FIXTURES) {
      it(`${name} opens with no errors and no unknown operators`, function () {
        this.timeout(120_000);
        const a = ours(name);
        const problems = a.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);
        assert.deepEqual(problems.slice(0, 8), [], `${name}: ${problems.length} diagnostics`);
        assert.deepEqual(a.graph.nodes.filter((n) => n.op === 'Unknown').map((n) => n.sourceClass), []);
      });
    }

    it('resnet18_external: the tensors saved as external data are located in the data file as written; the file checks clean, and every slice read = Python\'s bytes (sha256)', async function () {
      this.timeout(120_000);
      const truth = readTruth('resnet18_external');
      const source = fixtureSource(truth.file);
      const graph = parseSource(source);
      const located = Object.values(graph.constants ?? {}).filter((t) => t.location?.file === truth.externalData);
      const external = truth.tensors.filter((t) => t.external);
      assert.ok(external.length > 0);
      assert.deepEqual(new Set(located.map((t) => t.name)), new Set(external.map((t) => t.name)), `the tensors onnx.save_model moved out live in ${truth.externalData}`);
      const placed = new Map(external.map((t) => [t.name, t.external!]));
      for (const t of located) assert.deepEqual({ file: t.location!.file, offset: t.location!.offset, length: t.location!.length }, { file: placed.get(t.name)!.location, offset: placed.get(t.name)!.offset, length: placed.get(t.name)!.length }, `${t.name}: its slice as the file declares it`);
      assert.deepEqual(graph.diagnostics.filter((d) => /external|tensor-size/.test(d.code)).map((d) => d.message), [], 'no external-data problems at parse');
      assert.deepEqual((await checkExternalData(source, graph)).map((d) => d.message), [], 'checkExternalData finds the file and every slice inside it');
      const digests = new Map(truth.tensors.map((t) => [t.name, t.sha256]));
      for (const t of located) {
        const bytes = await onnxFormat.tensorBytes!(source, graph, t);
        assert.equal(bytes.byteLength, t.byteLength, `${t.name}: bytes read`);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), digests.get(t.name), `${t.name}: the slice read from ${truth.externalData} is the tensor Python wrote`);
      }
    });
  });
});
