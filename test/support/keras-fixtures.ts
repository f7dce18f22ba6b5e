import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fixtures';

// Keras whole-model fixtures (.h5, .keras) written by h5py and Python's zipfile in Keras's own
// layouts (scripts/keras/export_fixtures.py), cached outside the repository:
// $CNN_LENS_KERAS_FIXTURES, else ~/.cache/cnn-lens/keras-fixtures/v1/. CI makes them before
// `npm test`; a test that finds the cache missing or stale (the stamp holds the script's sha256)
// runs the script once itself (about ten seconds).

export const KERAS_EXPORT_SCRIPT = join(ROOT, 'scripts', 'keras', 'export_fixtures.py');

export const kerasFixturesDir = (): string =>
  process.env.CNN_LENS_KERAS_FIXTURES ? process.env.CNN_LENS_KERAS_FIXTURES : join(homedir(), '.cache', 'cnn-lens', 'keras-fixtures', 'v1');

const scriptHash = (): string => createHash('sha256').update(readFileSync(KERAS_EXPORT_SCRIPT)).digest('hex');

function isFresh(dir: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')) as { script?: string };
    return stamp.script === scriptHash() && existsSync(join(dir, 'index.json'));
  } catch {
    return false;
  }
}

const python = (): string => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** What index.json says about one file, computed by h5py without CNN Lens. */
export interface KerasFixture {
  readonly kind: 'keras2-h5' | 'keras3-archive' | 'weights-only' | 'bad';
  /** The zoo JSON whose architecture the file holds. */
  readonly zoo?: string;
  /** h5py: the sum of the sizes of every weight dataset the file stores, and per layer group. */
  readonly params?: number;
  readonly perLayer?: Readonly<Record<string, number>>;
  /** The same weights as a TF.js manifest + .bin (for tfjs-layers, the oracle). */
  readonly tfjsBin?: string;
  readonly tfjsManifest?: readonly { name: string; shape: number[]; dtype: 'float32' }[];
  readonly custom?: { readonly layer: string; readonly className: string; readonly stored: number };
  readonly architecture?: string;
  readonly declared?: number;
  readonly fullSize?: number;
  readonly entry?: string;
}

export interface KerasFixtures {
  readonly dir: string;
  readonly files: Readonly<Record<string, KerasFixture>>;
  readonly path: (file: string) => string;
}

let ensured: KerasFixtures | undefined;

/** The fixture cache, generated first if missing or stale. Throws, naming the apt package, when Python lacks h5py. */
export function ensureKerasFixtures(): KerasFixtures {
  const dir = kerasFixturesDir();
  if (ensured?.dir === dir) return ensured;
  if (!isFresh(dir)) {
    const py = python();
    const probe = spawnSync(py, ['-c', 'import numpy, h5py'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop();
      throw new Error(`The Keras fixtures in ${dir} are missing or stale, and ${py} cannot make them (${why}). Install Debian's python3-h5py; then run ${py} scripts/keras/export_fixtures.py.`);
    }
    process.stderr.write(`[keras-fixtures] generating ${dir} with ${py} ${KERAS_EXPORT_SCRIPT}\n`);
    const run = spawnSync(py, [KERAS_EXPORT_SCRIPT, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env, timeout: 10 * 60_000 });
    if (run.error || run.status !== 0) throw new Error(`${KERAS_EXPORT_SCRIPT} failed (${run.error?.message ?? `exit status ${run.status}`}); run it by hand to see why`);
    if (!isFresh(dir)) throw new Error(`${KERAS_EXPORT_SCRIPT} ran but ${dir}/stamp.json is not fresh`);
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { files: Record<string, KerasFixture> };
  return (ensured = { dir, files: index.files, path: (file) => join(dir, file) });
}
