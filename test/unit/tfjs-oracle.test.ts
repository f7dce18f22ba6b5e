import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { analyzeFixture, analyzeModel, readFixture, readModel } from '../support/fixtures';
import { assertMatchesTfjs } from '../support/tfjs-oracle';

// For every zoo model and Keras JSON fixture that tfjs-layers can build, our per-layer and total
// parameter counts and every layer's output shape equal tfjs-layers' own.

/** Zoo models tfjs-layers cannot build (zoo-figures.test.ts checks them against the published figures). */
const TFJS_CANNOT_BUILD: Readonly<Record<string, string>> = {
  'alexnet.json': 'tfjs-layers has no grouped Conv2D (groups=2)',
};

describe('TensorFlow.js oracle: parameters and shapes equal tfjs-layers', () => {
  const zoo = readdirSync(`${__dirname}/../../models`).filter((f) => f.endsWith('.json'));
  it('the zoo is there to check', () => assert.ok(zoo.length >= 10, `models/ holds ${zoo.length} JSON models`));
  for (const file of zoo) {
    const reason = TFJS_CANNOT_BUILD[file];
    (reason ? it.skip : it)(`zoo ${file}${reason ? ` (${reason})` : ''}`, async () => {
      const analysis = analyzeModel(file);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
      await assertMatchesTfjs(file, readModel(file), analysis);
    });
  }
  for (const file of ['multi_io.json', 'assorted.json', 'tfjs_multi_io/model.json']) {
    it(`fixture ${file}`, async () => {
      const analysis = analyzeFixture(file);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
      await assertMatchesTfjs(file, readFixture(file), analysis);
    });
  }
});
