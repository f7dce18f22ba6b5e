// The diagram keeps still across edits (webview/layout-memory.ts): real zoo models, real edits planned
// by src/core (planEdit), laid out by elkjs under Node as the layout worker does. Node sizes follow the
// diagram's rule (minor layers are short, labels widen a node) without measuring text.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { reportText } from '../../src/core';
import { planEdit } from '../../src/core/edit/plan';
import type { ModelEdit } from '../../src/core/edit/types';
import { fromElk, toElk, type Box, type ElkNode, type LaidOut } from '../../webview/elk-graph';
import { INTERACTIVE_OPTIONS, LayoutMemory, seedBoxes, seedRequest, seedStretch, steadiest, topologyKey } from '../../webview/layout-memory';
import { buildModelView, visibleGraph, type ModelView, type VisibleGraph } from '../../webview/model';

const ROOT = resolve(__dirname, '..', '..');
const MINOR = new Set(['activation', 'norm', 'regularization', 'padding']);
const elk = new ELK();

const text = (model: string): string => readFileSync(join(ROOT, 'models', `${model}.json`), 'utf8');

/** A size like the diagram's: minor layers 28 px high, others 46; a long label widens the node. */
const sizer = (v: ModelView) => (id: string, kind: 'layer' | 'group') => {
  if (kind === 'group') return { width: 208, height: 66 };
  const l = v.layers.get(id)!;
  return { width: Math.max(208, 110 + 7 * l.label.length), height: MINOR.has(l.family) ? 28 : 46 };
};

const layOut = async (request: ElkNode): Promise<LaidOut> => fromElk((await elk.layout(request as never)) as unknown as ElkNode);

interface Drawn { laid: LaidOut; view: ModelView; graph: VisibleGraph; how: 'fresh' | 'seeded' | 'reused' }

/** What main.ts does: plan with the memory, ask ELK unless the plan reuses, remember. */
async function draw(source: string, model: string, memory: LayoutMemory, edited: boolean, keep?: string): Promise<Drawn> {
  const view = buildModelView(reportText(source, `${model}.json`));
  const graph = visibleGraph(view, new Set());
  const request = toElk(graph, { size: sizer(view) });
  const plan = memory.plan(graph, request, edited);
  if ('reuse' in plan) return { laid: plan.reuse, view, graph, how: 'reused' };
  const results: LaidOut[] = [];
  for (const r of plan.requests) results.push(await layOut(r));
  const { laid, index } = memory.pick(results, graph, keep);
  memory.remember(graph, request, laid);
  return { laid, view, graph, how: plan.seeded && index === 0 ? 'seeded' : 'fresh' };
}

/** Opens a model, applies an edit as the host would (the edited layer kept under the eye), and lays both out with one memory. */
async function beforeAfter(model: string, edit: ModelEdit, keep?: string): Promise<{ before: Drawn; after: Drawn }> {
  const memory = new LayoutMemory();
  const source = text(model);
  const before = await draw(source, model, memory, false);
  const after = await draw(planEdit(source, `${model}.json`, edit).text, model, memory, true, keep);
  return { before, after };
}

/** Layers whose output reaches `id` (and `id` itself). */
function upstreamOf(view: ModelView, id: string): Set<string> {
  const out = new Set([id]);
  const stack = [id];
  while (stack.length) for (const i of view.layers.get(stack.pop()!)?.inputs ?? []) if (!out.has(i)) (out.add(i), stack.push(i));
  return out;
}

/**
 * How each layer moved between two layouts, with the drawing shifted so that `anchor` has not moved
 * (main.ts keeps it under the eye): dx of the centre (a node that widens stays on its column), dy of the top.
 */
function moves(before: LaidOut, after: LaidOut, view: ModelView, anchor: string): Map<string, { dx: number; dy: number }> {
  const cx = (b: Box): number => b.x + b.width / 2;
  const a0 = before.boxes.get(anchor)!;
  const a1 = after.boxes.get(anchor)!;
  const out = new Map<string, { dx: number; dy: number }>();
  for (const id of view.layers.keys()) {
    const b0 = before.boxes.get(id);
    const b1 = after.boxes.get(id);
    if (b0 && b1) out.set(id, { dx: Math.round((cx(b1) - cx(a1)) - (cx(b0) - cx(a0))), dy: Math.round((b1.y - a1.y) - (b0.y - a0.y)) });
  }
  return out;
}

describe('layout memory: the diagram keeps still across edits (elkjs)', function () {
  this.timeout(60_000);

  it('an attribute edit that changes no node size reuses the last layout: every position identical, ELK not asked', async () => {
    const { before, after } = await beforeAfter('resnet18', { kind: 'setAttribute', layer: 'conv2_block1_1_conv', attr: 'filters', value: 32 });
    assert.equal(before.how, 'fresh');
    assert.equal(after.how, 'reused');
    assert.notEqual(after.view.layers.get('conv2_block1_1_conv')!.label, before.view.layers.get('conv2_block1_1_conv')!.label, 'the label changed');
    assert.deepEqual([...after.laid.boxes], [...before.laid.boxes]);
  });

  it('nodes that grow taller are laid out again, seeded: every node keeps its order down the flow and its column', async () => {
    // Activation thumbnails make every node taller (webview/main.ts lays out again when they arrive).
    const memory = new LayoutMemory();
    const source = text('resnet18');
    const before = await draw(source, 'resnet18', memory, false);
    const view = buildModelView(reportText(source, 'resnet18.json'));
    const graph = visibleGraph(view, new Set());
    const base = sizer(view);
    const request = toElk(graph, { size: (id, kind) => ({ width: base(id, kind).width, height: base(id, kind).height + 60 }) });
    const plan = memory.plan(graph, request, false);
    assert.ok('requests' in plan && plan.seeded, 'seeded');
    const after = await layOut(plan.requests[0]);
    const rows = (l: LaidOut): string[] => [...view.layers.keys()].sort((p, q) => l.boxes.get(p)!.y - l.boxes.get(q)!.y || l.boxes.get(p)!.x - l.boxes.get(q)!.x);
    assert.deepEqual(rows(after), rows(before.laid), 'the same order down the flow');
    const moved = moves(before.laid, after, view, 'conv1_conv');
    const sideways = [...moved].filter(([, m]) => m.dx !== 0);
    assert.deepEqual(sideways, [], 'no other node changes column');
  });

  for (const [model, anchor] of [['resnet18', 'conv3_block1_0_bn'], ['googlenet', 'inception_3a_1x1'], ['vgg16', 'block3_conv1']] as const) {
    it(`inserting after ${anchor} (${model}) keeps every node upstream in place and moves the others only down the flow`, async () => {
      const { before, after } = await beforeAfter(model, { kind: 'insertLayer', anchor, position: 'after', op: 'BatchNormalization', name: `${anchor}_bn` }, anchor);
      assert.equal(after.how, 'seeded');
      const moved = moves(before.laid, after.laid, before.view, anchor);
      const upstream = upstreamOf(before.view, anchor);
      for (const id of upstream) assert.deepEqual(moved.get(id), { dx: 0, dy: 0 }, `${id} (upstream) stays`);
      for (const [id, m] of moved) {
        assert.equal(m.dx, 0, `${id} keeps its column`);
        assert.ok(m.dy >= 0, `${id} moves down the flow, never up (${m.dy})`);
      }
      // The new layer sits between its anchor and the anchor's old consumers.
      const bn = after.laid.boxes.get(`${anchor}_bn`)!;
      const a = after.laid.boxes.get(anchor)!;
      assert.ok(bn.y > a.y + a.height, 'below its anchor');
      for (const c of before.view.consumers.get(anchor) ?? []) assert.ok(after.laid.boxes.get(c)!.y > bn.y + bn.height, `above ${c}`);
    });
  }

  it('a rewire that skips two layers keeps at least as many nodes on their column as a fresh layout, and 9 in 10', async () => {
    const edit: ModelEdit = { kind: 'connect', layer: 'conv4_block1_2_conv', input: 0, from: 'conv4_block1_1_conv' };
    const { before, after } = await beforeAfter('resnet18', edit, 'conv4_block1_2_conv');
    const fresh = await draw(planEdit(text('resnet18'), 'resnet18.json', edit).text, 'resnet18', new LayoutMemory(), false);
    const columns = (l: LaidOut): number => {
      const n = new Map<number, number>();
      for (const m of moves(before.laid, l, before.view, 'conv4_block1_2_conv').values()) n.set(m.dx, (n.get(m.dx) ?? 0) + 1);
      return Math.max(...n.values());
    };
    assert.ok(columns(after.laid) >= columns(fresh.laid), `${columns(after.laid)} ≥ ${columns(fresh.laid)}`);
    assert.ok(columns(after.laid) >= 0.9 * before.view.layers.size, `${columns(after.laid)} of ${before.view.layers.size} keep their column`);
  });

  it('a rename moves nothing: the last layout is reused under the new name when the node keeps its size', async () => {
    const memory = new LayoutMemory();
    const source = text('vgg16');
    const before = await draw(source, 'vgg16', memory, false);
    memory.rename(new Map([['block2_conv2', 'block2_conv2b']]));
    const after = await draw(planEdit(source, 'vgg16.json', { kind: 'renameLayer', layer: 'block2_conv2', newName: 'block2_conv2b' }).text, 'vgg16', memory, true);
    assert.equal(after.how, 'reused');
    assert.deepEqual(after.laid.boxes.get('block2_conv2b'), before.laid.boxes.get('block2_conv2'));
    for (const [id, b] of before.laid.boxes) if (id !== 'block2_conv2') assert.deepEqual(after.laid.boxes.get(id), b, id);
  });

  it('expanding or collapsing a block (no edit) gets a fresh layout; the same graph again reuses it', async () => {
    const memory = new LayoutMemory();
    const source = text('vgg16');
    const first = await draw(source, 'vgg16', memory, false);
    const again = await draw(source, 'vgg16', memory, false);
    assert.equal(first.how, 'fresh');
    assert.equal(again.how, 'reused');
    assert.equal(again.laid, first.laid);
  });
});

describe('layout memory: seeds', () => {
  const graph: VisibleGraph = {
    nodes: [
      { id: 'blk', kind: 'container', ports: 0 },
      { id: 'a', kind: 'layer', ports: 0 },
      { id: 'new', kind: 'layer', parent: 'blk', ports: 0 },
      { id: 'b', kind: 'layer', parent: 'blk', ports: 0 },
    ],
    edges: [{ id: 'e0', source: 'a', target: 'new', tensor: 'a' }, { id: 'e1', source: 'new', target: 'b', tensor: 'new' }],
    rep: new Map(),
  };
  const box = (x: number, y: number, width = 100, height = 40): Box => ({ x, y, width, height });
  const previous: LaidOut = { boxes: new Map([['blk', box(10, 80, 140, 100)], ['a', box(30, 10)], ['b', box(30, 130)]]), edges: new Map(), width: 200, height: 200 };
  const sizes = new Map([['a', { width: 100, height: 40 }], ['new', { width: 120, height: 28 }], ['b', { width: 100, height: 40 }]]);

  it('a new node starts just below the node feeding it; known nodes where they were', () => {
    const seeds = seedBoxes(graph, sizes, previous);
    assert.deepEqual(seeds.get('new'), { x: 30, y: 51, width: 120, height: 28 });
    assert.deepEqual(seeds.get('a'), box(30, 10));
    assert.deepEqual(seeds.get('blk'), box(10, 80, 140, 100));
  });

  it('writes seeds relative to the parent, stretched along the flow, with the interactive strategies at every level', () => {
    const request = toElk(graph, { size: (id) => sizes.get(id)! });
    seedRequest(request, seedBoxes(graph, sizes, previous), 2);
    const blk = request.children!.find((c) => c.id === 'blk')!;
    const b = blk.children!.find((c) => c.id === 'b')!;
    assert.deepEqual([blk.x, blk.y], [10, 160]);
    assert.deepEqual([b.x, b.y], [20, 100]); // (30 − 10, (130 − 80) × 2)
    for (const n of [request, blk]) for (const [k, v] of Object.entries(INTERACTIVE_OPTIONS)) assert.equal(n.layoutOptions?.[k], v);
  });

  it('stretches by the largest growth in height, never below 1', () => {
    assert.equal(seedStretch(sizes, previous), 1);
    assert.equal(seedStretch(new Map([['a', { width: 100, height: 100 }], ['b', { width: 100, height: 60 }]]), previous), 2.5);
  });

  it('the topology key tells graphs apart by nodes, parents, ports and edges, not by order of the Map', () => {
    const other: VisibleGraph = { ...graph, edges: [graph.edges[0]] };
    assert.notEqual(topologyKey(graph), topologyKey(other));
    assert.equal(topologyKey(graph), topologyKey({ ...graph, rep: new Map([['a', 'a']]) }));
  });

  it('steadiest: the first node, in flow order, that moved sideways as most did', () => {
    const next: LaidOut = { ...previous, boxes: new Map([['a', box(50, 10)], ['b', box(50, 170)], ['c', box(0, 0)]]) };
    const prev: LaidOut = { ...previous, boxes: new Map([...previous.boxes, ['c', box(10, 0)]]) };
    assert.equal(steadiest(prev, next, ['c', 'a', 'b']), 'a');
    assert.equal(steadiest(prev, { ...next, boxes: new Map() }, ['a']), null);
  });
});
