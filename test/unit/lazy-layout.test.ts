// The level-by-level layout of big models (webview/lazy-layout.ts), with elkjs under Node: every
// visible item gets a box, each expanded block's members inside its box and apart from each other,
// every edge a polyline from its source to its target, and opening a block lays out only its inside
// (the level around it is stretched, the first block's inside comes from the cache, member for member the same).
import * as assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { reportText } from '../../src/core';
import { largeModel } from '../../scripts/large-model';
import type { Box, ElkNode } from '../../webview/elk-graph';
import { LazyLayout } from '../../webview/lazy-layout';
import { buildModelView, visibleGraph, type ModelView } from '../../webview/model';

const elk = new ELK();
const run = (g: ElkNode) => elk.layout(g as Parameters<typeof elk.layout>[0]) as Promise<ElkNode>;
const size = (_: string, kind: 'layer' | 'group') => (kind === 'group' ? { width: 208, height: 66 } : { width: 208, height: 46 });
const inside = (b: Box, outer: Box): boolean => b.x >= outer.x - 0.5 && b.y >= outer.y - 0.5 && b.x + b.width <= outer.x + outer.width + 0.5 && b.y + b.height <= outer.y + outer.height + 0.5;
const apart = (a: Box, b: Box): boolean => a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
/** Distance from a point to a box's outline (0 on it). */
const offBox = (p: { x: number; y: number }, b: Box): number => Math.hypot(Math.max(b.x - p.x, 0, p.x - b.x - b.width), Math.max(b.y - p.y, 0, p.y - b.y - b.height));

describe('lazy layout: one level of the hierarchy at a time', function () {
  this.timeout(300_000);
  let view: ModelView;
  let top: string[];
  before(() => {
    // 2,100 layers: auto-grouped into runs of ~46 layers (src/core/analysis/auto-groups.ts).
    view = buildModelView(reportText(JSON.stringify(largeModel(2_100, { flat: true })), 'flat-2100.json'));
    top = [...view.groups.values()].filter((g) => !g.parent).map((g) => g.id);
    assert.ok(top.length > 20);
  });

  it('lays out the collapsed top and an opened block: boxes for all, members inside their block, edges end to end', async () => {
    const lazy = new LazyLayout(run);
    const collapsed = new Set(view.groups.keys());
    const first = await lazy.layout(visibleGraph(view, collapsed), size);
    assert.equal(first.levels, 1);
    collapsed.delete(top[3]);
    const graph = visibleGraph(view, collapsed);
    const r = await lazy.layout(graph, size);
    assert.equal(r.levels, 2);
    assert.equal(r.levelsRun, 1, 'the opened block alone');
    assert.equal(r.levelsStretched, 1, 'the top: its last layout stretched around the box that grew');
    for (const n of graph.nodes) assert.ok(r.laid.boxes.has(n.id), `${n.id} has a box`);
    const block = r.laid.boxes.get(top[3])!;
    const members = graph.nodes.filter((n) => n.parent === top[3]);
    assert.equal(members.length, view.groups.get(top[3])!.layers.length);
    for (const m of members) assert.ok(inside(r.laid.boxes.get(m.id)!, block), `${m.id} inside its block`);
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) assert.ok(apart(r.laid.boxes.get(members[i].id)!, r.laid.boxes.get(members[j].id)!), `${members[i].id} and ${members[j].id} overlap`);
    for (const n of graph.nodes.filter((x) => !x.parent && x.id !== top[3])) assert.ok(apart(r.laid.boxes.get(n.id)!, block), `${n.id} clear of the opened block`);
    for (const e of graph.edges) {
      const pts = r.laid.edges.get(e.id)?.points ?? [];
      assert.ok(pts.length >= 2, `${e.id} has a route`);
      assert.ok(offBox(pts[0], r.laid.boxes.get(e.source)!) < 2, `${e.source} → ${e.target} starts at its source`);
      assert.ok(offBox(pts[pts.length - 1], r.laid.boxes.get(e.target)!) < 2, `${e.source} → ${e.target} ends at its target`);
      for (let k = 1; k < pts.length; k++) assert.ok(Math.abs(pts[k].x - pts[k - 1].x) < 0.01 || Math.abs(pts[k].y - pts[k - 1].y) < 0.01, `${e.id} is orthogonal`);
    }
  });

  it('opening a second block lays out its inside only: the top is stretched, the first block keeps its inside', async () => {
    const lazy = new LazyLayout(run);
    const collapsed = new Set(view.groups.keys());
    collapsed.delete(top[3]);
    const a = await lazy.layout(visibleGraph(view, collapsed), size);
    collapsed.delete(top[10]);
    const graph = visibleGraph(view, collapsed);
    const b = await lazy.layout(graph, size);
    assert.equal(b.levels, 3);
    assert.equal(a.levelsRun, 2, 'a fresh layout: the block and the top');
    assert.equal(b.levelsRun, 1, 'the second block; the first from the cache, the top stretched');
    assert.equal(b.levelsStretched, 1);
    const rel = (laid: typeof a.laid, id: string) => {
      const box = laid.boxes.get(id)!;
      const outer = laid.boxes.get(top[3])!;
      return { x: box.x - outer.x, y: box.y - outer.y };
    };
    for (const n of graph.nodes.filter((x) => x.parent === top[3])) assert.deepEqual(rel(b.laid, n.id), rel(a.laid, n.id), `${n.id} kept its place in its block`);
    // Stretched, not laid out again: the top items above the second block did not move.
    const second = a.laid.boxes.get(top[10])!;
    for (const n of graph.nodes.filter((x) => !x.parent && a.laid.boxes.get(x.id)!.y + a.laid.boxes.get(x.id)!.height <= second.y)) assert.deepEqual(b.laid.boxes.get(n.id), a.laid.boxes.get(n.id), `${n.id} stayed put`);
    // Closing it again: every level is in the cache.
    collapsed.add(top[10]);
    const c = await lazy.layout(visibleGraph(view, collapsed), size);
    assert.equal(c.levelsRun, 0);
  });
});
