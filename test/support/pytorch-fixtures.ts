import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fixtures';

// PyTorch fixtures written by torch.save / torch.jit.save (scripts/pytorch/export_fixtures.py),
// cached outside the repository: $CNN_LENS_PYTORCH_FIXTURES, else
// ~/.cache/cnn-lens/pytorch-fixtures/v1/. `.ci/run` generates them before `npm test`; a test that
// finds the cache missing or stale (the stamp holds the script's sha256) runs the script itself.

export const PYTORCH_EXPORT_SCRIPT = join(ROOT, 'scripts', 'pytorch', 'export_fixtures.py');

export const pytorchFixturesDir = (): string =>
  process.env.CNN_LENS_PYTORCH_FIXTURES ? process.env.CNN_LENS_PYTORCH_FIXTURES : join(homedir(), '.cache', 'cnn-lens', 'pytorch-fixtures', 'v1');

const scriptHash = (): string => createHash('sha256').update(readFileSync(PYTORCH_EXPORT_SCRIPT)).digest('hex');

function isFresh(dir: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')) as { script?: string };
    return stamp.script === scriptHash() && existsSync(join(dir, 'index.json'));
  } catch {
    return false;
  }
}

const python = (): string => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** The fixture cache, generated first if missing or stale (seconds; ~300 MB). Throws, naming the apt packages, when Python lacks torch. */
export function ensurePytorchFixtures(): string {
  const dir = pytorchFixturesDir();
  if (isFresh(dir)) return dir;
  const py = python();
  const probe = spawnSync(py, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`The PyTorch fixtures in ${dir} are missing or stale, and ${py} cannot make them: sudo apt-get install python3-torch python3-torchvision; then run ${py} scripts/pytorch/export_fixtures.py`);
  }
  const run = spawnSync(py, [PYTORCH_EXPORT_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env, timeout: 10 * 60_000 });
  if (run.error || run.status !== 0 || !isFresh(dir)) throw new Error(`${PYTORCH_EXPORT_SCRIPT} failed (${run.error?.message ?? `exit status ${run.status}`}); run it by hand to see why`);
  return dir;
}

/** What torch itself says of each fixture (index.json). */
export interface TorchTruth {
  /** sum(p.numel() for p in model.parameters()). */
  readonly params: number;
  /** sum(b.numel() for b in model.buffers()). */
  readonly buffers: number;
  /** The checkpoint key holding the state_dict, where the file is a checkpoint. */
  readonly key?: string;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string; readonly bytes: number }[];
}

export const pytorchTruth = (): Readonly<Record<string, TorchTruth>> => JSON.parse(readFileSync(join(ensurePytorchFixtures(), 'index.json'), 'utf8')) as Record<string, TorchTruth>;
