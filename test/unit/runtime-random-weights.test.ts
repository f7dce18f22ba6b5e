import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { getOp, type Analysis } from '../../src/core';
import { draw, fans, mulberry32, randomWeights } from '../../src/core/runtime/random-weights';
import { weightsFor } from '../../src/core/runtime/weights';
import type { Graph } from '../../src/core/ir';
import { analyzeFixture, analyzeModel } from '../support/fixtures';

// Seeded random weights: the same seed gives the same values, another seed other values; every
// tensor has the shape its op's weights() declares; shared layers have one set; the declared
// initializers (from the file text) or Keras's defaults give the right scale.

const dispose = (w: Map<string, Record<string, tf.Tensor>>) => {
  for (const t of w.values()) tf.dispose(Object.values(t));
};

function assertShapesAsDeclared(analysis: Analysis, weights: Map<string, Record<string, tf.Tensor>>): number {
  let checked = 0;
  for (const node of analysis.graph.nodes) {
    const op = getOp(node.op);
    const info = analysis.byId.get(node.id)!;
    const declared = op?.weights?.(info.inputShapes as never, node.attrs) ?? [];
    const w = weightsFor(weights, node);
    if (!declared.length) {
      assert.equal(weights.has(node.id), false, `${node.id} has no weights`);
      continue;
    }
    if (node.sharesWeightsWith) assert.equal(weights.has(node.id), false, `${node.id} reuses ${node.sharesWeightsWith}'s weights`);
    assert.ok(w, `weights for ${node.id}`);
    assert.deepEqual(Object.keys(w).sort(), declared.map((d) => d.name).sort(), `${node.id}: names`);
    for (const d of declared) assert.deepEqual(w[d.name].shape, [...d.shape], `${node.id}/${d.name}: shape`), checked++;
  }
  return checked;
}

describe('runtime: seeded random weights', () => {
  before(async () => {
    tf.setBackend('cpu');
    await tf.ready();
  });

  /** The graph as if its layers declared no initializers. */
  const undeclared = (graph: Graph): Graph => ({ ...graph, nodes: graph.nodes.map((n) => ({ ...n, initializers: undefined })) });

  for (const [name, make] of [
    ['multi_io.json', () => analyzeFixture('multi_io.json')],
    ['assorted.json', () => analyzeFixture('assorted.json')],
    ['mobilenet_v2.json', () => analyzeModel('mobilenet_v2.json')],
    ['johnson_transform_net.json', () => analyzeModel('johnson_transform_net.json')],
    ['googlenet.json', () => analyzeModel('googlenet.json')],
  ] as const) {
    it(`${name}: every weight has the shape weights() declares; shared layers one set; total = analysis's params`, () => {
      const analysis = make();
      const weights = randomWeights(tf, analysis.graph, analysis, 5);
      assert.ok(assertShapesAsDeclared(analysis, weights) > 0);
      const total = [...weights.values()].flatMap((w) => Object.values(w)).reduce((s, t) => s + t.size, 0);
      assert.equal(total, analysis.totals.params);
      dispose(weights);
    });
  }

  it('is deterministic per seed and differs across seeds', () => {
    const analysis = analyzeFixture('multi_io.json');
    const values = (seed: number, perturb = false) => {
      const w = randomWeights(tf, analysis.graph, analysis, seed, { perturb });
      const out = [...w.entries()].flatMap(([id, ts]) => Object.entries(ts).map(([k, t]) => [`${id}/${k}`, Array.from(t.dataSync())] as const));
      dispose(w);
      return new Map(out);
    };
    const [a, b, c] = [values(42), values(42), values(43)];
    assert.deepEqual(a, b, 'same seed, same values');
    for (const [key, v] of a) {
      if (v.every((x) => x === v[0])) continue; // constants (zeros, ones) are the same for every seed
      assert.notDeepEqual(v, c.get(key), `${key} differs with another seed`);
    }
    assert.deepEqual(values(7, true), values(7, true));
    // Each tensor has its own stream: kernels of the same shape are not copies of each other.
    assert.notDeepEqual(a.get('shared_dense/kernel'), a.get('meta_proj/kernel'));
  });

  it("Keras's defaults where a layer declares no initializer: Glorot-uniform kernels, zero biases and β, unit γ and variance, 0.25 for PReLU α", () => {
    const analysis = analyzeModel('mobilenet_v1.json');
    const weights = randomWeights(tf, undeclared(analysis.graph), analysis, 1);
    const kernel = weights.get('conv_pw_13')!.kernel; // [1, 1, 1024, 1024]
    const limit = Math.sqrt(6 / (1024 + 1024));
    const k = kernel.dataSync() as Float32Array;
    const variance = k.reduce((s: number, v: number) => s + v * v, 0) / k.length;
    assert.ok(k.every((v) => Math.abs(v) <= limit), 'within the Glorot limit');
    assert.ok(Math.abs(variance / (limit * limit / 3) - 1) < 0.02, `variance ${variance} ≈ limit²/3`);
    const bn = weights.get('conv_pw_13_bn')!;
    assert.ok(bn.gamma.dataSync().every((v) => v === 1) && bn.moving_variance.dataSync().every((v) => v === 1));
    assert.ok(bn.beta.dataSync().every((v) => v === 0) && bn.moving_mean.dataSync().every((v) => v === 0));
    dispose(weights);
    const assorted = analyzeFixture('assorted.json');
    const w2 = randomWeights(tf, undeclared(assorted.graph), assorted, 1);
    assert.ok(w2.get('prelu')!.alpha.dataSync().every((v) => v === 0.25));
    assert.ok(w2.get('conv_rect')!.bias.dataSync().every((v) => v === 0));
    dispose(w2);
  });

  it("the layer's declared initializers, read by the Keras parser into the IR (VarianceScaling normal, Zeros for PReLU α)", () => {
    const analysis = analyzeFixture('assorted.json');
    assert.equal(analysis.graph.nodes.find((n) => n.id === 'prelu')?.initializers?.alpha.className, 'Zeros');
    const weights = randomWeights(tf, analysis.graph, analysis, 9);
    assert.ok(weights.get('prelu')!.alpha.dataSync().every((v) => v === 0), 'alpha_initializer Zeros');
    dispose(weights);
    // multi_io: f_conv is VarianceScaling(1, fan_avg, normal): a normal truncated at 2σ with std √(1/fan_avg).
    const multi = analyzeFixture('multi_io.json');
    const w = randomWeights(tf, multi.graph, multi, 9);
    const values = w.get('features/f_conv')!.kernel.dataSync(); // [3, 3, 3, 16]
    const std = Math.sqrt(1 / ((27 + 144) / 2));
    const truncated = std / 0.8796256610342398;
    assert.ok(values.every((v) => Math.abs(v) <= 2 * truncated + 1e-6), 'truncated at 2σ');
    dispose(w);
    // Johnson's model declares GlorotUniform and Ones/Zeros: the same as the defaults.
    const j = analyzeModel('johnson_transform_net.json');
    const wj = randomWeights(tf, j.graph, j, 9);
    const wd = randomWeights(tf, undeclared(j.graph), j, 9);
    assert.deepEqual(wj.get('conv1')!.kernel.dataSync(), wd.get('conv1')!.kernel.dataSync());
    dispose(wj);
    dispose(wd);
  });

  it('perturb randomises the constants within their ranges (positive variances)', () => {
    const analysis = analyzeFixture('multi_io.json');
    const w = randomWeights(tf, analysis.graph, analysis, 4, { perturb: true });
    const bn = w.get('features/f_bn')!;
    assert.ok(bn.moving_variance.dataSync().every((v) => v >= 0.5 && v < 1.5));
    assert.ok(bn.beta.dataSync().some((v) => v !== 0));
    dispose(w);
  });

  it('initializers: fans as Keras computes them; He, LeCun and uniform draws have the right scale', () => {
    assert.deepEqual(fans([3, 3, 16, 32]), { fanIn: 144, fanOut: 288 });
    assert.deepEqual(fans([100, 10]), { fanIn: 100, fanOut: 10 });
    const stats = (className: string, shape: number[], config = {}) => {
      const v = draw({ className, config }, shape, mulberry32(1));
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length), max: Math.max(...Array.from(v, Math.abs)) };
    };
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a / b - 1) < 0.03, `${what}: ${a} vs ${b}`);
    near(stats('HeNormal', [3, 3, 64, 128]).std, Math.sqrt(2 / 576), 'He normal std');
    near(stats('HeUniform', [3, 3, 64, 128]).max, Math.sqrt(6 / 576), 'He uniform limit');
    near(stats('LecunNormal', [256, 128]).std, Math.sqrt(1 / 256), 'LeCun normal std');
    near(stats('GlorotNormal', [256, 128]).std, Math.sqrt(2 / 384), 'Glorot normal std');
    near(stats('RandomNormal', [100000], { stddev: 0.02 }).std, 0.02, 'RandomNormal std');
    assert.ok(stats('RandomUniform', [1000], { minval: 2, maxval: 3 }).max <= 3);
    assert.ok(stats('Constant', [5], { value: 0.7 }).max === Math.fround(0.7));
  });
});
