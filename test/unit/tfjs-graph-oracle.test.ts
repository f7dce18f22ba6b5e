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
import { openModelFile } from '../../src/cli/files';
import { engineModelFor } from '../../src/node/engine/engine-model';
import { EngineSession } from '../../src/node/engine/session';
import { FIXTURES } from '../support/fixtures';
import { converterModel, graphFixturePath, graphFixtures } from '../support/tfjs-graph-fixtures';

// TF.js graph models on the engine (their own weights, dequantised → exportOnnx → ONNX Runtime)
// against tfjs-converter's own loadGraphModel + execute (cpu backend), from memory: every node's
// output, by its GraphDef name, has tfjs's shape and values within 1e-4 of the value's magnitude
// (measured: ≤ 6.2e-6). Real converter output from @vladmandic/human, MobileNet v1 generated from
// the zoo (float32, uint8- and float16-quantised), and the committed tiny model of the fused forms.

const TOLERANCE = 1e-4;

async function compare(file: string): Promise<string> {
  await tf.setBackend('cpu');
  const source = openModelFile(file);
  const analysis = analyze(await parseSourceWithFiles(source));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), [], 'no problems');
  const weights = await resolveRunWeights(tf, analysis, source, undefined);
  assert.equal(weights.random, false, 'its own weights');
  const made = await engineModelFor(analysis, { bytes: () => source.bytes(), weights: async () => weights.weights });
  disposeWeights(weights.weights);
  assert.ok(!('reason' in made), 'reason' in made ? made.reason : '');
  const model = await converterModel(tf, file);
  const session = await EngineSession.create(analysis.graph, made, { threads: 1 });
  const shape = analysis.inputShapes.get(analysis.graph.inputs[0]) as number[];
  const rand = mulberry32(5);
  const x = tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => 2 * rand() - 1), shape);
  // Nodes that carry a GraphDef name (the last link of a fused chain carries its node's).
  const ids = analysis.graph.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input' && n.id === n.layer).map((n) => n.id);
  const truth = model.execute({ [analysis.graph.inputs[0]]: x }, ids) as tf.Tensor[];
  try {
    const run = await session.run([{ shape: x.shape, data: x.dataSync() as Float32Array }], { taps: 'all' });
    let worst = 0;
    ids.forEach((id, i) => {
      const tapped = run.taps.get(id);
      assert.ok(tapped, `node ${id}: no engine value`);
      const perm = made.layerPerms.get(id);
      const got = perm ? transposeData(tapped, perm.map((_, j) => perm.indexOf(j))) : tapped;
      assert.deepEqual([...got.shape], truth[i].shape, `node ${id}: shape`);
      assert.deepEqual(analysis.byId.get(id)!.outputShape, truth[i].shape, `node ${id}: analysed shape`);
      const want = truth[i].dataSync();
      let diff = 0;
      let big = 0;
      for (let k = 0; k < want.length; k++) {
        diff = Math.max(diff, Math.abs(got.data[k] - want[k]));
        big = Math.max(big, Math.abs(want[k]));
      }
      assert.ok(Number.isFinite(diff) && diff / Math.max(1, big) <= TOLERANCE, `node ${id}: differs by ${diff} (largest |value| ${big})`);
      worst = Math.max(worst, diff / Math.max(1, big));
    });
    return `${ids.length} nodes, worst ${worst.toExponential(1)} (relative)`;
  } finally {
    tf.dispose([x, ...truth]);
    model.dispose();
    await session.release();
  }
}

/** Models made of ops the engine runs (handtrack, movenet and centernet need control flow, gathers and TopK: tested by parse only). */
const RUNNABLE = new Set(['mobilenet_v1', 'mobilenet_v1_uint8', 'mobilenet_v1_float16', 'blazeface', 'emotion', 'antispoof', 'liveness', 'facemesh', 'iris', 'faceres', 'handlandmark-lite']);

describe('TF.js graph models on the engine equal tfjs-converter’s execute, node by node', function () {
  this.timeout(300_000);
  it('tfjs_graph_tiny (committed: fused forms, uint8 and float16 kernels)', async () => console.log(`      ${await compare(join(FIXTURES, 'tfjs_graph_tiny', 'model.json'))}`));
  for (const f of graphFixtures().filter((g) => RUNNABLE.has(g.name))) {
    it(`${f.name} (${f.source})`, async () => console.log(`      ${await compare(graphFixturePath(f))}`));
  }
});
