import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type * as tfc from '@tensorflow/tfjs-core';
import { fixturesDir, scriptHash } from '../../scripts/tfjs-graph/export-fixtures';
import { ROOT } from './fixtures';

// TF.js graph-model fixtures (scripts/tfjs-graph/export_fixtures.py), cached outside the
// repository: $CNN_LENS_TFJS_GRAPH_FIXTURES, else ~/.cache/cnn-lens/tfjs-graph-fixtures/v1/. CI
// makes them before `npm test`; a test that finds the cache missing or stale runs the script once.

export interface GraphFixture {
  readonly name: string;
  /** model.json, relative to the cache. */
  readonly file: string;
  readonly source: string;
}

const SCRIPT = join(ROOT, 'scripts', 'tfjs-graph', 'export_fixtures.py');

function isFresh(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')).script === scriptHash() && existsSync(join(dir, 'index.json'));
  } catch {
    return false;
  }
}

let ensured: string | undefined;

/**
 * The cache, made first if missing or stale (npm pack of one package, and three generated
 * MobileNets: under a minute). Without the npm registry only the generated models are there: the
 * index says so, and a warning names what is missing.
 */
export function ensureTfjsGraphFixtures(): string {
  const dir = fixturesDir();
  if (ensured === dir || isFresh(dir)) return (ensured = dir);
  process.stderr.write(`[tfjs-graph-fixtures] generating ${dir} with ${SCRIPT}\n`);
  const run = spawnSync('/usr/bin/python3', [SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT, timeout: 10 * 60_000 });
  if (run.error || run.status !== 0 || !isFresh(dir)) throw new Error(`${SCRIPT} failed (${run.error?.message ?? `exit status ${run.status}`}): run it by hand to see why`);
  if (JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')).human === null) process.stderr.write('[tfjs-graph-fixtures] warning: @vladmandic/human could not be fetched (no npm registry?): its real converter models are not tested\n');
  return (ensured = dir);
}

export const graphFixtures = (): GraphFixture[] => JSON.parse(readFileSync(join(ensureTfjsGraphFixtures(), 'index.json'), 'utf8'));
export const graphFixturePath = (f: GraphFixture): string => join(ensureTfjsGraphFixtures(), f.file);

/** A graph model read by tfjs-converter itself, from memory (its shards concatenated as its loader does). */
export async function converterModel(tf: typeof tfc, modelJson: string): Promise<GraphModel> {
  const json = JSON.parse(readFileSync(modelJson, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tfc.io.WeightsManifestEntry[] }[];
  const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJson), p)))));
  return loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    format: json.format,
    signature: json.signature,
  } as tfc.io.ModelArtifacts));
}
