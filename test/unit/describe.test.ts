import { strict as assert } from 'node:assert';
import { hoverMarkdown, inlayHints, nodeAtOffset, totalsLine } from '../../src/core/analysis/describe';
import { analyzeFixture, readFixture } from '../support/fixtures';

describe('editor text: hovers, inlay hints, totals', () => {
  const text = readFixture('multi_io.json');
  const a = analyzeFixture('multi_io.json');

  it('finds the innermost layer at an offset: the layer inside a nested model, not the model', () => {
    const at = text.indexOf('"f_dw"');
    assert.equal(nodeAtOffset(a, at)?.id, 'features/f_dw');
    assert.equal(nodeAtOffset(a, text.indexOf('"meta_proj"'))?.id, 'meta_proj');
    assert.equal(nodeAtOffset(a, 0), undefined);
  });

  it('hover shows input and output shapes, parameters and MACs with shares', () => {
    const md = hoverMarkdown(a, 'merge');
    assert.match(md, /\*\*merge\*\* · `Concatenate`/);
    assert.match(md, /\| input 1 \| `1×24` from `shared_dense` \|/);
    assert.match(md, /\| input 2 \| `1×24` from `shared_dense@2` \|/);
    assert.match(md, /\| output \| `1×48` \|/);
    const shared = hoverMarkdown(a, 'shared_dense@2');
    assert.match(shared, /weights shared with `shared_dense`/);
    assert.match(hoverMarkdown(a, 'features/f_bn'), /params \| 64 \(32 non-trainable\)/);
  });

  it('inlay hints sit right after each layer’s definition and show the output shape', () => {
    const hints = inlayHints(a);
    assert.equal(hints.length, a.graph.nodes.length);
    const merge = hints.find((h) => h.tooltip.startsWith('merge:'))!;
    assert.equal(text[merge.offset - 1], '}', 'placed after the closing brace of the layer');
    assert.equal(merge.label, ' → 1×48');
  });

  it('totals line', () => {
    assert.match(totalsLine(a), /^[\d.]+K params · [\d.]+K MACs · [\d.]+K FLOPs · [\d.]+ KiB weights$/);
  });
});
