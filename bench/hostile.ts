// `npm run bench:hostile`: the crafted files of the hardening tests (test/support/hostile-files.ts)
// through `cnn-lens` in a child process each (1 GB heap), with the figures the target is
// about: the command's own time (the CLI's start excluded), the process's peak memory, the exit
// status and the first line of the answer. Target: every one under 10 s and 1 GB, or refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGET, runCliChild } from '../test/support/cli-child';
import { MODELS } from '../test/support/fixtures';
import * as hostile from '../test/support/hostile-files';

const KERAS3 = 'test/fixtures/keras3_functional.json';
const tiny = hostile.writeHostile('tiny.json', hostile.kerasModel([{ class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: 3 } }]));

const CASES: readonly [string, () => string[]][] = [
  ['manifest ../other/shard.bin', () => ['run', hostile.tfjsWithManifest(hostile.manifestPointingAt('../other/shard.bin')).model]],
  ['symlinked shard', () => ['run', hostile.symlinkedShard().model]],
  ['FIFO as the model', () => ['summary', hostile.fifo()]],
  ['/dev/zero as the model', () => ['summary', '/dev/zero']],
  ['PNG header 30000²', () => ['run', tiny, '--input', hostile.pngHeaderBomb()]],
  ['JPEG header 60000²', () => ['run', tiny, '--input', hostile.jpegHeaderBomb()]],
  ['.keras bomb, 64 MiB declared 1 KiB', () => ['run', KERAS3, '--weights', hostile.kerasZipBomb(64, true)]],
  ['sparse HDF5, 4 GiB declared', () => ['run', KERAS3, '--weights', hostile.sparseHdf5()]],
  ['JSON 10,000 levels deep', () => ['summary', hostile.writeHostile('deep.json', hostile.deepJson(10_000))]],
  ['ResNet-50 in UTF-16', () => ['summary', hostile.writeHostile('utf16.json', hostile.utf16(readFileSync(join(MODELS, 'resnet50.json'), 'utf8')))]],
  ['50,000 layers named "d"', () => ['summary', hostile.writeHostile('dup.json', hostile.duplicateNames(50_000))]],
  ['nest doubling 24 levels', () => ['summary', hostile.writeHostile('nest.json', hostile.doublingNest(24))]],
  ['hostile names', () => ['summary', hostile.writeHostile('names.json', hostile.hostileNamesModel())]],
];

console.log(`${'case'.padEnd(38)} ${'ms'.padStart(7)} ${'peak MiB'.padStart(9)}  exit  answer`);
for (const [name, args] of CASES) {
  const r = runCliChild(args(), { timeoutMs: 120_000 });
  const first = (r.stderr.trim().split('\n')[0] ?? '').replace(/\/tmp\/cnn-lens-hostile-[^/]+\//g, '').slice(0, 90);
  const over = r.workMs > BUDGET.ms || r.peakMiB > BUDGET.peakMiB || r.signal ? '  OVER BUDGET' : '';
  console.log(`${name.padEnd(38)} ${String(r.workMs).padStart(7)} ${r.peakMiB.toFixed(0).padStart(9)}  ${String(r.code ?? r.signal).padStart(4)}  ${first}${over}`);
}
