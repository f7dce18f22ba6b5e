import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyze, type Analysis } from '../../src/core';
import { tapValues, withExtraOutputs } from '../../src/core/engine/onnx-taps';
import { ModelProto } from '../../src/core/formats/onnx/proto';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { mulberry32 } from '../../src/core/runtime/random-weights';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { exportOnnx } from '../../src/core/engine/onnx-export';
import { plainWeights } from '../../src/core/engine/plain-weights';
import { randomWeights } from '../../src/core/runtime/random-weights';
import { arrayPreviews } from '../../src/core/runtime/thumbnails';
import { engineModelOf, onnxFileModel, type EngineModel } from '../../src/node/engine/engine-model';
import { enginePreviews, irLayout } from '../../src/node/engine/previews';
import { EngineSession } from '../../src/node/engine/session';
import type { EngineTensor } from '../../src/node/engine/tensors';
import { analyzeModel, FIXTURES } from '../support/fixtures';
import { fixturePath, readTruth } from '../support/onnx-fixtures';

// ONNX files run through CNN Lens's engine equal onnxruntime running the same file directly:
// every output, and every tapped layer against the value ORT gives for it as a graph output of
// the fixture's all-outputs copy (export_fixtures.py lists every value as an output there).

const TINY = join(FIXTURES, 'onnx', 'tiny_cnn.onnx');

function open(file: string): { analysis: Analysis; model: EngineModel; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(file));
  const analysis = analyze(parseSource(bytesSource(file, bytes)));
  return { analysis, model: onnxFileModel(analysis, bytes), bytes };
}

function randomInputs(analysis: Analysis, seed: number): EngineTensor[] {
  const rand = mulberry32(seed);
  return analysis.graph.inputs.map((id) => {
    const shape = analysis.inputShapes.get(id)!.map((d) => d ?? 1) as number[];
    return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rand() * 2 - 1) };
  });
}

/** ORT's own run of a file: every output by name. */
async function ortDirect(file: string, feeds: Record<string, EngineTensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, [...v.shape])]));
    return (await session.run(inputs)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

function assertClose(got: EngineTensor, want: ort.Tensor, what: string): void {
  assert.deepEqual([...got.shape], [...want.dims], `${what}: shape`);
  const w = want.data as Float32Array;
  const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(got.data[i] - w[i]) <= 1e-5 * scale, `${what}[${i}]: ${got.data[i]} vs ${w[i]}`);
}

describe('engine: ONNX Runtime sessions', () => {
  it('withExtraOutputs appends graph outputs to the ModelProto bytes, skipping existing and repeated ones; ORT reads the merge', async () => {
    const { bytes, model } = open(TINY);
    const merged = withExtraOutputs(bytes, ['/stem/stem.1/Relu_output_0', '/stem/stem.1/Relu_output_0', model.outputs[0]], model.outputs);
    assert.deepEqual(merged.subarray(0, bytes.length), bytes, 'the original bytes are kept as they are');
    // protobufjs replaces an embedded message seen twice instead of merging it (the spec's rule, which ORT's protobuf follows): read the tail alone.
    const tail = ModelProto.decode(merged.subarray(bytes.length)) as unknown as { graph: { output: { name: string; type?: unknown }[] } };
    assert.deepEqual(tail.graph.output.map((o) => o.name), ['/stem/stem.1/Relu_output_0']);
    assert.equal(tail.graph.output[0].type, null, 'untyped: ORT infers the type');
    const session = await ort.InferenceSession.create(merged);
    assert.deepEqual(session.outputNames, [...model.outputs, '/stem/stem.1/Relu_output_0']);
    await session.release();
    assert.equal(withExtraOutputs(bytes, model.outputs, model.outputs), bytes, 'nothing to add: the same bytes');
  });

  it('tapValues taps every computed layer by its first output, never a constant, and refuses unknown ids', () => {
    const { analysis, model } = open(TINY);
    const values = tapValues(analysis.graph, model.layerValues, 'all');
    const computed = analysis.graph.nodes.filter((n) => n.op !== 'Constant');
    assert.deepEqual([...values.keys()], computed.map((n) => n.id));
    for (const n of computed) assert.equal(values.get(n.id), n.outputNames![0]);
    assert.throws(() => tapValues(analysis.graph, model.layerValues, ['nope']), /cannot tap "nope"/);
  });

  for (const name of ['tiny_cnn', 'resnet18', 'mobilenet_v2']) {
    it(`${name}: outputs and every tapped layer equal onnxruntime running the file directly`, async function () {
      const file = name === 'tiny_cnn' ? TINY : fixturePath(readTruth(name).file);
      const allOutputs = name === 'tiny_cnn' ? undefined : fixturePath(readTruth(name).allOutputs);
      const { analysis, model } = open(file);
      const inputs = randomInputs(analysis, 7);
      const feeds = Object.fromEntries(model.inputs.map((n, i) => [n, inputs[i]]));
      const session = await EngineSession.create(analysis.graph, model, { threads: 1 });
      try {
        const plain = await session.run(inputs);
        const direct = await ortDirect(file, feeds);
        model.outputs.forEach((o, i) => assertClose(plain.outputs[i], direct[o], `output ${o}`));
        assert.equal(plain.taps.size, 0);
        const tapped = await session.run(inputs, { taps: 'all' });
        model.outputs.forEach((o, i) => assertClose(tapped.outputs[i], direct[o], `tapped run's output ${o}`));
        const every = allOutputs ? await ortDirect(allOutputs, feeds) : undefined;
        const computed = analysis.graph.nodes.filter((n) => n.op !== 'Constant');
        assert.equal(tapped.taps.size, computed.length, 'every computed layer is tapped');
        for (const n of computed) {
          const value = n.outputNames![0];
          const want = n.op === 'Input' ? new ort.Tensor('float32', feeds[value].data, [...feeds[value].shape]) : every?.[value];
          if (want) assertClose(tapped.taps.get(n.id)!, want, `layer ${n.id}`);
        }
      } finally {
        await session.release();
      }
    });
  }

  it('an aborted signal stops before the next run; previews cover every layer, in the IR layout', async () => {
    const { analysis, model } = open(TINY);
    const session = await EngineSession.create(analysis.graph, model, { threads: 1 });
    try {
      const inputs = randomInputs(analysis, 1);
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await assert.rejects(session.run(inputs, { signal: controller.signal }), /stop/);
      await assert.rejects(enginePreviews(session, analysis, inputs, { signal: controller.signal }), /stop/);
      const previews = await enginePreviews(session, analysis, inputs, { random: true });
      const computed = analysis.graph.nodes.filter((n) => n.op !== 'Constant');
      assert.deepEqual(Object.keys(previews).sort(), computed.map((n) => n.id).sort());
      const stem = previews['/stem/stem.0/Conv'];
      assert.ok(stem.thumbnail.startsWith('data:image/png;base64,'));
      assert.equal(stem.channels, analysis.byId.get('/stem/stem.0/Conv')!.outputShape![1], 'NCHW: channels on axis 1');
      assert.equal(previews['/fc/Gemm'].top!.length, 5);
      assert.ok(stem.random);
    } finally {
      await session.release();
    }
  });

  it('previews from in-graph summaries (range and first maps) equal previews drawn from every whole activation: tiny_cnn, MobileNet v1 exported', async () => {
    await tf.setBackend('cpu');
    const mobilenet = analyzeModel('mobilenet_v1.json');
    const weights = randomWeights(tf, mobilenet.graph, mobilenet, 2);
    const cases: [Analysis, EngineModel][] = [[open(TINY).analysis, open(TINY).model], [mobilenet, engineModelOf(exportOnnx(mobilenet, await plainWeights(weights)))]];
    for (const [analysis, model] of cases) {
      const session = await EngineSession.create(analysis.graph, model, { threads: 1 });
      try {
        const inputs = randomInputs(analysis, 3);
        const summarised = await enginePreviews(session, analysis, inputs, { random: true });
        const { taps } = await session.run(inputs, { taps: 'all' });
        const whole = await arrayPreviews(new Map([...taps].map(([id, t]) => [id, { ...t, perm: model.layerPerms.get(id) }])), irLayout(analysis.graph), { random: true });
        assert.deepEqual(Object.keys(summarised).sort(), Object.keys(whole).sort(), analysis.graph.name);
        for (const id of Object.keys(whole)) assert.deepEqual(summarised[id], whole[id], `${analysis.graph.name}: ${id}`);
      } finally {
        await session.release();
      }
    }
    for (const w of weights.values()) tf.dispose(Object.values(w));
  });
});
