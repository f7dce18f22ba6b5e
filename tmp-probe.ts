import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { parseModel } from './src/core/formats';
import { loadWeights } from './src/core/runtime/weights';
async function main() {
  const g = parseModel(readFileSync('test/fixtures/multi_io.json', 'utf8'), 'multi_io.json');
  const k3 = parseModel(readFileSync('test/fixtures/keras3_functional.json', 'utf8'), 'keras3_functional.json');
  const tj = parseModel(readFileSync('test/fixtures/tfjs_multi_io/model.json', 'utf8'), 'model.json');
  for (const [p, graph] of [['test/fixtures/weights/multi_io.keras2.h5', g], ['test/fixtures/weights/multi_io.full.h5', g], ['test/fixtures/weights/multi_io.weights.h5', g], ['test/fixtures/weights/keras3_functional.weights.h5', k3], ['test/fixtures/weights/keras3_functional.keras', k3], ['test/fixtures/tfjs_multi_io', tj], ['test/fixtures/weights/keras3_functional.keras', g]] as const) {
    try {
      const w = await loadWeights(p, graph);
      console.log(w.source, [...w.weights.keys()].join(' '));
    } catch (e) { console.log('ERR', (e as Error).message); }
  }
}
main();
