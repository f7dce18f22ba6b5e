import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { analyzeText, buildReport } from '../../src/core';
import { hoverMarkdown, totalsLine, totalsShort } from '../../src/core/analysis/describe';
import { renderMarkdown, renderTable } from '../../src/core/analysis/summary-text';
import { unknownsOf } from '../../src/core/analysis/totals-text';
import { bytes, grouped, human } from '../../src/core/analysis/units';

// Totals that leave layers out say so ("≥ …, 3 layers unknown") wherever they show, through one
// set of functions; weights read as stored (a uint8-quantised TF.js model of 2.5 MB reads 2.5 MB),
// the float32 size at run time apart. Truth: tfjs-layers' own parameter counts, and the bytes of
// a shard tfjs-core's decodeWeights accepts.

async function saved(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts!: tf.io.ModelArtifacts;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return artifacts;
}

describe('totals with an unknown part, and weights as stored', () => {
  it('a model with a layer CNN Lens does not know: "≥" totals and "3 layers unknown", in every text', async () => {
    // What CNN Lens can count: the input and the convolution (tfjs-layers counts them).
    const known = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, name: 'conv' })] });
    const knownParams = known.countParams();
    const topology = (known.toJSON(undefined, false) as { config: { layers: object[] } });
    known.dispose();
    // A custom layer after it: its class is unknown, so what follows it has no shape either.
    const model = {
      class_name: 'Sequential',
      config: { name: 'custom', layers: [...topology.config.layers, { class_name: 'MyFancyBlock', config: { name: 'fancy' } }, { class_name: 'Flatten', config: { name: 'flat' } }, { class_name: 'Dense', config: { name: 'head', units: 10 } }] },
    };
    const analysis = analyzeText(JSON.stringify(model), 'custom.json');
    const report = buildReport(analysis);
    assert.equal(analysis.totals.params, knownParams);
    assert.deepEqual(unknownsOf(report).layers, ['fancy', 'flat', 'head']);
    const line = totalsLine(analysis);
    assert.equal(line, `≥ ${human(knownParams)} params · ≥ ${human(analysis.totals.macs)} MACs · ≥ ${human(analysis.totals.flops)} FLOPs · ≥ ${bytes(knownParams * 4)} weights · 3 layers unknown`);
    assert.equal(totalsShort(analysis), `≥ ${human(knownParams)} params · ≥ ${human(analysis.totals.macs)} MACs · 3 layers unknown`);
    const table = renderTable(report);
    assert.match(table, new RegExp(`Total params: +≥ ${grouped(knownParams)} \\(≥ ${human(knownParams)}\\)`));
    assert.match(table, /Unknown: +3 layers unknown \(fancy, flat, head\): the totals leave them out/);
    assert.match(table, /\n\s*head\s+Dense\s+\?\s+\?/, 'an uncounted layer shows ?, not –');
    assert.match(renderMarkdown(report), /\*\*Total params\*\* ≥ [\d,]+ .*\*\*3 layers unknown\*\*/);
    assert.match(hoverMarkdown(analysis, 'fancy'), /\| params \| unknown \(not counted in the totals\) \|/);
    assert.match(hoverMarkdown(analysis, 'conv'), new RegExp(`Model: ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a fully known model reads as exact: no "≥", no note', () => {
    const model = { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 8] } }, { class_name: 'Dense', config: { name: 'd', units: 4 } }] } };
    const analysis = analyzeText(JSON.stringify(model), 'm.json');
    assert.equal(totalsLine(analysis), `36 params · 32 MACs · ${human(analysis.totals.flops)} FLOPs · 144 B weights`);
    assert.doesNotMatch(renderTable(buildReport(analysis)), /≥|Unknown:/);
  });

  it('a uint8-quantised TF.js model of 2.5 MB reads 2.5 MB (2.4 MiB), and 10 MB float32 at run time', async () => {
    const model = tfl.sequential({ name: 'quant', layers: [tfl.layers.dense({ inputShape: [1000], units: 2500, name: 'fc1' }), tfl.layers.dense({ units: 10, name: 'fc2' })] });
    const params = model.countParams();
    const artifacts = await saved(model);
    model.dispose();
    const floats = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
    // Quantise each tensor to uint8 as the TF.js converter does (affine: value = q · scale + min).
    const chunks: Uint8Array[] = [];
    const specs = artifacts.weightSpecs!.map((spec) => {
      const v = floats[spec.name].dataSync() as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      for (const x of v) (min = Math.min(min, x)), (max = Math.max(max, x));
      const scale = max === min ? 1 : (max - min) / 255;
      chunks.push(Uint8Array.from(v, (x) => Math.round((x - min) / scale)));
      return { ...spec, quantization: { dtype: 'uint8' as const, scale, min } };
    });
    const shard = Buffer.concat(chunks);
    // tfjs-core reads this shard with this manifest: the bytes are what a quantised model stores.
    const decoded = tf.io.decodeWeights(shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength), specs);
    assert.deepEqual(decoded['fc1/kernel'].shape, [1000, 2500]);
    for (const t of [...Object.values(floats), ...Object.values(decoded)]) t.dispose();

    const text = JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }] });
    const analysis = analyzeText(text, 'model.json');
    const report = buildReport(analysis);
    assert.equal(analysis.totals.params, params);
    assert.equal(analysis.totals.weightBytes, shard.byteLength, 'weights as stored: one byte a value');
    assert.equal(shard.byteLength, params);
    assert.deepEqual(report.memory.weightBytesByDtype, { uint8: shard.byteLength });
    assert.equal(report.memory.runtimeWeightBytes, params * 4);
    assert.equal(analysis.byId.get('fc1')!.weightBytes, 1000 * 2500 + 2500);
    assert.equal(totalsLine(analysis), `${human(params)} params · ${human(analysis.totals.macs)} MACs · ${human(analysis.totals.flops)} FLOPs · ${bytes(shard.byteLength)} weights (${bytes(params * 4)} float32 at run time)`);
    assert.ok(renderTable(report).includes(`Weights:               ${bytes(shard.byteLength)} (uint8); ${bytes(params * 4)} float32 at run time`));
  });
});
