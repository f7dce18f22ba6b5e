// npx tsx bench/lazy-layout.ts: the layout of big models, one ELK run over the visible graph
// (INCLUDE_CHILDREN, as the zoo is laid out) against one level at a time (webview/lazy-layout.ts),
// with elkjs under Node. Both are timed interleaved, on the same graphs, so that load from elsewhere
// on a shared machine falls on both alike. Cases: the collapsed top of a generated 10,000- and
// 50,000-layer flat model and of a 50,000-node scoped ONNX export; one block opened (the level
// layout lays out its inside and the top; the one run lays out everything); a second block opened
// (the first block's inside comes from the level cache); ResNet-152 with every block open.
// Figures are printed, never asserted.
import ELK from 'elkjs/lib/elk.bundled.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, buildReport, reportText } from '../src/core';
import type { ModelReport } from '../src/core/analysis/report-types';
import { parseSource } from '../src/core/formats/registry';
import { bytesSource } from '../src/core/formats/source';
import { largeModel } from '../scripts/large-model';
import { toElk, type ElkNode } from '../webview/elk-graph';
import { LazyLayout } from '../webview/lazy-layout';
import { buildModelView, visibleGraph, type ModelView } from '../webview/model';
import { generatedOnnxGraph } from './onnx-graph';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const elk = new ELK();
const run = (g: ElkNode) => elk.layout(g as Parameters<typeof elk.layout>[0]) as Promise<ElkNode>;
const size = (_: string, kind: 'layer' | 'group') => (kind === 'group' ? { width: 208, height: 66 } : { width: 208, height: 46 });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The top-level groups, the biggest first. */
const topGroups = (view: ModelView): string[] => [...view.groups.values()].filter((g) => !g.parent).sort((a, b) => b.allLayers.length - a.allLayers.length).map((g) => g.id);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function compare(name: string, view: ModelView, open: string[]): Promise<void> {
  const collapsed = new Set(view.groups.keys());
  for (const g of open.slice(0, -1)) collapsed.delete(g);
  const before = visibleGraph(view, collapsed);
  const last = open[open.length - 1];
  if (last) collapsed.delete(last);
  const graph = visibleGraph(view, collapsed);
  const one: number[] = [];
  const fresh: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    one.push(await time(() => run(toElk(graph, { size }))));
    const lazy = new LazyLayout(run);
    fresh.push(await time(() => lazy.layout(graph, size)));
    // As the webview has it: the graph before this step already laid out, its levels in the cache.
    const warm = new LazyLayout(run);
    await warm.layout(before, size);
    cached.push(await time(() => warm.layout(graph, size)));
  }
  const f = (x: number) => `${x.toFixed(0)} ms`.padStart(9);
  console.log(`${name.padEnd(44)} ${String(graph.nodes.length).padStart(6)} ${f(median(one))} ${f(median(fresh))} ${f(median(cached))}`);
}

async function main(): Promise<void> {
  const onnx = (n: number): ModelReport => buildReport(analyze(parseSource(bytesSource(`scoped-${n}.onnx`, generatedOnnxGraph(n)))));
  const flat = (n: number): ModelReport => reportText(JSON.stringify(largeModel(n, { flat: true })), `flat-${n}.json`);
  console.log(`elkjs under Node, median of ${RUNS}; "levels, cached": the step before already laid out (what opening a block costs in the webview)\n`);
  console.log(`${'case'.padEnd(44)} ${'shown'.padStart(6)} ${'one run'.padStart(9)} ${'levels'.padStart(9)} ${'cached'.padStart(9)}`);
  for (const [label, report] of [['flat 10k', flat(10_000)], ['flat 50k', flat(50_000)], ['scoped ONNX 50k', onnx(50_000)]] as const) {
    const view = buildModelView(report);
    const top = topGroups(view);
    await compare(`${label}: collapsed top`, view, []);
    await compare(`${label}: open the biggest block`, view, [top[0]]);
    await compare(`${label}: then open a second`, view, [top[0], top[1]]);
    const inner = [...view.groups.values()].filter((g) => g.parent === top[0]).sort((a, b) => b.allLayers.length - a.allLayers.length)[0];
    if (inner) await compare(`${label}: then a block inside the first`, view, [top[0], top[1], inner.id]);
  }
  const resnet = buildModelView(reportText(readFileSync(join(__dirname, '..', 'models', 'resnet152.json'), 'utf8'), 'resnet152.json'));
  const all = [...resnet.groups.keys()];
  await compare('ResNet-152: every block open', resnet, all);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
