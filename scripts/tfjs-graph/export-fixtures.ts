import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, type Quantise } from './graph-builder';
import { mobilenetV1Graph, tinyGraph } from './graph-models';

// TF.js graph-model fixtures, cached outside the repository: $CNN_LENS_TFJS_GRAPH_FIXTURES, else
// ~/.cache/cnn-lens/tfjs-graph-fixtures/v1/ (no Python tensorflowjs converter is available, so):
//   human/     real converter output shipped in an npm package (@vladmandic/human, MIT; the models'
//              own licences are listed in its models/README and wiki), fetched with `npm pack`
//   generated/ MobileNet v1 translated from the zoo's Keras JSON by graph-models.ts, with seeded
//              weights: float32, uint8-quantised and float16-quantised copies
// plus index.json (the list) and stamp.json (the sha256 of these scripts). A fresh stamp: nothing to do.
//
//   npx tsx scripts/tfjs-graph/export-fixtures.ts [--force]
//   npx tsx scripts/tfjs-graph/export-fixtures.ts --tiny DIR     # the committed test/fixtures/tfjs_graph_tiny

const ROOT = join(__dirname, '..', '..');
const HUMAN = '@vladmandic/human@3.3.6';
/** The models of that package that are plain CNNs (handtrack and movenet need control-flow and gather ops CNN Lens keeps opaque; they are parsed, not run). */
export const HUMAN_MODELS = ['blazeface', 'emotion', 'antispoof', 'liveness', 'facemesh', 'iris', 'faceres', 'handlandmark-lite', 'centernet', 'movenet-lightning', 'handtrack'];
const SOURCES = ['export-fixtures.ts', 'graph-builder.ts', 'graph-models.ts'].map((f) => join(__dirname, f));

export const fixturesDir = (): string => process.env.CNN_LENS_TFJS_GRAPH_FIXTURES || join(homedir(), '.cache', 'cnn-lens', 'tfjs-graph-fixtures', 'v1');
export const scriptHash = (): string => {
  const h = createHash('sha256');
  for (const f of SOURCES) h.update(readFileSync(f));
  h.update(readFileSync(join(ROOT, 'models', 'mobilenet_v1.json')));
  return h.digest('hex');
};

function write(dir: string, files: ReturnType<GraphBuilder['files']>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), files.modelJson);
  writeFileSync(join(dir, files.shardName), files.shard);
}

/** The package's models/ folder, by `npm pack` into the cache (the registry verifies its integrity). */
function fetchHuman(out: string): void {
  const tmp = join(out, '.pack');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const pack = spawnSync('npm', ['pack', HUMAN, '--pack-destination', tmp, '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack ${HUMAN} failed (${pack.error?.message ?? `exit status ${pack.status}`}${pack.stderr.trim() ? `: ${pack.stderr.trim()}` : ''})`);
  const tgz = join(tmp, pack.stdout.trim().split('\n').pop()!);
  const members = ['package/LICENSE', 'package/models/README.md', ...HUMAN_MODELS.flatMap((m) => [`package/models/${m}.json`, `package/models/${m}.bin`])];
  const untar = spawnSync('tar', ['xzf', tgz, '-C', tmp, ...members], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`cannot unpack ${tgz}: ${untar.stderr}`);
  rmSync(join(out, 'human'), { recursive: true, force: true });
  renameSync(join(tmp, 'package', 'models'), join(out, 'human'));
  renameSync(join(tmp, 'package', 'LICENSE'), join(out, 'human', 'LICENSE'));
  rmSync(tmp, { recursive: true, force: true });
}

function main(argv: string[]): void {
  const tiny = argv.indexOf('--tiny');
  if (tiny >= 0) {
    write(argv[tiny + 1], tinyGraph(new GraphBuilder(7)));
    return;
  }
  const out = fixturesDir();
  const stampFile = join(out, 'stamp.json');
  // Fresh: made by these scripts, the package fetched (a run without the registry tries again next time).
  if (!argv.includes('--force') && existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (stamp.script === scriptHash() && stamp.human === HUMAN) return;
  }
  mkdirSync(out, { recursive: true });
  rmSync(stampFile, { force: true });
  const keras = JSON.parse(readFileSync(join(ROOT, 'models', 'mobilenet_v1.json'), 'utf8'));
  const generated: Record<string, { quantise: Quantise; size: number }> = {
    mobilenet_v1: { quantise: 'none', size: 224 },
    mobilenet_v1_uint8: { quantise: 'uint8', size: 96 },
    mobilenet_v1_float16: { quantise: 'float16', size: 96 },
  };
  for (const [name, g] of Object.entries(generated)) write(join(out, 'generated', name), mobilenetV1Graph(keras, g.size, new GraphBuilder(1, g.quantise)));
  let fetched = true;
  try {
    fetchHuman(out);
  } catch (e) {
    // Without the npm registry the generated models still serve; the tests say which are missing.
    fetched = false;
    process.stderr.write(`[tfjs-graph-fixtures] warning: ${(e as Error).message}; only the generated models are written\n`);
  }
  const index = [
    ...Object.keys(generated).map((name) => ({ name, file: `generated/${name}/model.json`, source: 'scripts/tfjs-graph/graph-models.ts from models/mobilenet_v1.json' })),
    ...(fetched ? HUMAN_MODELS.map((name) => ({ name, file: `human/${name}.json`, source: HUMAN })) : []),
  ];
  writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 2));
  writeFileSync(stampFile, JSON.stringify({ script: scriptHash(), human: fetched ? HUMAN : null }));
  process.stderr.write(`[tfjs-graph-fixtures] wrote ${index.length} models to ${out}\n`);
}

if (require.main === module) main(process.argv.slice(2));
