// A binary model file (ONNX) in a real VS Code: it opens in the read-only diagram by default
// (never as a text document), the ModelStore holds its analysis, Show Model Summary renders it,
// and the analysis follows the file when it changes on disk. The figures to match are PyTorch's,
// written next to the fixture by scripts/onnx/tiny_fixture.py.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildReport, type Analysis } from '../../../src/core';
import { renderMarkdown } from '../../../src/core/analysis/summary-text';
import { grouped } from '../../../src/core/analysis/units';
import { waitFor } from './wait';

interface Truth {
  readonly input: { readonly shape: number[] };
  readonly output: { readonly shape: number[] };
  readonly params: { readonly trainable: number; readonly nonTrainable: number; readonly total: number };
  readonly macs: number;
}
interface CnnLensApi {
  analysisOf(uri: vscode.Uri): Promise<Analysis | undefined>;
}

const extension = () => vscode.extensions.getExtension<CnnLensApi>('cnn-lens.cnn-lens')!;
const BINARY_EDITOR = 'cnnLens.binaryDiagram';
const binaryTab = (uri: vscode.Uri) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === BINARY_EDITOR && t.input.uri.toString() === uri.toString());

describe('a binary model file (ONNX) in the read-only diagram', function () {
  this.timeout(60_000);
  let api: CnnLensApi;
  let dir = '';
  let model: vscode.Uri;
  let original: Uint8Array;
  let truth: Truth;

  before(async () => {
    const fixtures = vscode.Uri.joinPath(extension().extensionUri, 'test', 'fixtures', 'onnx');
    truth = JSON.parse(readFileSync(join(fixtures.fsPath, 'tiny_cnn.json'), 'utf8')) as Truth;
    original = readFileSync(join(fixtures.fsPath, 'tiny_cnn.onnx'));
    // A copy of its own: the reload test rewrites it.
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-onnx-'));
    model = vscode.Uri.file(join(dir, 'tiny_cnn.onnx'));
    await vscode.workspace.fs.writeFile(model, original);
    api = await extension().activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens in the read-only diagram by default, without a text document', async () => {
    await vscode.commands.executeCommand('vscode.open', model);
    await waitFor('the binary diagram tab', () => binaryTab(model));
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === model.toString()), 'the .onnx file was opened as a text document');
  });

  it('the store holds its analysis: PyTorch’s parameters, MACs and output shape', async () => {
    const analysis = await waitFor('the analysis', () => api.analysisOf(model));
    assert.equal(analysis.graph.format, 'onnx');
    const report = buildReport(analysis);
    assert.equal(report.model.readOnly, true);
    assert.deepEqual(report.model.inputs.map((i) => i.shape), [truth.input.shape]);
    assert.deepEqual(report.model.outputs.map((o) => o.shape), [truth.output.shape]);
    assert.deepEqual(
      { params: report.totals.params, trainable: report.totals.trainableParams, nonTrainable: report.totals.nonTrainableParams, macs: report.totals.macs },
      { params: truth.params.total, trainable: truth.params.trainable, nonTrainable: truth.params.nonTrainable, macs: truth.macs },
    );
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('Show Model Summary renders its layer table as Markdown, from the bytes', async () => {
    // Closed first: the summary reads the file's bytes itself (no editor holds its analysis then).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the diagram to close', () => !binaryTab(model));
    const summary = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('cnnLens.showSummary', model);
    assert.ok(summary, 'Show Model Summary opened no document');
    assert.equal(summary.languageId, 'markdown');
    const analysis = (await api.analysisOf(model))!;
    assert.equal(summary.getText(), renderMarkdown(buildReport(analysis)));
    const text = summary.getText();
    assert.ok(text.includes(`**Total params** ${grouped(truth.params.total)} (trainable ${grouped(truth.params.trainable)}, non-trainable ${grouped(truth.params.nonTrainable)})`), text.split('\n').at(-1));
    assert.ok(text.includes(`**MACs** ${grouped(truth.macs)}`), text.split('\n').at(-1));
    assert.ok(text.includes('/layer1/layer1.0/conv1/Conv'), 'the names of the file, whole');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === model.toString()), 'the .onnx file was opened as a text document');
  });

  it('follows the file when it changes on disk', async () => {
    await vscode.commands.executeCommand('vscode.openWith', model, BINARY_EDITOR);
    await waitFor('the binary diagram tab', () => binaryTab(model));
    const nodes = async () => (await api.analysisOf(model))?.graph.nodes.length;
    const whole = (await api.analysisOf(model))!;
    assert.ok(whole.graph.nodes.length > 0);
    // Cut short mid-write: the graph now says what is wrong instead of showing stale figures.
    await vscode.workspace.fs.writeFile(model, original.subarray(0, 40));
    const cut = await waitFor('the truncated file’s analysis', async () => ((await nodes()) !== whole.graph.nodes.length ? api.analysisOf(model) : undefined), 15_000);
    assert.ok(cut!.diagnostics.some((d) => d.severity === 'error'), 'the truncated file has an error that says so');
    await vscode.workspace.fs.writeFile(model, original);
    await waitFor('the whole file again', async () => (await nodes()) === whole.graph.nodes.length, 15_000);
    assert.deepEqual((await api.analysisOf(model))!.totals, whole.totals);
  });
});
