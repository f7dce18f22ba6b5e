// The diagram's layout input, without a browser: block naming conventions (src/core/analysis/blocks.ts,
// which the host's hierarchy applies), the visible graph for a set of collapsed groups, and the ELK graph
// built from it (webview/model.ts, webview/elk-graph.ts), on reports built by src/core from real model files.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportText } from '../../src/core';
import type { ModelReport } from '../../src/core/analysis/report-types';
import { largeModel } from '../../scripts/large-model';
import { outPortId, portId, toElk, type ElkNode } from '../../webview/elk-graph';
import { blockOfName, repeatedBlocks } from '../../src/core/analysis/blocks';
import { buildModelView, defaultCollapsed, layerCount, visibleGraph, type ModelView, type VisibleGraph } from '../../webview/model';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const ZOO = join(ROOT, 'models');
const report = (file: string): ModelReport => reportText(readFileSync(file, 'utf8'), file);
const zoo = (name: string): ModelReport | null => (existsSync(join(ZOO, `${name}.json`)) ? report(join(ZOO, `${name}.json`)) : null);
const generated = (n: number): ModelReport => reportText(JSON.stringify(largeModel(n)), `generated-${n}.json`);
const size = () => ({ width: 200, height: 40 });

/** Every model the tests can read: the fixtures, the zoo (when generated) and a generated stack. */
function allReports(): [string, ModelReport][] {
  const out: [string, ModelReport][] = [];
  for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()) out.push([`fixtures/${f}`, report(join(FIXTURES, f))]);
  if (existsSync(join(FIXTURES, 'tfjs_multi_io', 'model.json'))) out.push(['fixtures/tfjs_multi_io', report(join(FIXTURES, 'tfjs_multi_io', 'model.json'))]);
  if (existsSync(ZOO)) for (const f of readdirSync(ZOO).filter((f) => f.endsWith('.json')).sort()) out.push([`models/${f}`, report(join(ZOO, f))]);
  out.push(['generated-300', generated(300)]);
  return out;
}

/** Checks the visible graph's invariants; returns the node ids. */
function checkVisible(view: ModelView, collapsed: ReadonlySet<string>, g: VisibleGraph, what: string): Set<string> {
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.equal(ids.size, g.nodes.length, `${what}: node ids are unique`);
  // Every layer counted exactly once: by itself, or by the one collapsed group standing for it.
  const drawn = g.nodes.filter((n) => n.kind !== 'container');
  assert.equal(drawn.reduce((a, n) => a + layerCount(view, n.id), 0), view.layers.size, `${what}: layers counted once`);
  const stands = new Map<string, string>();
  for (const n of drawn) for (const l of n.kind === 'layer' ? [n.id] : view.groups.get(n.id)!.allLayers) {
    assert.ok(!stands.has(l), `${what}: ${l} stands under both ${stands.get(l)} and ${n.id}`);
    stands.set(l, n.id);
  }
  for (const l of view.layers.keys()) assert.equal(g.rep.get(l), stands.get(l), `${what}: rep of ${l}`);
  for (const n of g.nodes) {
    if (n.kind === 'group') assert.ok(collapsed.has(n.id), `${what}: ${n.id} drawn collapsed but not in the set`);
    if (n.kind === 'container') assert.ok(!collapsed.has(n.id));
    if (n.parent) {
      assert.ok(ids.has(n.parent), `${what}: parent ${n.parent} of ${n.id} is drawn`);
      assert.equal(g.nodes.find((p) => p.id === n.parent)!.kind, 'container', `${what}: ${n.id} sits in an expanded group`);
    }
  }
  const kinds = new Map(g.nodes.map((n) => [n.id, n.kind]));
  for (const e of g.edges) {
    assert.ok(ids.has(e.source) && ids.has(e.target), `${what}: edge ${e.source} → ${e.target} has both ends`);
    assert.notEqual(kinds.get(e.source), 'container', `${what}: edges leave layers or collapsed groups`);
    assert.notEqual(kinds.get(e.target), 'container');
    assert.notEqual(e.source, e.target, `${what}: no self-loop on ${e.source}`);
    assert.equal(g.rep.get(e.tensor), e.source, `${what}: edge carries ${e.tensor} from its representative`);
  }
  // Every input reference between different visible items is drawn.
  for (const l of view.report.layers) for (const i of l.inputs) {
    if (!view.layers.has(i)) continue;
    const s = g.rep.get(i)!;
    const t = g.rep.get(l.name)!;
    if (s !== t) assert.ok(g.edges.some((e) => e.source === s && e.target === t), `${what}: ${i} → ${l.name} drawn as ${s} → ${t}`);
  }
  return ids;
}

/** Checks the ELK graph: endpoints exist (ports resolve to nodes), compound nodes hold their children. */
function checkElk(g: VisibleGraph, elk: ElkNode, what: string): Map<string, ElkNode> {
  const nodes = new Map<string, ElkNode>();
  const parentOf = new Map<string, string>();
  const ports = new Map<string, string>();
  const walk = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      assert.ok(!nodes.has(c.id), `${what}: ${c.id} once in the ELK graph`);
      nodes.set(c.id, c);
      parentOf.set(c.id, n.id);
      for (const p of c.ports ?? []) ports.set(p.id, c.id);
      walk(c);
    }
  };
  walk(elk);
  assert.equal(nodes.size, g.nodes.length, `${what}: one ELK node per visible node`);
  for (const n of g.nodes) assert.equal(parentOf.get(n.id), n.parent ?? '__root__', `${what}: ${n.id} under its group`);
  assert.equal(elk.edges!.length, g.edges.length);
  for (const e of elk.edges!) {
    for (const end of [...e.sources, ...e.targets]) assert.ok(nodes.has(end) || ports.has(end), `${what}: edge ${e.id} end ${end} exists`);
    const v = g.edges.find((x) => x.id === e.id)!;
    assert.equal(ports.get(e.sources[0]) ?? e.sources[0], v.source);
    assert.equal(ports.get(e.targets[0]) ?? e.targets[0], v.target);
  }
  return nodes;
}

describe('webview: block derivation from layer names', () => {
  const cases: [string, string | null, string?][] = [
    ['conv2_block1_1_conv', 'conv2_block1'],
    ['conv5_block3_out', 'conv5_block3'],
    ['conv1_conv', 'conv1', 'conv1 (stem)'],
    ['block1_conv1', 'block1'],
    ['block5_pool', 'block5'],
    ['inception_3a_1x1', 'inception_3a'],
    ['inception_4e_pool_proj', 'inception_4e'],
    ['conv_dw_3', 'mobilenet_block_3', 'block 3'],
    ['conv_pw_3_bn', 'mobilenet_block_3', 'block 3'],
    ['conv_dw_13_relu', 'mobilenet_block_13', 'block 13'],
    ['block_3_expand', 'block_3'],
    ['expanded_conv_project', 'expanded_conv'],
    ['mixed5', 'mixed5'],
    ['b12_conv1', null],
    ['fc1', null],
    ['predictions', null],
    ['conv_pad_1', 'mobilenet_block_1', 'block 1'],
  ];
  for (const [name, key, display] of cases) {
    it(`${name} → ${key ?? 'no block'}`, () => {
      const b = blockOfName(name);
      assert.equal(b?.key ?? null, key);
      if (b) assert.equal(b.name, display ?? key);
    });
  }

  it('finds repeated numbered blocks (b12_conv1 → b12) only when a stem numbers three or more', () => {
    const names = ['b0_conv1', 'b0_bn1', 'b1_conv1', 'b1_add', 'b12_conv1', 'b12_out', 'tail1'];
    const r = repeatedBlocks(names);
    assert.deepEqual(r.get('b12_conv1'), { key: 'b12', name: 'b12' });
    assert.equal(r.get('b0_bn1')?.key, 'b0');
    assert.equal(r.has('tail1'), false);
    assert.equal(repeatedBlocks(names.slice(0, 4)).size, 0, 'two blocks are not a pattern');
    // GoogLeNet's stem layers are numbered but not repeated blocks.
    assert.equal(repeatedBlocks(['conv1_7x7_s2', 'pool1_3x3_s2', 'pool1_norm1', 'conv2_3x3_reduce', 'conv2_3x3', 'conv2_norm2', 'pool2_3x3_s2', 'pool5_7x7_s1', 'pool5_flatten', 'pool5_drop_7x7_s1']).size, 0);
  });

  it('groups a ResNet-50 into the stem and 16 bottleneck blocks, members in order', () => {
    const r = zoo('resnet50') ?? (JSON.parse(readFileSync(join(ROOT, 'test/browser/fixtures/resnet50.json'), 'utf8')) as ModelReport);
    const view = buildModelView(r);
    const blocks = [...view.groups.keys()];
    assert.equal(blocks.length, 17);
    assert.equal(blocks[0], 'block:conv1');
    assert.equal(blocks.filter((b) => /^block:conv[2-5]_block\d+$/.test(b)).length, 16);
    const g = view.groups.get('block:conv2_block1')!;
    assert.deepEqual(g.layers, r.layers.filter((l) => l.name.startsWith('conv2_block1_')).map((l) => l.name));
    assert.equal(g.layers.length, 12, '0_conv, 0_bn, three conv-bn(-relu), add, out');
    assert.equal(g.layers.at(-1), 'conv2_block1_out');
    assert.deepEqual(g.outputShape, r.layers.find((l) => l.name === 'conv2_block1_out')!.outputShape);
    assert.equal(g.params, g.layers.reduce((a, id) => a + view.layers.get(id)!.params, 0));
    assert.equal(view.groupOf.get('input_1'), undefined);
    assert.equal(view.groupOf.get('predictions'), undefined);
  });

  it('groups a GoogLeNet by inception module and a MobileNet by depthwise-separable block', function () {
    const g = zoo('googlenet');
    const m = zoo('mobilenet_v1');
    if (!g || !m) this.skip();
    const gv = buildModelView(g!);
    assert.deepEqual([...gv.groups.keys()], ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'].map((s) => `block:inception_${s}`));
    assert.equal(gv.groups.get('block:inception_3a')!.layers.length, 8, '1×1, two reduce/conv pairs, pool, pool projection, concat');
    assert.equal(gv.groupOf.get('inception_3a_concat'), 'block:inception_3a');
    const mv = buildModelView(m!);
    assert.equal(mv.groupOf.get('conv_dw_3'), 'block:mobilenet_block_3');
    assert.equal(mv.groupOf.get('conv_pw_3_relu'), 'block:mobilenet_block_3');
    assert.equal(mv.groups.get('block:mobilenet_block_3')!.name, 'block 3');
    assert.equal([...mv.groups.keys()].filter((k) => k.startsWith('block:mobilenet_block_')).length, 13);
  });

  it('groups a generated residual stack by its b{i}_ names, so that it opens collapsed', () => {
    const view = buildModelView(generated(2000));
    const blocks = Math.floor((2000 - 1) / 7);
    assert.equal(view.groups.size, blocks);
    assert.deepEqual(view.groups.get('block:b12')!.layers, ['conv1', 'bn1', 'relu1', 'conv2', 'bn2', 'add', 'out'].map((s) => `b12_${s}`));
    const collapsed = defaultCollapsed(view);
    assert.equal(collapsed.size, blocks);
    const g = visibleGraph(view, collapsed);
    assert.equal(g.nodes.length, blocks + 1 + (2000 - 1 - 7 * blocks), 'the blocks, the input and the tail');
    assert.equal(g.edges.length, g.nodes.length - 1, 'a chain: the shortcut and the main path merge into one edge');
  });
});

describe('webview: the visible graph', () => {
  for (const [name, r] of allReports()) {
    it(`${name}: every layer once, edges re-targeted, no self-loops or dangling ends (collapsed, expanded, mixed)`, () => {
      const view = buildModelView(r);
      const all = new Set(view.groups.keys());
      checkVisible(view, all, visibleGraph(view, all), `${name} collapsed`);
      const open = visibleGraph(view, new Set());
      const ids = checkVisible(view, new Set(), open, `${name} expanded`);
      assert.equal(ids.size, view.layers.size + view.groups.size, 'expanded: every layer and a frame per group');
      // Every other group collapsed.
      const some = new Set([...view.groups.keys()].filter((_, i) => i % 2 === 0));
      checkVisible(view, some, visibleGraph(view, some), `${name} mixed`);
    });
  }

  it('re-targets edges into and out of a collapsed ResNet block to the block', function () {
    const r = zoo('resnet50');
    if (!r) this.skip();
    const view = buildModelView(r!);
    const collapsed = new Set(['block:conv2_block2']);
    const g = visibleGraph(view, collapsed);
    const into = g.edges.filter((e) => e.target === 'block:conv2_block2');
    const outOf = g.edges.filter((e) => e.source === 'block:conv2_block2');
    // conv2_block1_out feeds the block twice (main path and shortcut): one edge.
    assert.deepEqual(into.map((e) => [e.source, e.tensor]), [['conv2_block1_out', 'conv2_block1_out']]);
    assert.deepEqual(outOf.map((e) => e.target).sort(), ['conv2_block3_1_conv', 'conv2_block3_add']);
    assert.ok(outOf.every((e) => e.tensor === 'conv2_block2_out'));
    // The Add that reads the block's output takes it on its first port, as in the file.
    const add = outOf.find((e) => e.target === 'conv2_block3_add')!;
    assert.equal(add.port, view.layers.get('conv2_block3_add')!.inputs.indexOf('conv2_block2_out'));
    assert.equal(g.nodes.find((n) => n.id === 'block:conv2_block2')!.kind, 'group');
    assert.equal(g.nodes.find((n) => n.id === 'conv2_block3_add')!.parent, 'block:conv2_block3');
  });
});

describe('webview: the ELK graph', () => {
  for (const [name, r] of allReports()) {
    it(`${name}: every edge end exists, groups are compound nodes`, () => {
      const view = buildModelView(r);
      for (const collapsed of [new Set<string>(), new Set(view.groups.keys())]) {
        const g = visibleGraph(view, collapsed);
        checkElk(g, toElk(g, { size }), `${name} ${collapsed.size ? 'collapsed' : 'expanded'}`);
      }
    });
  }

  it('gives an Add ports in input order, and edges land on the port of their input', function () {
    const r = zoo('resnet50') ?? (JSON.parse(readFileSync(join(ROOT, 'test/browser/fixtures/resnet50.json'), 'utf8')) as ModelReport);
    const view = buildModelView(r);
    const g = visibleGraph(view, new Set());
    const elk = toElk(g, { size });
    const nodes = checkElk(g, elk, 'resnet50');
    const id = 'conv2_block1_add';
    const add = nodes.get(id)!;
    const inputs = view.layers.get(id)!.inputs;
    assert.deepEqual(inputs, ['conv2_block1_0_bn', 'conv2_block1_3_bn']);
    assert.deepEqual(add.ports!.filter((p) => p.id.includes('::in')).map((p) => [p.id, p.layoutOptions!['elk.port.index'], p.layoutOptions!['elk.port.side']]),
      [[portId(id, 0), '0', 'NORTH'], [portId(id, 1), '1', 'NORTH']]);
    assert.equal(add.layoutOptions!['elk.portConstraints'], 'FIXED_ORDER');
    for (const [k, input] of inputs.entries()) {
      const e = elk.edges!.filter((x) => x.targets[0] === portId(id, k));
      assert.equal(e.length, 1, `one edge on port ${k}`);
      assert.equal(e[0].sources[0], input);
    }
    // conv2_block1_out fans out (block2's main path and shortcut): one output port.
    const out = nodes.get('conv2_block1_out')!;
    assert.deepEqual(out.ports!.map((p) => p.id), [outPortId('conv2_block1_out')]);
    assert.equal(elk.edges!.filter((x) => x.sources[0] === outPortId('conv2_block1_out')).length, 2);
    // Single-input layers have no ports.
    assert.equal(nodes.get('conv2_block1_1_conv')!.ports, undefined);
    // The expanded block is a compound node holding its layers, in order.
    const block = nodes.get('block:conv2_block1')!;
    assert.deepEqual(block.children!.map((c) => c.id), view.groups.get('block:conv2_block1')!.layers);
    assert.equal(block.width, undefined, 'ELK sizes compound nodes');
    assert.ok(!elk.children!.some((c) => c.id === 'conv2_block1_add'), 'a member is not a child of the root');
  });

  it('gives a Concatenate four ports in branch order (GoogLeNet inception_3a)', function () {
    const r = zoo('googlenet');
    if (!r) this.skip();
    const view = buildModelView(r!);
    const g = visibleGraph(view, new Set());
    const elk = toElk(g, { size });
    const nodes = checkElk(g, elk, 'googlenet');
    const id = 'inception_3a_concat';
    assert.deepEqual(view.layers.get(id)!.inputs, ['inception_3a_1x1', 'inception_3a_3x3', 'inception_3a_5x5', 'inception_3a_pool_proj']);
    // Four input ports in branch order, and one output port: 3b's four branches all read the concat.
    assert.deepEqual(nodes.get(id)!.ports!.map((p) => p.id), [...[0, 1, 2, 3].map((k) => portId(id, k)), outPortId(id)]);
    const sources = [0, 1, 2, 3].map((k) => elk.edges!.find((e) => e.targets[0] === portId(id, k))!.sources[0]);
    assert.deepEqual(sources, view.layers.get(id)!.inputs);
    // Collapsed, the module is one node: its concat's ports are gone, the next module reads the block.
    const collapsed = new Set(['block:inception_3a']);
    const cg = visibleGraph(view, collapsed);
    const celk = toElk(cg, { size });
    const cn = checkElk(cg, celk, 'googlenet 3a collapsed');
    assert.equal(cn.has(id), false);
    assert.equal(cn.get('block:inception_3a')!.children, undefined);
    assert.ok(cg.edges.some((e) => e.source === 'block:inception_3a' && e.tensor === 'inception_3a_concat'));
  });
});
