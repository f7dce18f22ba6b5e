import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, type ModelSource } from '../../src/core/formats/source';
import { siblingsOf } from '../../src/node/file-source';
import { ROOT } from './fixtures';

// ONNX fixtures written by PyTorch's exporter (scripts/onnx/export_fixtures.py), cached outside
// the repository: $CNN_LENS_ONNX_FIXTURES, else ~/.cache/cnn-lens/onnx-fixtures/v1/. `.ci/run`
// generates them before `npm test`; a test that finds the cache missing or stale (the stamp holds
// the script's sha256) runs the script once itself, so `npm test` alone works too.

export const EXPORT_SCRIPT = join(ROOT, 'scripts', 'onnx', 'export_fixtures.py');
const APT = 'python3-torch python3-torchvision python3-onnx';

export const onnxFixturesDir = (): string =>
  process.env.CNN_LENS_ONNX_FIXTURES ? process.env.CNN_LENS_ONNX_FIXTURES : join(homedir(), '.cache', 'cnn-lens', 'onnx-fixtures', 'v1');

const scriptHash = (): string => createHash('sha256').update(readFileSync(EXPORT_SCRIPT)).digest('hex');

function isFresh(dir: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')) as { script?: string };
    return stamp.script === scriptHash() && existsSync(join(dir, 'index.json'));
  } catch {
    return false;
  }
}

/** Debian's Python (where apt puts torch); else whatever python3 is on the PATH. */
const python = (): string => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

let ensured: string | undefined;

/**
 * The fixture cache, generated first if it is missing or stale (about a minute on two cores, ~2 GB).
 * Throws, naming the apt packages, when Python lacks torch, torchvision or onnx.
 */
export function ensureOnnxFixtures(): string {
  const dir = onnxFixturesDir();
  if (ensured === dir || isFresh(dir)) return (ensured = dir);
  const py = python();
  const probe = spawnSync(py, ['-c', 'import numpy, torch, torchvision, onnx'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop();
    throw new Error(
      `The ONNX fixtures in ${dir} are missing or stale, and ${py} cannot make them (${why}). ` +
        `Install Debian's packages: sudo apt-get install ${APT}; then run ${py} scripts/onnx/export_fixtures.py (or .ci/run).`,
    );
  }
  process.stderr.write(`[onnx-fixtures] generating ${dir} with ${py} ${EXPORT_SCRIPT} (about a minute)\n`);
  const run = spawnSync(py, [EXPORT_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env, timeout: 30 * 60_000 });
  if (run.error || run.status !== 0) throw new Error(`${EXPORT_SCRIPT} failed (${run.error?.message ?? `exit status ${run.status}`}); run it by hand to see why`);
  if (!isFresh(dir)) throw new Error(`${EXPORT_SCRIPT} ran but ${dir}/stamp.json is not fresh`);
  return (ensured = dir);
}

// ------------------------------------------------------------------------------------------------
// The truth files (F.json), as export_fixtures.py writes them.

export type TensorRole = 'weight' | 'quant' | 'other';

export interface TruthTensor {
  readonly name: string;
  readonly kind: 'initializer' | 'Constant';
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly elements: number;
  readonly bytes: number;
  readonly role: TensorRole;
  readonly values?: readonly number[];
  /** sha256 of the stored little-endian bytes (the external-data fixture only). */
  readonly sha256?: string;
  /** Where onnx.save_model put it (the external-data fixture only). */
  readonly external?: { readonly location: string; readonly offset: number; readonly length: number };
}

export interface TorchFacts {
  readonly builder: string;
  readonly params?: number;
  readonly buffers?: Readonly<Record<string, number>>;
  readonly bnChannels?: number;
  readonly convOutChannelsNoBias?: number;
  readonly macs: number;
  readonly macsConv?: number;
  readonly macsLinear?: number;
  readonly outputShape: readonly number[];
  /** resnet18_dynamic: MACs at batch 4, counted by the same hooks. */
  readonly batch4?: number;
}

export interface Truth {
  readonly name: string;
  readonly file: string;
  readonly externalData: string | null;
  /** The all-outputs copy whose ORT run gives this fixture's shapes (its own, or its float32 twin's). */
  readonly allOutputs: string;
  readonly opset: Readonly<Record<string, number>>;
  readonly inputs: readonly { readonly name: string; readonly dims: readonly (number | string | null)[] | null }[];
  readonly outputs: readonly { readonly name: string; readonly dims: readonly (number | string | null)[] | null }[];
  readonly inputShape: readonly (number | string | null)[] | null;
  readonly tensors: readonly TruthTensor[];
  readonly totals: {
    readonly params: number;
    readonly weightBytes: number;
    readonly weightBytesByDtype: Readonly<Record<string, number>>;
    readonly weightElementsByDtype: Readonly<Record<string, number>>;
    readonly allConstants: number;
    readonly allConstantBytes: number;
  };
  readonly nodes: readonly { readonly name: string; readonly op: string; readonly inputs: readonly string[]; readonly outputs: readonly string[] }[];
  readonly opCounts: Readonly<Record<string, number>>;
  readonly inferredShapes: Readonly<Record<string, readonly (number | string | null)[] | null>>;
  readonly torch: TorchFacts;
  /** Where `torch.macs` comes from (forward hooks, or counted by hand for onnx.helper models). */
  readonly macsFrom?: string;
  readonly notes: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
}

/** The fixtures the cache holds, in the script's order. */
export const fixtureNames = (): string[] => (JSON.parse(readFileSync(join(ensureOnnxFixtures(), 'index.json'), 'utf8')) as { fixtures: string[] }).fixtures;

export const readTruth = (name: string): Truth => JSON.parse(readFileSync(join(ensureOnnxFixtures(), `${name}.json`), 'utf8')) as Truth;

export const fixturePath = (file: string): string => join(ensureOnnxFixtures(), file);

/** The fixture as a ModelSource: its bytes in memory, siblings (external data) read through src/node's guarded reader. */
export function fixtureSource(file: string): ModelSource {
  const path = fixturePath(file);
  return bytesSource(file, new Uint8Array(readFileSync(path)), siblingsOf(path));
}
