// The group tree the host sends the diagram (src/core/analysis/hierarchy.ts): Keras blocks found from
// layer names, inside the nested model that holds them; a graph format's own groups passed through,
// with no Keras block read into its opaque node names.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, buildReport } from '../../src/core';
import { hierarchy, type Hierarchy } from '../../src/core/analysis/hierarchy';
import { parseModel, parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import type { Graph } from '../../src/core/ir';

const ROOT = resolve(__dirname, '..', '..');
const keras = (path: string): Graph => parseModel(readFileSync(join(ROOT, path), 'utf8'), path);
const onnx = (): Graph => parseSource(bytesSource('tiny_cnn.onnx', readFileSync(join(ROOT, 'test/fixtures/onnx/tiny_cnn.onnx'))));
/** The nodes of a group, directly inside it, in graph order. */
const members = (graph: Graph, h: Hierarchy, group: string): string[] => graph.nodes.filter((n) => h.groupOf.get(n.id) === group).map((n) => n.id);

describe('hierarchy: Keras blocks from layer names', () => {
  it('ResNet-50: the stem and conv2_block1 … conv5_block3, each with its layers', () => {
    const graph = keras('models/resnet50.json');
    const h = hierarchy(graph);
    const stages: [number, number][] = [[2, 3], [3, 4], [4, 6], [5, 3]];
    const expected = ['conv1', ...stages.flatMap(([stage, n]) => Array.from({ length: n }, (_, i) => `conv${stage}_block${i + 1}`))];
    assert.deepEqual(h.groups.map((g) => g.id), expected.map((k) => `block:${k}`));
    assert.ok(h.groups.every((g) => g.kind === 'block' && g.parent === undefined));
    assert.equal(h.groups[0].name, 'conv1 (stem)');
    assert.equal(h.groups[1].name, 'conv2_block1');
    assert.deepEqual(members(graph, h, 'block:conv1'), ['conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu']);
    const block = members(graph, h, 'block:conv2_block1');
    assert.deepEqual(block, graph.nodes.filter((n) => n.id.startsWith('conv2_block1_')).map((n) => n.id));
    assert.equal(block.length, 12, '0_conv, 0_bn, three conv-bn(-relu), add, out');
    assert.equal(members(graph, h, 'block:conv5_block3').at(-1), 'conv5_block3_out');
    for (const outside of ['input_1', 'pool1_pad', 'pool1_pool', 'avg_pool', 'predictions']) assert.equal(h.groupOf.get(outside), undefined, outside);
  });

  it('MobileNet v1: the stem and 13 depthwise-separable blocks named "block n"', () => {
    const graph = keras('models/mobilenet_v1.json');
    const h = hierarchy(graph);
    const blocks = h.groups.filter((g) => g.id.startsWith('block:mobilenet_block_'));
    assert.deepEqual(blocks.map((g) => g.name), Array.from({ length: 13 }, (_, i) => `block ${i + 1}`));
    assert.deepEqual(members(graph, h, 'block:mobilenet_block_1'), ['conv_dw_1', 'conv_dw_1_bn', 'conv_dw_1_relu', 'conv_pw_1', 'conv_pw_1_bn', 'conv_pw_1_relu']);
    assert.equal(h.groupOf.get('conv_pad_2'), 'block:mobilenet_block_2', 'the padding before a strided depthwise belongs to its block');
  });

  it('GoogLeNet: inception_3a … inception_5b, each module with its branches and concat', () => {
    const graph = keras('models/googlenet.json');
    const h = hierarchy(graph);
    assert.deepEqual(h.groups.map((g) => g.id), ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'].map((s) => `block:inception_${s}`));
    assert.deepEqual(members(graph, h, 'block:inception_3a'),
      ['1x1', '3x3_reduce', '3x3', '5x5_reduce', '5x5', 'pool', 'pool_proj', 'concat'].map((s) => `inception_3a_${s}`));
    assert.equal(h.groupOf.get('conv2_3x3'), undefined, 'the numbered stem layers are no block');
  });

  it('a nested model keeps its model group, with its blocks inside it', () => {
    // multi_io.json's nested Sequential, its layers renamed in VGG's block convention.
    const renames: [string, string][] = [['f_conv', 'block1_conv'], ['f_bn', 'block1_bn'], ['f_dw', 'block2_dw'], ['f_sep', 'block2_sep']];
    let text = readFileSync(join(ROOT, 'test/fixtures/multi_io.json'), 'utf8');
    for (const [from, to] of renames) text = text.replaceAll(`"${from}"`, `"${to}"`);
    const graph = parseModel(text, 'multi_io.json');
    const h = hierarchy(graph);
    assert.deepEqual(h.groups.map((g) => [g.id, g.kind, g.parent]), [
      ['features', 'model', undefined],
      ['block:features/block1', 'block', 'features'],
      ['block:features/block2', 'block', 'features'],
    ]);
    assert.equal(h.groups[1].name, 'block1');
    assert.deepEqual(members(graph, h, 'block:features/block1'), ['features/block1_conv', 'features/block1_bn']);
    assert.deepEqual(members(graph, h, 'features'), ['features/f_pool'], 'a layer of no block stays in the nested model');
    assert.equal(h.groupOf.get('gap'), undefined);
  });

  it('buildReport sends the whole tree: report.groups and each layer\'s innermost group', () => {
    const analysis = analyze(keras('models/resnet18.json'));
    const report = buildReport(analysis);
    assert.deepEqual(report.groups, hierarchy(analysis.graph).groups);
    assert.equal(report.layers.find((l) => l.name === 'conv2_block1_add')!.group, 'block:conv2_block1');
    assert.equal(report.layers.find((l) => l.name === 'predictions')!.group, undefined);
  });
});

describe('hierarchy: graph formats', () => {
  it('an ONNX graph keeps its name-scope groups untouched, and no Keras block is read into its names', () => {
    const graph = onnx();
    const h = hierarchy(graph);
    assert.deepEqual(h.groups, graph.groups);
    assert.deepEqual(h.groups.map((g) => g.id), ['scope:stem', 'scope:layer1', 'scope:layer1/layer1.0']);
    for (const n of graph.nodes) assert.equal(h.groupOf.get(n.id), n.group, n.id);
    const report = buildReport(analyze(graph));
    assert.deepEqual(report.groups, graph.groups);
    assert.equal(report.layers.find((l) => l.name === '/layer1/layer1.0/conv1/Conv')!.group, 'scope:layer1/layer1.0');
  });

  it('an ONNX node named in Keras\'s block convention stays out of any block: ONNX names are opaque', () => {
    const graph = onnx();
    const renamed: Graph = { ...graph, nodes: graph.nodes.map((n, i) => (n.op === 'Constant' || n.op === 'Input' ? n : { ...n, id: `conv2_block1_${i}` })) };
    const h = hierarchy(renamed);
    assert.deepEqual(h.groups, graph.groups);
    assert.ok(![...h.groupOf.values()].some((g) => g.startsWith('block:')));
  });
});
