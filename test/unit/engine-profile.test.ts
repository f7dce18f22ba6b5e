import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type Analysis } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { onnxFileModel, type EngineModel } from '../../src/node/engine/engine-model';
import { profileOnEngine } from '../../src/node/engine/profile';
import { attributeKernels, kernelRuns, type TraceEvent } from '../../src/node/engine/trace-attribution';
import type { Graph, IRNode } from '../../src/core/ir';
import { FIXTURES } from '../support/fixtures';
import { fixturePath, readTruth } from '../support/onnx-fixtures';

// Profile Model on ONNX Runtime: ORT's own profiler's kernels attributed back to layers (every
// layer gets time, fused kernels named), the whole-model time beside the per-layer sum, and the
// trace a valid Chrome trace. Times are never compared with thresholds.

function open(file: string): { analysis: Analysis; model: EngineModel } {
  const bytes = new Uint8Array(readFileSync(file));
  const analysis = analyze(parseSource(bytesSource(file, bytes)));
  return { analysis, model: onnxFileModel(analysis, bytes) };
}

const inputsOf = (analysis: Analysis) =>
  analysis.graph.inputs.map((id) => {
    const shape = analysis.inputShapes.get(id)!.map((d) => d ?? 1) as number[];
    return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i)) };
  });

const node = (id: string, sourceClass: string, inputs: string[], outputName = `${id}_out`): IRNode => ({ id, layer: id, op: sourceClass, sourceClass, attrs: {}, inputs: inputs.map((n) => ({ node: n, index: 0 })), outputNames: [outputName] });

describe('engine: profiling with ONNX Runtime’s profiler', () => {
  it('attributes kernels named after a chain’s tail (NCHWc) or head (the node’s own name), and fused residual adds', () => {
    // x → conv1 → relu1 → conv2 → add(conv2, relu1) → relu2 → gemm; ReorderOutput computes no layer.
    const nodes = [node('x', 'Input', []), node('conv1', 'Conv', ['x']), node('relu1', 'Relu', ['conv1']), node('conv2', 'Conv', ['relu1']), node('add', 'Add', ['conv2', 'relu1']), node('relu2', 'Relu', ['add']), node('drop', 'Dropout', ['relu2']), node('gemm', 'Gemm', ['drop'])];
    const graph: Graph = { name: 'g', format: 'onnx', nodes, inputs: ['x'], outputs: [{ node: 'gemm', index: 0 }], groups: [], diagnostics: [] };
    const ops = new Map([['relu1_out_nchwc', 'Conv'], ['conv2_out_nchwc', 'Conv'], ['ReorderOutput', 'ReorderOutput'], ['gemm', 'Gemm']]);
    const k = attributeKernels(graph, ops, new Map());
    assert.deepEqual(k.get('relu1_out_nchwc')!.layers, ['conv1', 'relu1'], 'tail-named: upstream to the Conv');
    assert.deepEqual(k.get('conv2_out_nchwc')!.layers, ['conv2', 'add', 'relu2', 'drop'], 'head-named: downstream over layers without a kernel');
    assert.deepEqual(k.get('gemm')!.layers, ['gemm']);
    assert.deepEqual(k.get('ReorderOutput')!.layers, []);
  });

  it('splits a trace into runs by model_run and skips the warm-up', () => {
    const ev = (cat: string, name: string, ts: number, dur: number, op?: string): TraceEvent => ({ cat, name, ph: 'X', ts, dur, args: op ? { op_name: op } : {} });
    const events = [ev('Session', 'model_run', 0, 100), ev('Node', 'a_kernel_time', 10, 50, 'Conv'), ev('Session', 'model_run', 200, 100), ev('Node', 'a_kernel_time', 210, 30, 'Conv'), ev('Node', 'a_kernel_time', 250, 10, 'Conv'), ev('Node', 'a_fence_before', 205, 1)];
    const { runs, ops } = kernelRuns(events, 1);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].get('a'), 0.04);
    assert.deepEqual([...ops], [['a', 'Conv']]);
  });

  for (const name of ['tiny_cnn', 'resnet18']) {
    it(`${name}: every layer gets time from a kernel, fused layers name theirs, the trace is Chrome trace JSON`, async () => {
      const file = name === 'tiny_cnn' ? join(FIXTURES, 'onnx', 'tiny_cnn.onnx') : fixturePath(readTruth(name).file);
      const { analysis, model } = open(file);
      const progress: string[] = [];
      const { result, trace } = await profileOnEngine(analysis, model, inputsOf(analysis), { runs: 3, warmup: 1, backend: 'onnxruntime (CPU, 1 thread)', session: { threads: 1 }, onProgress: (p) => progress.push(p.phase) });
      const computed = analysis.graph.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input');
      assert.deepEqual(result.layers.map((l) => l.name), computed.map((n) => n.id));
      for (const l of result.layers) {
        assert.ok(l.kernel, `${l.name} has a kernel`);
        assert.ok(l.ms > 0, `${l.name} gets time (${l.ms})`);
        assert.ok(l.p10Ms <= l.ms && l.ms <= l.p90Ms, `${l.name}: p10 ≤ median ≤ p90`);
        for (const other of l.fusedWith ?? []) assert.equal(result.layers.find((o) => o.name === other)!.kernel, l.kernel, `${l.name} and ${other} share a kernel`);
      }
      assert.ok(result.layers.some((l) => l.fusedWith?.length), 'ORT fuses convolutions with their activations');
      assert.ok(Math.abs(result.layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-9);
      assert.ok(result.wholeModelMs > 0 && result.sumOfLayersMs > 0);
      assert.match(result.sumVsWhole!, /ONNX Runtime's own kernel times/);
      assert.deepEqual([...new Set(progress)], ['warm-up', 'whole model', 'per layer']);
      const events = JSON.parse(trace) as TraceEvent[];
      assert.ok(Array.isArray(events) && events.length > 0);
      for (const e of events) assert.ok(typeof e.name === 'string' && typeof e.ts === 'number' && e.ph === 'X', JSON.stringify(e));
      assert.equal(events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length, 4, 'the warm-up and the timed runs');
    });
  }

  it('an aborted profile rejects with the signal’s reason', async () => {
    const { analysis, model } = open(join(FIXTURES, 'onnx', 'tiny_cnn.onnx'));
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(profileOnEngine(analysis, model, inputsOf(analysis), { runs: 2, backend: 'onnxruntime', signal: controller.signal }), /cancelled by the user/);
  });
});
