import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, type ModelSource } from '../../src/core/formats/source';
import { ROOT } from './fixtures';

// TFLite fixtures (scripts/tflite/export_fixtures.py): written by the flatbuffers Python runtime
// with code flatc generates from TFLite's schema, plus real models from npm packages, each with its
// truth read back in Python. Cached outside the repository ($CNN_LENS_TFLITE_FIXTURES, else
// ~/.cache/cnn-lens/tflite-fixtures/v1/); regenerated on demand when missing or stale (a few seconds).

const SCRIPT = join(ROOT, 'scripts', 'tflite', 'export_fixtures.py');
const SCHEMA = join(ROOT, 'scripts', 'tflite', 'schema.fbs');

export const tfliteFixturesDir = (): string => process.env.CNN_LENS_TFLITE_FIXTURES ?? join(homedir(), '.cache', 'cnn-lens', 'tflite-fixtures', 'v1');

const digest = (): string => createHash('sha256').update(readFileSync(SCRIPT)).update(readFileSync(SCHEMA)).digest('hex');

function isFresh(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')) as { script?: string }).script === digest() && existsSync(join(dir, 'index.json'));
  } catch {
    return false;
  }
}

let ensured: string | undefined;

/** The fixture cache, generated first when missing or stale; throws naming the apt packages when Python cannot. */
export function ensureTfliteFixtures(): string {
  const dir = tfliteFixturesDir();
  if (ensured === dir || isFresh(dir)) return (ensured = dir);
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const run = spawnSync(py, [SCRIPT], { encoding: 'utf8', env: process.env, timeout: 10 * 60_000 });
  if (run.error || run.status !== 0 || !isFresh(dir)) {
    throw new Error(`${SCRIPT} could not make the TFLite fixtures in ${dir} (${run.error?.message ?? (run.stderr || `exit ${run.status}`).trim()}); it needs Debian's python3-flatbuffers, python3-numpy and flatbuffers-compiler (flatc)`);
  }
  return (ensured = dir);
}

export interface TruthTensor {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly number[];
  readonly buffer: number;
  readonly bytes: number;
  readonly quantization: { readonly scale: readonly number[]; readonly zeroPoint: readonly number[]; readonly axis: number } | null;
  readonly sparse: boolean;
}

export interface TfliteTruth {
  readonly source: string;
  readonly version: number;
  readonly subgraphs: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly tensors: readonly TruthTensor[];
  readonly operators: readonly { readonly code: string; readonly custom: string | null; readonly inputs: readonly number[]; readonly outputs: readonly number[] }[];
  readonly totals: { readonly params: number; readonly bytes: number; readonly bytesByType: Readonly<Record<string, number>>; readonly macs: number };
}

export interface TfliteIndex {
  readonly files: Readonly<Record<string, TfliteTruth>>;
  readonly npmMissing: readonly { readonly package: string; readonly reason: string }[];
}

export const readTfliteIndex = (): TfliteIndex => JSON.parse(readFileSync(join(ensureTfliteFixtures(), 'index.json'), 'utf8')) as TfliteIndex;

export const tfliteFixturePath = (file: string): string => join(ensureTfliteFixtures(), file);

/** A fixture as a ModelSource (bytes in memory; named by its path in the cache, as messages show it). */
export const tfliteSource = (file: string, name = file): ModelSource => bytesSource(name, new Uint8Array(readFileSync(tfliteFixturePath(file))));
