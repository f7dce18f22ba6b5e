// Which input an edge feeds, as the diagram's edge drag reads it off a drawn edge (webview/edge-drag.ts):
// the index the `connect` edit replaces must be the input the edge is drawn into.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportText } from '../../src/core';
import type { ModelReport } from '../../src/core/analysis/report-types';
import { inputIndex } from '../../webview/edge-drag';
import { buildModelView, visibleGraph } from '../../webview/model';

const ROOT = resolve(__dirname, '..', '..');

describe('edge drag: the input an edge feeds', () => {
  it('every drawn edge into a layer of ResNet-18 names the input it is drawn into', () => {
    const view = buildModelView(reportText(readFileSync(join(ROOT, 'models', 'resnet18.json'), 'utf8'), 'resnet18.json'));
    const graph = visibleGraph(view, new Set());
    let merges = 0;
    for (const e of graph.edges) {
      const i = inputIndex(view, e.target, e.tensor, e.port);
      assert.equal(view.layers.get(e.target)!.inputs[i], e.tensor, `${e.tensor} → ${e.target}`);
      if (e.port !== undefined) merges++;
    }
    assert.equal(merges, 16, 'the eight Adds, two inputs each, are drawn with ports');
    assert.equal(inputIndex(view, 'conv2_block1_add', 'conv2_block1_2_bn', 1), 1);
    assert.equal(inputIndex(view, 'no_such_layer', 'conv1_conv'), -1);
  });

  it('ports count only the inputs that are layers: an Add that also reads a missing tensor', () => {
    const base = reportText(readFileSync(join(ROOT, 'models', 'resnet18.json'), 'utf8'), 'resnet18.json');
    const layers = base.layers.map((l) => (l.name === 'conv2_block1_add' ? { ...l, inputs: ['ghost', ...l.inputs] } : l));
    const view = buildModelView({ ...base, layers } as ModelReport);
    // Drawn ports: 0 = pool1_pool, 1 = conv2_block1_2_bn; inputs: 0 = ghost, 1 = pool1_pool, 2 = conv2_block1_2_bn.
    assert.equal(inputIndex(view, 'conv2_block1_add', 'pool1_pool', 0), 1);
    assert.equal(inputIndex(view, 'conv2_block1_add', 'conv2_block1_2_bn', 1), 2);
    assert.equal(inputIndex(view, 'conv2_block1_add', 'conv2_block1_2_bn', 2), -1);
  });
});
