// Running models in a real VS Code extension host: activation previews and the profiler, on the
// backend the extension chooses (wasm here: tfjs-node is not installed offline).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extension = () => vscode.extensions.getExtension('cnn-lens.cnn-lens')!;
const asset = (...path: string[]) => vscode.Uri.joinPath(extension().extensionUri, ...path);

describe('running models in VS Code', function () {
  this.timeout(120_000);
  before(async () => {
    await extension().activate();
  });

  it('Run Model on Image gives a labelled preview for every layer of MobileNet v1 (random weights)', async () => {
    const model = asset('models', 'mobilenet_v1.json');
    const analysisLayers = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(model))).config.layers.length;
    type Preview = { thumbnail: string; channels: number; top?: { index: number; value: number; label?: string }[] };
    const result = await vscode.commands.executeCommand<{ previews: Record<string, Preview>; random: boolean; backend: string }>('cnnLens.runOnImage', model, asset('media', 'samples', 'shapes.png'));
    assert.ok(result, 'the command returned no result');
    assert.equal(result.random, true, 'the zoo has no weights: previews must say they are random');
    assert.equal(Object.keys(result.previews).length, analysisLayers);
    const conv = result.previews.conv1;
    assert.match(conv.thumbnail, /^data:image\/png;base64,/);
    assert.equal(conv.channels, 32);
    assert.match(result.backend, /wasm|cpu|tfjs-node/);
    // The 1000-class output's top 5 carry the shipped ImageNet names (media/labels/imagenet.txt).
    const imagenet = new TextDecoder().decode(await vscode.workspace.fs.readFile(asset('media', 'labels', 'imagenet.txt'))).split('\n');
    const top = result.previews.predictions.top!;
    assert.equal(top.length, 5);
    for (const t of top) assert.equal(t.label, imagenet[t.index]);
    assert.equal(result.previews.conv1.top, undefined);
  });

  it('Profile Model times every layer and reports the whole-model median next to the sum', async () => {
    const result = await vscode.commands.executeCommand<{ result: { layers: { name: string; ms: number; share: number }[]; wholeModelMs: number } }>('cnnLens.profile', asset('models', 'resnet18.json'), { runs: 2, warmup: 1, showPanel: true });
    assert.ok(result, 'the command returned no result');
    const { layers, wholeModelMs } = result.result;
    assert.ok(layers.length > 70);
    assert.ok(wholeModelMs > 0);
    assert.ok(Math.abs(layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-6, 'shares sum to 1');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
