// npm run bench:tfjs-graph: opening a TF.js graph model, CNN Lens against tfjs-converter. For
// MobileNet v1 (generated from the zoo) and real converter output from @vladmandic/human
// (scripts/tfjs-graph/export_fixtures.py): our parse with the shards' operand constants read +
// analysis + report, and tfjs-converter's loadGraphModel from memory (model.json parsed, the
// shards already read: its cheapest load) on the cpu backend, disposed after each. Interleaved
// runs, medians (wall and this process's CPU time). Figures are reported, not asserted.
//   BENCH_RUNS (timed runs per measurement, default 7)
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyze } from '../src/core/analysis/analyze';
import { buildReport } from '../src/core/analysis/report';
import { parseSourceWithFiles } from '../src/core/formats/registry';
import { median } from '../src/core/runtime/profile';
import { fileSource } from '../src/node/file-source';
import { graphFixturePath, graphFixtures } from '../test/support/tfjs-graph-fixtures';
import { timed, type Time } from './timing';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MODELS = ['mobilenet_v1', 'blazeface', 'faceres', 'centernet', 'handtrack'];

interface Case { readonly name: string; readonly file: string; readonly artifacts: tf.io.ModelArtifacts; readonly nodes: number }

function prepare(name: string, file: string): Case {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(file), p)))));
  const artifacts = { modelTopology: json.modelTopology, weightSpecs: groups.flatMap((g) => g.weights), weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), format: json.format, signature: json.signature } as tf.io.ModelArtifacts;
  return { name, file, artifacts, nodes: json.modelTopology.node.length };
}

async function ours(c: Case): Promise<void> {
  buildReport(analyze(await parseSourceWithFiles(fileSource(c.file))));
}

async function converter(c: Case): Promise<void> {
  const model = await loadGraphModel(tf.io.fromMemory(c.artifacts));
  model.dispose();
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const fixtures = graphFixtures().filter((f) => MODELS.includes(f.name));
  console.log(`TF.js graph models: CNN Lens parse (+ shard operands) + analysis + report vs tfjs-converter loadGraphModel (from memory, cpu); median of ${RUNS}`);
  console.log(`${'model'.padEnd(14)}${'nodes'.padStart(7)}${'ours ms'.padStart(10)}${'(cpu)'.padStart(8)}${'tfjs ms'.padStart(10)}${'(cpu)'.padStart(8)}${'ours/tfjs'.padStart(11)}`);
  for (const f of fixtures) {
    const c = prepare(f.name, graphFixturePath(f));
    await ours(c);
    await converter(c);
    const t: Record<'ours' | 'tfjs', Time[]> = { ours: [], tfjs: [] };
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 ? (['tfjs', 'ours'] as const) : (['ours', 'tfjs'] as const);
      for (const r of order) t[r].push(await timed(() => (r === 'ours' ? ours(c) : converter(c))));
    }
    const m = (ts: Time[], k: 'ms' | 'cpuMs') => median(ts.map((x) => x[k]));
    const fmt = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
    console.log(`${f.name.padEnd(14)}${String(c.nodes).padStart(7)}${fmt(m(t.ours, 'ms')).padStart(10)}${fmt(m(t.ours, 'cpuMs')).padStart(8)}${fmt(m(t.tfjs, 'ms')).padStart(10)}${fmt(m(t.tfjs, 'cpuMs')).padStart(8)}${(m(t.ours, 'ms') / m(t.tfjs, 'ms')).toFixed(2).padStart(10)}×`);
  }
}

void main();
