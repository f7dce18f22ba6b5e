// Writes the Keras 2 / TF.js test fixtures in test/fixtures with tfjs-layers' own serialiser, so
// the files are exactly what TensorFlow.js writes. Run: npx tsx scripts/make-fixtures.ts
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = join(__dirname, '..', 'test', 'fixtures');
const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

/** Two inputs, two outputs, a shared Dense called twice, and a nested Sequential model. */
function multiInputOutput(): tfl.LayersModel {
  const image = tfl.input({ shape: [32, 32, 3], name: 'image' });
  const meta = tfl.input({ shape: [10], name: 'meta' });
  const features = tfl.sequential({
    name: 'features',
    layers: [
      tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'f_conv' }),
      tfl.layers.batchNormalization({ name: 'f_bn' }),
      tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'f_dw' }),
      tfl.layers.separableConv2d({ filters: 24, kernelSize: 3, padding: 'valid', name: 'f_sep' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'f_pool' }),
    ],
  });
  const x = apply(features, image);
  const pooled = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
  const shared = tfl.layers.dense({ units: 24, activation: 'relu', name: 'shared_dense' });
  const a = apply(shared, pooled);
  const m = apply(tfl.layers.dense({ units: 24, name: 'meta_proj' }), meta);
  const b = apply(shared, m);
  const merged = apply(tfl.layers.concatenate({ name: 'merge' }), [a, b]);
  const gated = apply(tfl.layers.multiply({ name: 'gate' }), [a, b]);
  const cls = apply(tfl.layers.dense({ units: 5, activation: 'softmax', name: 'class' }), merged);
  const reg = apply(tfl.layers.dense({ units: 1, name: 'score' }), apply(tfl.layers.add({ name: 'sum' }), [gated, a]));
  return tfl.model({ inputs: [image, meta], outputs: [cls, reg], name: 'multi_io' });
}

/** A decoder-ish net using the rest of the layer zoo tfjs-layers supports. */
function assortedLayers(): tfl.LayersModel {
  return tfl.sequential({
    name: 'assorted',
    layers: [
      tfl.layers.zeroPadding2d({ inputShape: [20, 24, 3], padding: [[1, 2], [3, 4]], name: 'pad' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: [3, 5], strides: [1, 2], dilationRate: 1, name: 'conv_rect' }),
      tfl.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'conv_dilated' }),
      tfl.layers.prelu({ sharedAxes: [1, 2], name: 'prelu' }),
      tfl.layers.cropping2D({ cropping: [[1, 1], [2, 0]], name: 'crop' }),
      tfl.layers.upSampling2d({ size: [2, 3], name: 'up' }),
      tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', name: 'deconv' }),
      tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg' }),
      tfl.layers.reLU({ maxValue: 6, name: 'relu6' }),
      tfl.layers.elu({ name: 'elu' }),
      tfl.layers.reshape({ targetShape: [39 * 37, 4], name: 'reshape' }), // tfjs-layers cannot infer a -1 here
      tfl.layers.dense({ units: 3, name: 'dense_3d' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dropout({ rate: 0.25, name: 'drop' }),
      tfl.layers.dense({ units: 6, activation: 'tanh', useBias: false, name: 'head' }),
      tfl.layers.softmax({ name: 'probs' }),
    ],
  });
}

async function saveTfjs(model: tfl.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const manifest = [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }];
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: manifest }, null, 1));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

async function main(): Promise<void> {
  const multi = multiInputOutput();
  writeFileSync(join(OUT, 'multi_io.json'), JSON.stringify(multi.toJSON(null, false), null, 1));
  writeFileSync(join(OUT, 'assorted.json'), JSON.stringify(assortedLayers().toJSON(null, false), null, 1));
  await saveTfjs(multi, join(OUT, 'tfjs_multi_io'));
}

main();
