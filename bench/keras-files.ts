// Keras whole-model files (.h5, .keras; scripts/keras/export_fixtures.py): parse + analysis (the
// drawing needs the config only, never the weights), loading the weights for a run, and h5py's own
// read of the same file (model_config plus every dataset) in a Python subprocess, timed inside it.
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { analyze } from '../src/core/analysis/analyze';
import { kerasFileFormat } from '../src/core/formats/keras-h5';
import { parseSourceWithFiles } from '../src/core/formats/registry';
import { bytesSource } from '../src/core/formats/source';
import { disposeWeights } from '../src/core/runtime/weights';
import { median } from '../src/core/runtime/profile';
import { ensureKerasFixtures } from '../test/support/keras-fixtures';
import { timed, type Time } from './timing';

const H5PY_READ = `
import h5py, io, json, sys, time, zipfile
path, runs = sys.argv[1], int(sys.argv[2])
def read():
    if path.endswith('.keras'):
        with zipfile.ZipFile(path) as z:
            json.loads(z.read('config.json'))
            f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
    else:
        f = h5py.File(path, 'r')
        json.loads(f.attrs['model_config'])
    with f:
        datasets = []
        f.visititems(lambda n, o: datasets.append(o) if isinstance(o, h5py.Dataset) else None)  # a non-None return would stop the walk
        sum(d[()].size for d in datasets)
times = []
for _ in range(runs):
    t0 = time.perf_counter(); read(); times.append((time.perf_counter() - t0) * 1000)
print(sorted(times)[len(times) // 2])
`;

function h5pyMs(path: string, runs: number): number {
  const r = spawnSync('/usr/bin/python3', ['-c', H5PY_READ, path, String(runs)], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : NaN;
}

export async function benchKerasFiles(runs: number): Promise<void> {
  let fx;
  try {
    fx = ensureKerasFixtures();
  } catch (e) {
    console.log(`\nKeras .h5 / .keras: skipped (${(e as Error).message})`);
    return;
  }
  console.log(`\nKeras whole-model files, median of ${runs} runs (h5py: model_config + every dataset, in Python)\n`);
  console.log(`${'file'.padEnd(22)}${'MiB'.padStart(6)}${'parse+analysis ms (CPU)'.padStart(25)}${'weights ms (CPU)'.padStart(18)}${'h5py read ms'.padStart(14)}`);
  for (const file of ['mobilenet_v1.h5', 'mobilenet_v1.keras', 'mobilenet_v2.h5', 'mobilenet_v2.keras']) {
    const path = fx.path(file);
    const bytes = readFileSync(path);
    const source = bytesSource(file, bytes);
    const draw: Time[] = [];
    const load: Time[] = [];
    const analysis = analyze(await parseSourceWithFiles(source)); // warm-up: h5wasm loads once
    for (let i = 0; i < runs; i++) {
      draw.push(await timed(async () => analyze(await parseSourceWithFiles(source))));
      load.push(await timed(async () => disposeWeights((await kerasFileFormat.ownWeights!(source, analysis)).weights)));
    }
    const h5py = h5pyMs(path, runs);
    const both = (ts: Time[], digits: number) => `${median(ts.map((t) => t.ms)).toFixed(digits)} (${median(ts.map((t) => t.cpuMs)).toFixed(digits)})`;
    console.log(`${file.padEnd(22)}${(bytes.length / 2 ** 20).toFixed(1).padStart(6)}${both(draw, 1).padStart(25)}${both(load, 0).padStart(18)}${(Number.isNaN(h5py) ? 'n/a' : h5py.toFixed(1)).padStart(14)}`);
  }
}
