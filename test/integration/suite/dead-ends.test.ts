// No dead ends, in a real VS Code: a run made with no diagram open is kept for the diagram opened
// later; the profile opens beside the diagram; Show Model Summary is a read-only document; a file
// of a format CNN Lens does not read yet opens in the read-only diagram with its message in the
// Problems panel; a classifier without class names says how to give them.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildReport, type Analysis } from '../../../src/core';
import { renderMarkdown } from '../../../src/core/analysis/summary-text';
import { waitFor } from './wait';

interface CnnLensApi {
  analysisOf(uri: vscode.Uri): Promise<Analysis | undefined>;
  runResults(uri: vscode.Uri): readonly { type: string; previews?: Record<string, unknown>; ms?: Record<string, number>; labelsHint?: string }[];
}
type Previews = { previews: Record<string, unknown>; labelsHint?: string };

const extension = () => vscode.extensions.getExtension<CnnLensApi>('cnn-lens.cnn-lens')!;
const asset = (...path: string[]) => vscode.Uri.joinPath(extension().extensionUri, ...path);
const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ tab: t, group: g })));
const diagramOf = (uri: vscode.Uri) => tabs().find(({ tab }) => tab.input instanceof vscode.TabInputCustom && tab.input.uri.toString() === uri.toString());

describe('no dead ends', function () {
  this.timeout(120_000);
  let api: CnnLensApi;
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-dead-ends-'));
  const model = vscode.Uri.file(join(dir, 'tiny-cnn.json'));

  before(async () => {
    api = await extension().activate();
    // The fixture's Keras topology without its (empty) weights manifest: seeded random weights, as for any bare architecture.
    const tfjs = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(asset('test', 'integration', 'fixtures', 'workspace', 'tiny-cnn.json'))));
    await vscode.workspace.fs.writeFile(model, new TextEncoder().encode(JSON.stringify(tfjs.modelTopology, null, 2)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('Run Model on Image with no diagram open keeps its results for the diagram opened later, with the labels hint', async () => {
    assert.equal(diagramOf(model), undefined);
    const run = await vscode.commands.executeCommand<Previews>('cnnLens.runOnImage', model, asset('media', 'samples', 'shapes.png'));
    assert.ok(run, 'the command returned no result');
    const kept = api.runResults(model).find((m) => m.type === 'activations');
    assert.ok(kept, 'no activations kept for the model');
    assert.deepEqual(Object.keys(kept.previews!).sort(), Object.keys(run.previews).sort());
    // tiny-cnn ends in a softmax over 10 classes and has no label file.
    assert.match(run.labelsHint ?? '', /^logits is a classifier's output \(softmax over 10 classes\) without class names: .*cnnLens\.labels/);
    assert.equal(kept.labelsHint, run.labelsHint);
  });

  it('Profile Model opens beside the diagram, not over it, and keeps its latency for the overlay', async () => {
    await vscode.window.showTextDocument(model, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('cnnLens.openDiagramToSide', model);
    const diagram = await waitFor('the diagram tab', () => diagramOf(model));
    // The text has the focus again, as after a click in it: "Beside" the active editor would be the diagram's group.
    await vscode.window.showTextDocument(model, { viewColumn: vscode.ViewColumn.One });
    const profiled = await vscode.commands.executeCommand<{ view: { model: string } }>('cnnLens.profile', model, { runs: 1, warmup: 0, showPanel: true });
    assert.ok(profiled, 'the command returned no result');
    const panel = await waitFor('the profile tab', () => tabs().find(({ tab }) => tab.label === `Profile: ${profiled.view.model}`));
    assert.equal(panel.group.viewColumn, diagram.group.viewColumn + 1, `the profile is in group ${panel.group.viewColumn}, the diagram in ${diagram.group.viewColumn}`);
    assert.ok(diagramOf(model), 'the diagram is still open');
    const latency = api.runResults(model).find((m) => m.type === 'latency');
    assert.ok(latency && Object.keys(latency.ms!).includes('conv1'), 'no latency kept for the overlay');
  });

  it('Show Model Summary is a read-only document, not an untitled buffer', async () => {
    const summary = await vscode.commands.executeCommand<vscode.TextDocument>('cnnLens.showSummary', model);
    assert.ok(summary, 'no summary document');
    assert.equal(summary.uri.scheme, 'cnn-lens-summary');
    assert.equal(summary.isUntitled, false);
    assert.equal(summary.isDirty, false);
    assert.equal(summary.languageId, 'markdown');
    assert.equal(summary.getText(), renderMarkdown(buildReport((await api.analysisOf(model))!)));
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled), 'an untitled document was opened');
  });

  it('a safetensors file (weights only, not read) opens in the read-only diagram, and the Problems panel says what to do', async () => {
    // An 8-byte header length, then the JSON header: the safetensors layout.
    const file = vscode.Uri.file(join(dir, 'weights.safetensors'));
    writeFileSync(file.fsPath, Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
    await vscode.commands.executeCommand('vscode.open', file);
    await waitFor('the read-only diagram of the .safetensors file', () => diagramOf(file));
    const problems = await waitFor('its problem', () => {
      const d = vscode.languages.getDiagnostics(file);
      return d.length ? d : undefined;
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^weights\.safetensors is a safetensors \(\.safetensors\) model, a format CNN Lens does not read yet\. CNN Lens reads ONNX/);
    assert.match(problems[0].message, /`torch\.onnx\.export\(model\.eval\(\), torch\.randn\(1, 3, 224, 224\), "weights\.onnx"\)`$/);
  });

  it('a JSON file that is not a model opens in the diagram with its message (no endless wait, no exception)', async () => {
    const file = vscode.Uri.file(join(dir, 'package.json'));
    writeFileSync(file.fsPath, JSON.stringify({ name: 'demo', version: '1.0.0', scripts: { test: 'mocha' } }, null, 2));
    await vscode.commands.executeCommand('cnnLens.openDiagramToSide', file);
    await waitFor('the diagram tab of package.json', () => diagramOf(file));
    assert.equal(await api.analysisOf(file), undefined, 'package.json is no model for the features that read models');
  });
});
