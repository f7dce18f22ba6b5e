import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { analyze } from '../../src/core';
import { transposeData } from '../../src/core/engine/onnx-emitter';
import { parseSourceWithFiles } from '../../src/core/formats/registry';
import { resolveRunWeights } from '../../src/core/runtime/preprocess';
import { mulberry32 } from '../../src/core/runtime/random-weights';
import { disposeWeights } from '../../src/core/runtime/weights';
import { execute } from '../../src/core/runtime/executor';
import { openModelFile } from '../../src/cli/files';
import { engineModelFor } from '../../src/node/engine/engine-model';
import { EngineSession } from '../../src/node/engine/session';
import { FIXTURES } from '../support/fixtures';
import { converterModel, graphFixturePath, graphFixtures } from '../support/tfjs-graph-fixtures';

// TF.js graph models on the engine (their own weights, dequantised → exportOnnx → ONNX Runtime)
// and on the tfjs executor, against tfjs-converter's own loadGraphModel + execute (cpu backend),
// from memory: every node's output, by its GraphDef name, has tfjs's shape and values within 1e-4
// of the value's magnitude (measured: ≤ 1.1e-5). Real converter output from @vladmandic/human, MobileNet v1 generated from
// the zoo (float32, uint8- and float16-quantised), and the committed tiny model of the fused forms.

const TOLERANCE = 1e-4;

/** `explicitPadding`: the model has a convolution with EXPLICIT padding, which the tfjs executor refuses (ONNX Runtime runs it). */
async function compare(file: string, explicitPadding = false): Promise<string> {
  await tf.setBackend('cpu');
  const source = openModelFile(file);
  const analysis = analyze(await parseSourceWithFiles(source));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), [], 'no problems');
  const weights = await resolveRunWeights(tf, analysis, source, undefined);
  assert.equal(weights.random, false, 'its own weights');
  const made = await engineModelFor(analysis, { bytes: () => source.bytes(), weights: async () => weights.weights });
  assert.ok(!('reason' in made), 'reason' in made ? made.reason : '');
  const model = await converterModel(tf, file);
  const session = await EngineSession.create(analysis.graph, made, { threads: 1 });
  const shape = analysis.inputShapes.get(analysis.graph.inputs[0]) as number[];
  const rand = mulberry32(5);
  const x = tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => 2 * rand() - 1), shape);
  // Nodes that carry a GraphDef name (the last link of a fused chain carries its node's).
  const ids = analysis.graph.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input' && n.id === n.layer).map((n) => n.id);
  const truth = model.execute({ [analysis.graph.inputs[0]]: x }, ids) as tf.Tensor[];
  let executed: { taps: Map<string, tf.Tensor> } | undefined;
  try {
    const run = await session.run([{ shape: x.shape, data: x.dataSync() as Float32Array }], { taps: 'all' });
    // The same weights on the tfjs executor (the fallback backends and the webview's tfjs runs).
    if (explicitPadding) await assert.rejects(execute(tf, analysis, weights.weights, [x]), /with pads [\d,]+ has no TensorFlow\.js kernel/);
    else executed = await execute(tf, analysis, weights.weights, [x], { taps: ids });
    let worst = { engine: 0, executor: 0 };
    ids.forEach((id, i) => {
      const tapped = run.taps.get(id);
      assert.ok(tapped, `node ${id}: no engine value`);
      const perm = made.layerPerms.get(id);
      const got = perm ? transposeData(tapped, perm.map((_, j) => perm.indexOf(j))) : tapped;
      assert.deepEqual(analysis.byId.get(id)!.outputShape, truth[i].shape, `node ${id}: analysed shape`);
      const fromExecutor = executed?.taps.get(id);
      const results = [['engine', got.shape, got.data] as const, ...(fromExecutor ? [['executor', fromExecutor.shape, fromExecutor.dataSync()] as const] : [])];
      for (const [engine, shape, data] of results) {
        assert.deepEqual([...shape], truth[i].shape, `node ${id} (${engine}): shape`);
        const want = truth[i].dataSync();
        let diff = 0;
        let big = 0;
        for (let k = 0; k < want.length; k++) {
          diff = Math.max(diff, Math.abs(data[k] - want[k]));
          big = Math.max(big, Math.abs(want[k]));
        }
        assert.ok(Number.isFinite(diff) && diff / Math.max(1, big) <= TOLERANCE, `node ${id} (${engine}): differs by ${diff} (largest |value| ${big})`);
        worst[engine] = Math.max(worst[engine], diff / Math.max(1, big));
      }
    });
    return `${ids.length} nodes, worst ${worst.engine.toExponential(1)} on ONNX Runtime${executed ? `, ${worst.executor.toExponential(1)} on the tfjs executor` : ' (the tfjs executor refuses EXPLICIT padding)'} (relative)`;
  } finally {
    tf.dispose([x, ...truth, ...(executed ? executed.taps.values() : [])]);
    disposeWeights(weights.weights);
    model.dispose();
    await session.release();
  }
}

/** Models made of ops the engine runs (handtrack, movenet and centernet need control flow, gathers and TopK: tested by parse only). */
const RUNNABLE = new Set(['mobilenet_v1', 'mobilenet_v1_uint8', 'mobilenet_v1_float16', 'blazeface', 'emotion', 'antispoof', 'liveness', 'facemesh', 'iris', 'faceres', 'handlandmark-lite']);

describe('TF.js graph models on the engine and the tfjs executor equal tfjs-converter’s execute, node by node', function () {
  this.timeout(300_000);
  it('tfjs_graph_tiny (committed: fused forms, uint8 and float16 kernels)', async () => console.log(`      ${await compare(join(FIXTURES, 'tfjs_graph_tiny', 'model.json'), true)}`));
  for (const f of graphFixtures().filter((g) => RUNNABLE.has(g.name))) {
    it(`${f.name} (${f.source})`, async () => console.log(`      ${await compare(graphFixturePath(f))}`));
  }
});
