import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfjsTileRunner } from '../../src/core/style/fast';
import { resizeImage } from '../../src/core/style/image-io';
import { analyzeTransformNet, disposeParams, initTransformParams, johnsonNetJson, paramsWeightMap } from '../../src/core/style/transform-net';
import { loadWeights } from '../../src/node/weights-files';
import { readImage } from '../../src/node/image-files';
import { EngineTileRunner, releaseEngineSessions } from '../../src/node/style/fast-engine';
import { loadTransformModelFile, saveLayersModel } from '../../src/node/style/model-files';
import { findPreset, stylesDir } from '../../src/node/style/presets';

// The transformation network's layout (issue 15): resize-then-convolve upsampling (nearest ×2, then
// a reflection-padded 3×3 conv) instead of strided transposed convolutions, reflection padding at
// the output conv; it runs on ONNX Runtime as on tfjs, and an older preset (transposed-conv
// upsampling) warm-starts every layer the two layouts share.

describe('style transfer: the transformation network', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-style-net-'));
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(releaseEngineSessions);

  it('upsamples by nearest ×2 + convolution, pads by reflection, and keeps the input size', () => {
    const json = johnsonNetJson({ size: 64 });
    const a = analyzeTransformNet(JSON.stringify(json), 'net.json', 64, 96);
    assert.equal(a.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const ops = a.graph.nodes.map((n) => n.op);
    assert.ok(!ops.includes('Conv2DTranspose'));
    assert.equal(ops.filter((o) => o === 'UpSampling2D').length, 2);
    assert.equal(ops.filter((o) => o === 'ReflectionPadding2D').length, 4); // input, two upsampling convs, output conv
    assert.deepEqual(a.byId.get(a.graph.outputs[0].node)!.outputShape, [1, 64, 96, 3]);
  });

  it('an old preset warm-starts the shared layers; the new upsampling convs start seeded', async () => {
    const old = findPreset('swirls')!.modelPath;
    const oldAnalysis = analyzeTransformNet(JSON.stringify(JSON.parse(readFileSync(old, 'utf8')).modelTopology), old, 64, 64);
    const saved = await loadWeights(old, oldAnalysis, { tf });
    const analysis = analyzeTransformNet(JSON.stringify(johnsonNetJson({ size: 64 })), 'net.json', 64, 64);
    const params = initTransformParams(tf, analysis, 1, saved.weights);
    try {
      assert.deepEqual(Array.from(params.trainable.get('res3_conv1')!.kernel.dataSync()), Array.from(saved.weights.get('res3_conv1')!.kernel.dataSync()));
      assert.deepEqual(Array.from(params.frozen.get('conv1_bn')!.moving_mean.dataSync()), Array.from(saved.weights.get('conv1_bn')!.moving_mean.dataSync()));
      assert.deepEqual(params.trainable.get('up1_conv')!.kernel.shape, [3, 3, 64, 32]);
      assert.ok(!params.trainable.has('deconv1'));
    } finally {
      disposeParams(params);
      for (const w of saved.weights.values()) Object.values(w).forEach((t) => t.dispose());
    }
  });

  it('the new layout runs on ONNX Runtime as on tfjs (raw output within 1e-4 relative)', async () => {
    const json = johnsonNetJson({ size: 64 });
    const analysis = analyzeTransformNet(JSON.stringify(json), 'net.json', 64, 64);
    const params = initTransformParams(tf, analysis, 3);
    saveLayersModel(tmp, json, paramsWeightMap(params), { metadata: { outputRange: '0-255' } });
    disposeParams(params);
    const model = await loadTransformModelFile(tf, join(tmp, 'model.json'));
    try {
      const h = 64, w = 96;
      const tile = Float32Array.from(resizeImage(readImage(join(stylesDir(), 'content', 'city.png')).image, w, h).data);
      const ref = await tfjsTileRunner(tf, model).run(tile, h, w);
      const got = await new EngineTileRunner(model, { threads: 1 }).run(tile, h, w);
      let diff = 0, peak = 0;
      for (let i = 0; i < ref.length; i++) {
        diff = Math.max(diff, Math.abs(got[i] - ref[i]));
        peak = Math.max(peak, Math.abs(ref[i]));
      }
      assert.ok(diff / peak <= 1e-4, `max difference ${(diff / peak).toExponential(2)} of the output's magnitude`);
    } finally {
      model.dispose();
    }
  });
});
