import * as assert from 'node:assert/strict';
import { analyze, buildReport } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { PanelInputShapes } from '../../src/extension/panel-input-shapes';
import { readShape, shapeAxes } from '../../webview/input-shape';
import { dynamicBatchConv } from '../support/onnx-build';

// The diagram's input shape for read-only models: which axes the toolbar offers (the webview's
// shapeAxes / readShape) and the host panel's re-analysis at the shape asked for (PanelInputShapes).

const fileAnalysis = () => analyze(parseSource(bytesSource('dyn.onnx', dynamicBatchConv())));
const macsOfConv = 4 * 3 * 3 * 3 * 30 * 30;

describe('input shape of a read-only model', () => {
  it('the report says the layout ONNX fixes, and names the symbolic batch', () => {
    const input = buildReport(fileAnalysis()).model;
    assert.equal(input.layout, 'channels_first');
    assert.deepEqual(input.inputs[0], { name: 'x', shape: [1, 3, 32, 32], dimNames: ['batch', null, null, null], assumed: [{ axis: 0, name: 'batch', value: 1 }] });
  });

  it('offers the symbolic dimensions by name and the NCHW spatial axes; channels stay as they are', () => {
    const axes = shapeAxes([1, 3, 32, 32], ['batch', null, null, null], 'channels_first');
    assert.deepEqual(axes.map((a) => (a.editable ? a.label : a.value)), ['batch', 3, 'H', 'W']);
    assert.deepEqual(shapeAxes([1, 32, 32, 3], ['N', null, null, null], 'channels_last').map((a) => (a.editable ? a.label : a.value)), ['N', 'H', 'W', 3]);
    // No layout from the format: only what the file leaves open (and the batch); names are never read for the layout.
    assert.deepEqual(shapeAxes([1, 3, 1, 1], [null, null, 'height', null], undefined).map((a) => (a.editable ? a.label : a.value)), ['batch', 3, 'height', 1]);
  });

  it('reads the fields into a whole shape: empty leaves a dimension open; the numbers are the analysis’s to judge', () => {
    const axes = shapeAxes([1, 3, 32, 32], ['batch', null, null, null], 'channels_first');
    assert.deepEqual(readShape(axes, new Map([[0, '8'], [2, '64'], [3, ' 48 ']])), [8, 3, 64, 48]);
    assert.deepEqual(readShape(axes, new Map([[0, ''], [2, '64'], [3, '0']])), [null, 3, 64, 0]);
  });

  it('the panel re-analyses the file’s graph at its shape, once per file analysis; the assumed batch is then the user’s', () => {
    const file = fileAnalysis();
    const panel = new PanelInputShapes();
    assert.equal(panel.applyTo(file), file, 'no shape set: the file’s own analysis');
    panel.set({ x: [4, 3, 32, 32] });
    const shown = panel.applyTo(file);
    assert.equal(panel.applyTo(file), shown, 'a resend does not analyse again');
    assert.equal(shown.totals.macs, 4 * macsOfConv);
    assert.equal(file.totals.macs, macsOfConv, 'the file’s own analysis (status bar, summary) is untouched');
    assert.deepEqual(buildReport(shown).model.inputs[0].assumed, undefined);
    assert.deepEqual(panel.current, { x: [4, 3, 32, 32] });
    const reloaded = fileAnalysis();
    assert.equal(panel.applyTo(reloaded).totals.macs, 4 * macsOfConv, 'a reload of the file keeps the shape');
    panel.set(null);
    assert.equal(panel.applyTo(reloaded), reloaded);
    assert.equal(panel.current, undefined);
  });

  it('a shape the model cannot take is the analysis’s own diagnostic, never a throw', () => {
    const panel = new PanelInputShapes();
    for (const [shape, message] of [[[4, 3, 32], /has 3 dimensions/], [[0, 3, 32, 32], /not a positive integer/], [[2, 3, 2.5, 32], /not a positive integer/]] as const) {
      panel.set({ x: shape });
      const report = buildReport(panel.applyTo(fileAnalysis()));
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].code, 'input-shape');
      assert.match(errors[0].message, message);
      assert.equal(report.model.inputs[0].shape, null);
    }
  });
});
