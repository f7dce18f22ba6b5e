// Running a model in the diagram webview (cnnLens.backend = webgl) in a real VS Code: the command
// opens the diagram beside the model, the webview runs the model on WebGL (SwiftShader in the
// headless Chromium that drives code-server) and the result says where it ran.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

const extension = () => vscode.extensions.getExtension('cnn-lens.cnn-lens')!;
const config = () => vscode.workspace.getConfiguration('cnnLens');

describe('running a model in the diagram webview (cnnLens.backend webgl)', function () {
  this.timeout(120_000);
  // The workspace's tiny CNN as a Keras JSON of its own, in a folder without weights (seeded random ones then).
  let dir = '';
  let model: vscode.Uri;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-webview-run-'));
    const tfjs = JSON.parse(readFileSync(join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'tiny-cnn.json'), 'utf8'));
    writeFileSync(join(dir, 'tiny-cnn.keras.json'), JSON.stringify(tfjs.modelTopology, null, 1));
    model = vscode.Uri.file(join(dir, 'tiny-cnn.keras.json'));
    await extension().activate();
    await config().update('backend', 'webgl', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('backend', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('Run Model on Image opens the diagram and runs there on WebGL; the result names the backend', async () => {
    const image = vscode.Uri.joinPath(extension().extensionUri, 'media', 'samples', 'shapes.png');
    const result = await vscode.commands.executeCommand<{ previews: Record<string, { thumbnail: string; channels: number }>; random: boolean; backend: string; weights: string }>('cnnLens.runOnImage', model, image);
    assert.ok(result, 'the command returned no result');
    assert.match(result.backend, /^webgl in the diagram webview/, `ran on ${result.backend}`);
    assert.equal(result.random, true);
    assert.match(result.weights, /^random weights \(seed 0\)/);
    assert.deepEqual(Object.keys(result.previews).sort(), ['conv1', 'conv1_input', 'conv2', 'flatten', 'logits', 'pool1'].sort());
    assert.match(result.previews.conv1.thumbnail, /^data:image\/png;base64,/);
    assert.equal(result.previews.conv2.channels, 16);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'cnnLens.diagram');
    assert.ok(tab, 'the diagram was opened to run the model');
  });
});
