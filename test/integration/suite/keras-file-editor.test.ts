// Keras whole-model files (.h5, .keras) in a real VS Code: they open in the read-only diagram by
// default (never as text), the store's analysis has h5py's parameter count and the hand-counted
// MACs, and Export to ONNX writes the model with the file's own weights. The fixtures and their
// truth are written by scripts/keras/tiny_fixture.py (h5py and zipfile, in Keras's layouts).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildReport, type Analysis } from '../../../src/core';
import { waitFor } from './wait';

interface Truth {
  readonly params: number;
  readonly paramsKeras: number;
  readonly macs: number;
  readonly output: { readonly shape: number[] };
}
interface CnnLensApi {
  analysisOf(uri: vscode.Uri): Promise<Analysis | undefined>;
}

const extension = () => vscode.extensions.getExtension<CnnLensApi>('cnn-lens.cnn-lens')!;
const BINARY_EDITOR = 'cnnLens.binaryDiagram';
const binaryTab = (uri: vscode.Uri) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === BINARY_EDITOR && t.input.uri.toString() === uri.toString());

describe('Keras .h5 and .keras files in the read-only diagram', function () {
  this.timeout(60_000);
  let api: CnnLensApi;
  let dir = '';
  let truth: Truth;

  before(async () => {
    const fixtures = vscode.Uri.joinPath(extension().extensionUri, 'test', 'fixtures', 'keras').fsPath;
    truth = JSON.parse(readFileSync(join(fixtures, 'tiny_cnn.json'), 'utf8')) as Truth;
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-keras-'));
    for (const f of ['tiny_cnn.h5', 'tiny_cnn.keras']) await vscode.workspace.fs.writeFile(vscode.Uri.file(join(dir, f)), readFileSync(join(fixtures, f)));
    api = await extension().activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [file, format] of [['tiny_cnn.h5', 'keras2-h5'], ['tiny_cnn.keras', 'keras3-archive']] as const) {
    it(`${file} opens in the diagram by default, with h5py's parameters and the MACs counted by hand`, async () => {
      const model = vscode.Uri.file(join(dir, file));
      await vscode.commands.executeCommand('vscode.open', model);
      await waitFor('the binary diagram tab', () => binaryTab(model));
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === model.toString()), `${file} was opened as a text document`);
      const analysis = await waitFor('the analysis', () => api.analysisOf(model));
      assert.equal(analysis.graph.format, format);
      const report = buildReport(analysis);
      assert.equal(report.model.readOnly, true);
      assert.deepEqual(report.model.outputs.map((o) => o.shape), [truth.output.shape]);
      assert.equal(report.totals.params, file.endsWith('.h5') ? truth.params : truth.paramsKeras);
      assert.equal(report.totals.macs, truth.macs);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
    });
  }

  it('Export to ONNX writes the model with the file’s own weights', async () => {
    const model = vscode.Uri.file(join(dir, 'tiny_cnn.h5'));
    const target = vscode.Uri.file(join(dir, 'tiny_cnn.onnx'));
    const made = await vscode.commands.executeCommand<{ randomWeights: boolean; bytes: number } | undefined>('cnnLens.exportOnnx', model, target);
    assert.ok(made, 'the export returned nothing');
    assert.equal(made.randomWeights, false);
    assert.ok(existsSync(target.fsPath) && made.bytes > truth.params * 4);
  });
});
