import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import type { Analysis } from '../../src/core';
import { analyzeFixture, analyzeModel, readFixture, readModel } from '../support/fixtures';
import { oracle } from '../support/tfjs-oracle';

// For every zoo model and Keras JSON fixture that tfjs-layers can build, our per-layer and total
// parameter counts and every layer's output shape equal tfjs-layers' own.

/** Zoo models tfjs-layers cannot build (zoo-figures.test.ts checks them against the published figures). */
const TFJS_CANNOT_BUILD: Readonly<Record<string, string>> = {
  'alexnet.json': 'tfjs-layers has no grouped Conv2D (groups=2)',
};

/**
 * What tfjs-layers gets: the topology only (so it does not fetch weight shards), and
 * ZeroPadding2D for ReflectionPadding2D, which is not a tfjs layer but has the same shape rule and no weights.
 */
function forTfjs(text: string): unknown {
  const json = JSON.parse(text.replace(/"ReflectionPadding2D"/g, '"ZeroPadding2D"'));
  return json.modelTopology ?? json;
}

/** Our nodes that make up one tfjs layer: its calls, or, for a nested model, everything in its group. */
function ourParams(analysis: Analysis, layerName: string): number {
  return analysis.graph.nodes
    .filter((n) => (n.layer === layerName && !n.group) || n.group === layerName || n.group?.startsWith(`${layerName}/`))
    .reduce((s, n) => s + analysis.byId.get(n.id)!.params, 0);
}

async function compare(name: string, text: string, analysis: Analysis): Promise<void> {
  const truth = await oracle(forTfjs(text));
  assert.equal(analysis.totals.params, truth.params, `${name}: total params`);
  let shapesCompared = 0;
  for (const layer of truth.layers) {
    assert.equal(ourParams(analysis, layer.name), layer.params, `${name}: params of layer ${layer.name}`);
    const isModel = analysis.graph.groups.some((g) => g.id === layer.name);
    layer.outputShapes.forEach((shape, call) => {
      if (isModel || layer.className === 'InputLayer') return;
      const id = call === 0 ? layer.name : `${layer.name}@${call + 1}`;
      const ours = analysis.byId.get(id)?.outputShape;
      assert.ok(ours, `${name}: we have no output shape for ${id}`);
      assert.deepEqual(ours.slice(1), shape.slice(1), `${name}: output shape of ${id}`);
      shapesCompared++;
    });
  }
  assert.ok(shapesCompared > 0, `${name}: compared no shapes`);
}

describe('TensorFlow.js oracle: parameters and shapes equal tfjs-layers', () => {
  const zoo = readdirSync(`${__dirname}/../../models`).filter((f) => f.endsWith('.json'));
  it('the zoo is there to check', () => assert.ok(zoo.length >= 10, `models/ holds ${zoo.length} JSON models`));
  for (const file of zoo) {
    const reason = TFJS_CANNOT_BUILD[file];
    (reason ? it.skip : it)(`zoo ${file}${reason ? ` (${reason})` : ''}`, async () => {
      const analysis = analyzeModel(file);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
      await compare(file, readModel(file), analysis);
    });
  }
  for (const file of ['multi_io.json', 'assorted.json', 'tfjs_multi_io/model.json']) {
    it(`fixture ${file}`, async () => {
      const analysis = analyzeFixture(file);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
      await compare(file, readFixture(file), analysis);
    });
  }
});
