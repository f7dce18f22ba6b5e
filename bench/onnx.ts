// npm run bench:onnx: opening an ONNX file, CNN Lens against onnxruntime. For ResNet-50, ResNet-152
// (torchvision, exported by PyTorch with seeded weights), a generated 50,000-node graph and VGG-16
// (553 MB): our parse + analysis + report, and onnxruntime-node building an InferenceSession from
// the same bytes on one thread, with its default graph optimisations and with them disabled (its
// cheapest session). Interleaved runs, medians (wall and this process's CPU time); the 50k graph
// gets at most 3 runs, as onnxruntime needs tens of seconds a session there. Then memory on
// VGG-16: the report the host posts to the webview, and heap/RSS growth, each reader in a fresh
// process. Targets (faster than onnxruntime's session, ResNet-152 < 100 ms) are reported, not asserted.
//   BENCH_RUNS (timed runs per measurement, default 7), BENCH_CACHE (default ~/.cache/cnn-lens/bench)
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../src/core/analysis/analyze';
import { buildReport } from '../src/core/analysis/report';
import { ModelProto } from '../src/core/formats/onnx/proto';
import { parseSource } from '../src/core/formats/registry';
import { bytesSource } from '../src/core/formats/source';
import { median } from '../src/core/runtime/profile';
import { generatedOnnxGraph } from './onnx-graph';
import { timed, type Time } from './timing';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CACHE = process.env.BENCH_CACHE ?? join(homedir(), '.cache', 'cnn-lens', 'bench');
const GRAPH_NODES = 50_000;
const GRAPH_RUNS = Math.min(RUNS, 3);
const LARGE = 'vgg16.onnx';
const TARGET_MS = { 'resnet152.onnx': 100 } as Record<string, number>;

interface Case { readonly file: string; readonly label: string; readonly bytes: Uint8Array; readonly runs: number }
type Reader = 'ours' | 'ortDefault' | 'ortDisabled';
const READERS: readonly Reader[] = ['ours', 'ortDefault', 'ortDisabled'];

/** The torchvision exports (Python, once: about half a minute) and the generated graph (TypeScript, every run: it is deterministic). */
function prepareFixtures(): Case[] {
  const exported = ['resnet50.onnx', 'resnet152.onnx', LARGE];
  if (!exported.every((f) => existsSync(join(CACHE, f)))) {
    const py = spawnSync('/usr/bin/python3', [join(__dirname, '..', 'scripts', 'onnx', 'bench_fixtures.py'), CACHE], { stdio: 'inherit' });
    if (py.status !== 0) throw new Error('scripts/onnx/bench_fixtures.py failed: it needs Debian\'s python3-torch, python3-torchvision and python3-onnx');
  }
  const graph = generatedOnnxGraph(GRAPH_NODES);
  const graphFile = `generated-${GRAPH_NODES}.onnx`;
  writeFileSync(join(CACHE, graphFile), graph); // kept so it can be opened in the editor too
  const labels: Record<string, string> = { 'resnet50.onnx': 'ResNet-50', 'resnet152.onnx': 'ResNet-152', [graphFile]: 'generated 50k nodes', [LARGE]: 'VGG-16 (large)' };
  return ['resnet50.onnx', 'resnet152.onnx', graphFile, LARGE].map((file) => ({ file, label: labels[file], bytes: readFileSync(join(CACHE, file)), runs: file === graphFile ? GRAPH_RUNS : RUNS }));
}

function ours(c: Case): void {
  buildReport(analyze(parseSource(bytesSource(c.file, c.bytes))));
}

async function onnxruntime(c: Case, graphOptimizationLevel?: 'disabled'): Promise<void> {
  const session = await ort.InferenceSession.create(c.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, ...(graphOptimizationLevel ? { graphOptimizationLevel } : {}) });
  await session.release();
}

const run: Record<Reader, (c: Case) => unknown> = { ours, ortDefault: (c) => onnxruntime(c), ortDisabled: (c) => onnxruntime(c, 'disabled') };

/** Medians per reader, the readers interleaved in a rotating order so that load from elsewhere on a shared machine spreads over all of them. */
async function measure(c: Case): Promise<Record<Reader, Time>> {
  run.ours(c); // warm-up on this graph's shapes; onnxruntime was warmed up once in main
  const times: Record<Reader, Time[]> = { ours: [], ortDefault: [], ortDisabled: [] };
  for (let i = 0; i < c.runs; i++) {
    for (let k = 0; k < READERS.length; k++) {
      const r = READERS[(i + k) % READERS.length];
      times[r].push(await timed(() => run[r](c)));
    }
  }
  const mid = (ts: Time[]): Time => ({ ms: median(ts.map((t) => t.ms)), cpuMs: median(ts.map((t) => t.cpuMs)) });
  return { ours: mid(times.ours), ortDefault: mid(times.ortDefault), ortDisabled: mid(times.ortDisabled) };
}

const pad = (s: string, n: number) => s.padStart(n);
const ms = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (r: number) => `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`;
const verdict = (met: boolean) => (met ? 'PASS' : 'MISS');

function printRow(c: Case, nodes: number, t: Record<Reader, Time>, key: 'ms' | 'cpuMs'): string[] {
  const [o, d, n] = [t.ours[key], t.ortDefault[key], t.ortDisabled[key]];
  console.log(`${c.label.padEnd(20)}${pad(nodes.toLocaleString('en'), 8)}${pad((c.bytes.byteLength / 2 ** 20).toFixed(1), 8)}${pad(ms(o), 9)}${pad(ms(d), 10)}${pad(ms(n), 10)}${pad(ratio(o / d), 9)}${pad(ratio(o / n), 9)}`);
  const targets = [`${c.label}: faster than onnxruntime's session (default) ${verdict(o < d)}, (disabled) ${verdict(o < n)}`];
  if (TARGET_MS[c.file] !== undefined) targets.push(`${c.label}: under ${TARGET_MS[c.file]} ms ${verdict(o < TARGET_MS[c.file])} (${ms(o)} ms)`);
  return targets;
}

function memory(file: string, reader: 'ours' | 'onnxruntime'): Record<string, number> {
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', join(__dirname, 'onnx-memory.ts'), file, reader], { encoding: 'utf8', maxBuffer: 2 ** 24 });
  if (child.status !== 0) throw new Error(`bench/onnx-memory.ts ${reader} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const cases = prepareFixtures();
  console.log(`Opening ONNX: CNN Lens parse + analysis + report vs onnxruntime-node ${ort.env.versions.common} InferenceSession.create(bytes), one thread; median of ${RUNS} interleaved runs (${GRAPH_RUNS} for the 50k graph)`);
  for (const r of READERS) await run[r](cases[0]); // warm-up: JIT, onnxruntime's environment
  const results: { c: Case; nodes: number; t: Record<Reader, Time> }[] = [];
  for (const c of cases) {
    const graph = parseSource(bytesSource(c.file, c.bytes));
    const unknown = graph.nodes.filter((n) => n.op === 'Unknown').length;
    if (unknown) console.log(`  (${c.label}: ${unknown} nodes still opaque to CNN Lens's op table)`);
    const nodes = (ModelProto.decode(c.bytes) as unknown as { graph: { node: unknown[] } }).graph.node.length; // the file's own count, Constant nodes included
    results.push({ c, nodes, t: await measure(c) });
  }
  const targets: string[] = [];
  for (const key of ['ms', 'cpuMs'] as const) {
    console.log(`\n${key === 'ms' ? 'wall time, ms' : 'CPU time of this process, all threads (GC helpers, onnxruntime\'s), ms: moves less with other processes\' load'}`);
    console.log(`${'model'.padEnd(20)}${pad('nodes', 8)}${pad('MB', 8)}${pad('ours', 9)}${pad('ort', 10)}${pad('ort noopt', 10)}${pad('ours/ort', 9)}${pad('/noopt', 9)}`);
    for (const { c, nodes, t } of results) {
      const rowTargets = printRow(c, nodes, t, key);
      if (key === 'ms') targets.push(...rowTargets);
    }
  }
  console.log('\ntargets (wall time)');
  for (const line of targets) console.log(`  ${line}`);

  const large = join(CACHE, LARGE);
  const mine = memory(large, 'ours');
  const theirs = memory(large, 'onnxruntime');
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  console.log(`\nmemory, ${LARGE} (${mb(mine.fileMB)}), each in a fresh process, growth past the file's bytes already read:`);
  console.log(`  CNN Lens: report posted to the webview ${(mine.reportChars / 1024).toFixed(1)} KiB of JSON; heap +${mb(mine.heapGrowthMB)}, RSS +${mb(mine.rssGrowthMB)}, peak RSS +${mb(mine.peakGrowthMB)}; ${ms(mine.ms)} ms`);
  console.log(`  onnxruntime session: heap +${mb(theirs.heapGrowthMB)}, RSS +${mb(theirs.rssGrowthMB)}, peak RSS +${mb(theirs.peakGrowthMB)}; ${ms(theirs.ms)} ms`);
  const small = mine.reportChars < mine.fileMB * 2 ** 20 / 1000;
  console.log(`  target: the weight bytes stay out of the webview (report < 0.1% of the file) ${verdict(small)}`);
}

main();
