// Automatic groups for graphs that carry too little hierarchy (src/core/analysis/auto-groups.ts), on
// generated graphs: every layer in exactly one group of the tree, no level holding more than the
// limit, every edge still drawn between the items standing for its ends, cuts between residual
// blocks where one tensor crosses, the same groups every time, and graphs that need none left alone.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportText } from '../../src/core';
import { AUTO_GROUP_LIMIT, AUTO_GROUP_PREFIX, autoGroups, cutPoints, type AutoGroupLayer } from '../../src/core/analysis/auto-groups';
import type { ModelReport } from '../../src/core/analysis/report-types';
import type { IRGroup } from '../../src/core/ir';
import { buildModelView, visibleGraph } from '../../webview/model';
import { largeModel } from '../../scripts/large-model';

const ROOT = resolve(__dirname, '..', '..');
const flat = (n: number): ModelReport => reportText(JSON.stringify(largeModel(n, { flat: true })), `flat-${n}.json`);

/** Items per level of the tree: '' (the top) and each group, counting direct layers and child groups. */
function levelSizes(groups: readonly IRGroup[], groupOf: ReadonlyMap<string, string>, layerIds: readonly string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  const bump = (level: string): void => void sizes.set(level, (sizes.get(level) ?? 0) + 1);
  for (const id of layerIds) bump(groupOf.get(id) ?? '');
  for (const g of groups) bump(g.parent ?? '');
  return sizes;
}

/** A chain of `n` layers where every `every`-th layer also reads the one `every` back (a residual skip). */
function residualChain(n: number, every: number): AutoGroupLayer[] {
  return Array.from({ length: n }, (_, i) => ({ id: `l${i}`, inputs: i === 0 ? [] : i % every === 0 && i >= every ? [`l${i - 1}`, `l${i - every}`] : [`l${i - 1}`] }));
}

/** Every edge of the report, drawn between the items standing for its ends (or inside one item). */
function assertEdgesKept(report: ModelReport, collapsed: ReadonlySet<string>): void {
  const view = buildModelView(report);
  const graph = visibleGraph(view, collapsed);
  const drawn = new Set(graph.edges.map((e) => `${e.source}>${e.target}`));
  for (const l of report.layers) for (const input of l.inputs) {
    const [a, b] = [graph.rep.get(input)!, graph.rep.get(l.name)!];
    if (a !== b) assert.ok(drawn.has(`${a}>${b}`), `${input} → ${l.name} is drawn as ${a} → ${b}`);
  }
}

describe('auto-groups: hierarchy for huge flat graphs', () => {
  it('a flat 10,000-layer model: every layer in exactly one group, no level over the limit, ~√n items a level', () => {
    const report = flat(10_000);
    assert.equal(report.layers.length, 10_000);
    const groupOf = new Map(report.layers.filter((l) => l.group).map((l) => [l.name, l.group!]));
    assert.equal(groupOf.size, 10_000, 'every layer is inside an automatic group');
    const ids = new Set(report.groups.map((g) => g.id));
    assert.equal(ids.size, report.groups.length, 'group ids are unique');
    assert.ok(report.groups.every((g) => g.id.startsWith(AUTO_GROUP_PREFIX) && (!g.parent || ids.has(g.parent))));
    for (const l of report.layers) assert.ok(ids.has(l.group!), `${l.name}'s group ${l.group} exists`);
    const sizes = levelSizes(report.groups, groupOf, report.layers.map((l) => l.name));
    for (const [level, n] of sizes) assert.ok(n <= AUTO_GROUP_LIMIT, `level '${level}' holds ${n} items`);
    // √10,000 = 100: the top holds about 100 runs of about 100 layers each (cuts move within [s/2, 2s]).
    const top = sizes.get('')!;
    assert.ok(top >= 50 && top <= 200, `top level: ${top} runs`);
    // Each layer is a direct member of exactly one group: the members of all groups partition the layers.
    const members = [...groupOf.values()].reduce((m, g) => m.set(g, (m.get(g) ?? 0) + 1), new Map<string, number>());
    assert.equal([...members.values()].reduce((a, b) => a + b, 0), 10_000);
  });

  it('keeps every edge: between the top-level runs collapsed, and all of them with every run expanded', () => {
    const report = flat(3_000);
    const view = buildModelView(report);
    assertEdgesKept(report, new Set(view.groups.keys()));
    assertEdgesKept(report, new Set());
    const open = visibleGraph(view, new Set());
    assert.equal(open.edges.length, report.layers.reduce((n, l) => n + l.inputs.length, 0), 'expanded: one drawn edge per input');
  });

  it('cuts between residual blocks, where a single tensor crosses: each run is entered by one tensor', () => {
    const report = flat(5_000);
    const inside = new Map<string, Set<string>>();
    for (const l of report.layers) (inside.get(l.group!) ?? inside.set(l.group!, new Set()).get(l.group!)!).add(l.name);
    let multi = 0;
    for (const [g, names] of inside) {
      const entering = new Set(report.layers.filter((l) => names.has(l.name)).flatMap((l) => l.inputs).filter((i) => !names.has(i)));
      if (entering.size > 1) multi++;
      assert.ok(entering.size <= 1 || g.startsWith(AUTO_GROUP_PREFIX), g);
    }
    assert.equal(multi, 0, 'no run starts in the middle of a residual block');
  });

  it('is deterministic: the same graph gives the same groups', () => {
    const a = flat(4_000);
    const b = flat(4_000);
    assert.deepEqual(a.groups, b.groups);
    assert.deepEqual(a.layers.map((l) => l.group), b.layers.map((l) => l.group));
  });

  it('cuts again when the runs are too many: a 2,000-layer chain under a limit of 10 nests, no level over 10', () => {
    const layers = residualChain(2_000, 4);
    const { groups, groupOf } = autoGroups([], layers, 10);
    assert.equal(groupOf.size, 2_000);
    const sizes = levelSizes(groups, groupOf, layers.map((l) => l.id));
    for (const [level, n] of sizes) assert.ok(n <= 10, `level '${level}' holds ${n} items`);
    const depth = (g: string | undefined): number => (g ? 1 + depth(groups.find((x) => x.id === g)!.parent) : 0);
    assert.ok(depth(groupOf.get('l0')) >= 3, 'at least three levels of runs');
  });

  it('cuts inside a group that holds too many members, under that group', () => {
    const outer: IRGroup = { id: 'model:big', name: 'big', kind: 'model' };
    const layers = residualChain(1_000, 3).map((l, i) => (i === 0 ? l : { ...l, group: outer.id }));
    const { groups, groupOf } = autoGroups([outer], layers, 100);
    assert.equal(groupOf.get('l0'), undefined, 'the layer outside keeps no group');
    const runs = groups.filter((g) => g.id.startsWith(AUTO_GROUP_PREFIX));
    assert.ok(runs.length > 0 && runs.every((g) => g.parent === outer.id));
    for (const l of layers.slice(1)) assert.equal(groups.find((g) => g.id === groupOf.get(l.id))?.parent, outer.id);
    assert.ok(levelSizes(groups, groupOf, layers.map((l) => l.id)).get(outer.id)! <= 100);
  });

  it('leaves graphs that need none alone: ResNet-152 and a 300-layer flat chain', () => {
    const path = join(ROOT, 'models', 'resnet152.json');
    const report = reportText(readFileSync(path, 'utf8'), path);
    assert.ok(report.groups.length > 40);
    assert.ok(report.groups.every((g) => !g.id.startsWith(AUTO_GROUP_PREFIX)));
    const small = flat(300);
    assert.deepEqual(small.groups, []);
    assert.ok(small.layers.every((l) => l.group === undefined));
  });

  it('cutPoints: runs cover every item once, in order, none over the limit, cut at the cheapest place', () => {
    // 1,000 items, a tensor crossing everywhere except after each multiple of 50.
    const edges: [number, number][] = [];
    for (let i = 0; i + 2 < 1_000; i++) if ((i + 2) % 50 !== 0) edges.push([i, i + 2]);
    for (let i = 0; i + 1 < 1_000; i++) edges.push([i, i + 1]);
    const runs = cutPoints(1_000, edges, 400);
    assert.equal(runs[0][0], 0);
    assert.equal(runs[runs.length - 1][1], 1_000);
    for (let k = 1; k < runs.length; k++) assert.equal(runs[k][0], runs[k - 1][1]);
    assert.ok(runs.every(([a, b]) => b - a <= 400 && b > a));
    // The last cut may have no clean place left within its window (the end is too near): the others all do.
    for (const [, end] of runs.slice(0, -2)) assert.equal(end % 50, 0, `cut after ${end - 1}: a clean cut`);
  });
});
