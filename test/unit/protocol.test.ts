import { strict as assert } from 'node:assert';
import { buildReport } from '../../src/core';
import { opCatalog } from '../../src/core/edit/catalog';
import { KERAS_VOCABULARY } from '../../src/core/formats/keras/names';
import { inspectorLayout } from '../../shared/inspector-layout';
import { PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../../shared/protocol';
import { analyzeModel } from '../support/fixtures';

// The host ↔ webview messages are plain JSON: what the host posts survives postMessage's
// structured clone and JSON alike, with no NaN, Map or undefined-only fields lost on the way.

const roundTrip = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;

describe('host ↔ webview protocol', () => {
  it('a model message carries the whole report as plain JSON, versioned', () => {
    const report = buildReport(analyzeModel('resnet50.json'));
    const message: HostMessage = { type: 'model', version: PROTOCOL_VERSION, uri: 'file:///models/resnet50.json', report };
    const received = roundTrip(message);
    assert.deepEqual(received, JSON.parse(JSON.stringify(message)));
    assert.equal(received.type === 'model' && received.report.layers.length, 177);
    assert.equal(received.type === 'model' && received.report.totals.params, 25_636_712);
    // Unknown numbers are null, never NaN (which JSON would turn into null silently anyway).
    assert.ok(!JSON.stringify(report).includes('NaN'));
  });

  it('unknown counts become null in the report, not NaN', () => {
    const report = buildReport(analyzeModel('johnson_transform_net.json', { inputShape: [1, null, null, 3] }));
    const conv = report.layers.find((l) => l.type === 'Conv2D')!;
    assert.equal(conv.macs, null);
    assert.equal(conv.params, 9 * 9 * 3 * 32 + 32, 'parameters do not depend on the spatial size');
    assert.equal(report.totals.macs, null);
  });

  it('the catalog describes every op the format can write, with its attribute schema in the format\u2019s vocabulary', () => {
    const catalog = roundTrip(opCatalog(KERAS_VOCABULARY));
    const conv = catalog.find((o) => o.kind === 'Conv2D')!;
    assert.deepEqual(conv.attrs.find((a) => a.name === 'padding'), { name: 'padding', kind: 'enum', values: ['valid', 'same'], default: 'valid' }, 'Keras writes valid and same only, not ONNX\u2019s same_lower or explicit pads');
    assert.ok(!conv.attrs.some((a) => a.name === 'pads') && conv.foreign.includes('pads'), 'explicit pads are not a Keras attribute');
    assert.ok(!catalog.some((o) => o.kind === 'Input'), 'inputs are not inserted from the palette');
    assert.ok(!catalog.some((o) => ['Gemm', 'Gather', 'ReduceMean', 'Shape'].includes(o.kind)), 'ONNX-only ops are not offered for a Keras model');
  });

  it('the inspector layout travels both ways as plain JSON (the host keeps it per workspace)', () => {
    const posted: WebviewMessage = { type: 'panelLayout', inspector: { hidden: false, width: 360, sheetHeight: 220 } };
    assert.deepEqual(roundTrip(posted), posted);
    const restored: HostMessage = { type: 'panelLayout', inspector: { hidden: true } };
    assert.deepEqual(roundTrip(restored), restored);
  });

  it('a remembered inspector layout is read back field by field; anything odd is dropped', () => {
    assert.deepEqual(inspectorLayout({ hidden: false, width: 360.4, sheetHeight: 220 }), { hidden: false, width: 360, sheetHeight: 220 });
    assert.deepEqual(inspectorLayout({ hidden: true, width: -5, sheetHeight: 'tall' }), { hidden: true });
    assert.deepEqual(inspectorLayout({ hidden: false, width: Number.NaN }), { hidden: false });
    assert.equal(inspectorLayout({ width: 300 }), undefined, 'hidden is required');
    assert.equal(inspectorLayout(undefined), undefined);
    assert.equal(inspectorLayout('shown'), undefined);
  });

  it('webview messages name layers by id and edits by kind', () => {
    const edit: WebviewMessage = { type: 'edit', id: 7, edit: { kind: 'setAttribute', layer: 'block1_conv1', attr: 'filters', value: 32 } };
    assert.deepEqual(roundTrip(edit), edit);
  });

  it('analyzeAt and the model it is answered with carry input shapes by name as plain JSON; null is the file’s own', () => {
    const ask: WebviewMessage = { type: 'analyzeAt', inputShape: { x: [8, 3, 64, 64] } };
    assert.deepEqual(roundTrip(ask), ask);
    const back: WebviewMessage = { type: 'analyzeAt', inputShape: null };
    assert.deepEqual(roundTrip(back), back);
    const report = buildReport(analyzeModel('resnet50.json', { inputShape: [2, 160, 160, 3] }));
    const answer: HostMessage = { type: 'model', version: PROTOCOL_VERSION, uri: 'file:///models/net.onnx', report, readOnly: 'ONNX', analyzedAt: { input_1: [2, 160, 160, 3] } };
    const received = roundTrip(answer);
    assert.deepEqual(received.type === 'model' && received.analyzedAt, { input_1: [2, 160, 160, 3] });
    assert.equal(received.type === 'model' && received.report.model.inputs[0].shape?.[0], 2);
  });

  it('a dry run (checkEdit) and its answer (editCheck) are plain JSON; an answer without a reason keeps none', () => {
    const check: WebviewMessage = { type: 'checkEdit', id: 8, edit: { kind: 'connect', layer: 'conv2_block2_add', input: 1, from: 'conv1_relu' } };
    assert.deepEqual(roundTrip(check), check);
    const refused: HostMessage = { type: 'editCheck', id: 8, ok: false, message: 'conv2_block2_add (Add): Add inputs differ' };
    assert.deepEqual(roundTrip(refused), refused);
    const allowed: HostMessage = { type: 'editCheck', id: 9, ok: true, message: undefined, problems: [] };
    assert.deepEqual(roundTrip(allowed), { type: 'editCheck', id: 9, ok: true, problems: [] });
  });
});
