import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportText } from '../../src/core';
import { parseLayerQuery, searchLayers } from '../../webview/layer-search';

// The diagram's search on ResNet-50 as the core reports it (models/resnet50.json): names first, types
// only by prefix or behind `type:`; counts checked against the report's own layer list.
const report = reportText(readFileSync(join(__dirname, '..', '..', 'models', 'resnet50.json'), 'utf8'), 'resnet50.json');
const layers = report.layers;
const ofType = (t: string) => layers.filter((l) => l.type === t).map((l) => l.name);

describe('layer search (names first, types by type:)', () => {
  it('"add" finds the Add layers, not ZeroPadding2D', () => {
    const found = searchLayers(layers, 'add');
    assert.deepEqual([...found].sort(), [...ofType('Add')].sort());
    assert.equal(found.length, 16);
    assert.ok(ofType('ZeroPadding2D').length > 0 && ofType('ZeroPadding2D').every((n) => !found.includes(n)));
  });

  it('type: filters by type prefix, case-insensitively, and combines with a name', () => {
    assert.deepEqual(searchLayers(layers, 'type:Conv2D'), ofType('Conv2D'));
    assert.deepEqual(searchLayers(layers, 'TYPE:zeropadding'), ofType('ZeroPadding2D'));
    assert.deepEqual(searchLayers(layers, 'type:add conv3'), ofType('Add').filter((n) => n.includes('conv3')));
    assert.equal(searchLayers(layers, 'type:add').length, 16);
    assert.deepEqual(searchLayers(layers, 'type:nothing'), []);
  });

  it('names come before type matches, each once, in model order', () => {
    // "batch" is in no name of this model; its type prefix lists the BatchNormalization layers.
    assert.deepEqual(searchLayers(layers, 'batch'), ofType('BatchNormalization'));
    const conv = searchLayers(layers, 'conv');
    const byName = layers.filter((l) => l.name.includes('conv')).map((l) => l.name);
    assert.deepEqual(conv.slice(0, byName.length), byName);
    assert.equal(new Set(conv).size, conv.length);
    assert.deepEqual(searchLayers(layers, '   '), []);
  });

  it('parses the query', () => {
    assert.deepEqual(parseLayerQuery('  Type:Add  Block3 '), { name: 'block3', type: 'add' });
    assert.deepEqual(parseLayerQuery('conv1'), { name: 'conv1', type: null });
  });
});
