import { strict as assert } from 'node:assert';
import { fitTransform, READABLE_ZOOM } from '../../webview/diagram';

// Fit (issue 11): never below a readable zoom; a graph too big for it scrolls along its long axis.
// The figures are worked out by hand from the rule in fitTransform's comment.
describe('Fit at a readable zoom', () => {
  const view = { width: 540, height: 500 };

  it('a graph that fits at a readable zoom is shown whole and centred (at most 125%)', () => {
    assert.deepEqual(fitTransform(view, { width: 432, height: 400 }), { k: 1.25, x: 0, y: 0 });
    const t = fitTransform(view, { width: 600, height: 500 })!;
    assert.equal(t.k, 0.9);
    assert.equal(t.x, 0);
    assert.equal(t.y, (500 - 450) / 2);
  });

  it('a tall graph: its width fitted (at most 100%), read from the top', () => {
    const t = fitTransform(view, { width: 400, height: 6000 })!;
    assert.equal(t.k, 1, 'no zooming in past 100% to fill the width');
    assert.equal(t.x, 70, 'centred across');
    assert.equal(t.y, 8, 'the start, 8 px in');
    const wide = fitTransform(view, { width: 700, height: 6000 })!;
    assert.equal(wide.k, 540 / 700);
  });

  it('never below READABLE_ZOOM: a graph wide and tall scrolls both ways', () => {
    const t = fitTransform(view, { width: 3000, height: 6000 })!;
    assert.equal(t.k, READABLE_ZOOM);
    assert.deepEqual([t.x, t.y], [8, 8]);
    assert.ok(Math.min(540 / 3000, 500 / 6000) < READABLE_ZOOM, 'where Fit all would squeeze it');
  });

  it('a wide graph (the long axis across): its height fitted, read from the left', () => {
    const t = fitTransform(view, { width: 8000, height: 450 })!;
    assert.equal(t.k, 1);
    assert.equal(t.x, 8);
    assert.equal(t.y, 25);
  });

  it('the selected node is centred along the long axis, within the graph’s ends', () => {
    const size = { width: 400, height: 6000 };
    assert.equal(fitTransform(view, size, { x: 200, y: 3000 })!.y, 250 - 3000);
    assert.equal(fitTransform(view, size, { x: 200, y: 20 })!.y, 8, 'near the start: the start stays at the top');
    assert.equal(fitTransform(view, size, { x: 200, y: 5990 })!.y, 500 - 6000 - 8, 'near the end: the end at the bottom');
  });

  it('no size, no fit', () => {
    assert.equal(fitTransform({ width: 0, height: 500 }, { width: 10, height: 10 }), null);
    assert.equal(fitTransform(view, { width: 0, height: 0 }), null);
  });
});
