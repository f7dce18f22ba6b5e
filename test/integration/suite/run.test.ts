// Running models in a real VS Code extension host: activation previews and the profiler, on the
// backend the extension chooses: ONNX Runtime (the model exported to ONNX, or an ONNX file as it is),
// for Keras models and for an ONNX file open in the read-only binary editor; the profile names the
// engine and saves ORT's trace.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

const extension = () => vscode.extensions.getExtension('cnn-lens.cnn-lens')!;
const asset = (...path: string[]) => vscode.Uri.joinPath(extension().extensionUri, ...path);
const ENGINE = /^onnxruntime \(CPU, \d+ threads?\)/;

type Preview = { thumbnail: string; channels: number; shape: number[]; top?: { index: number; value: number; label?: string }[] };
type Previews = { previews: Record<string, Preview>; random: boolean; backend: string; weights: string };
type Profiled = { result: { layers: { name: string; ms: number; share: number; kernel?: string }[]; wholeModelMs: number }; view: { engine: string; backend: string; hasTrace: boolean }; trace?: string };

describe('running models in VS Code', function () {
  this.timeout(180_000);
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-run-'));
  before(async () => {
    await extension().activate();
  });

  it('Run Model on Image gives a labelled preview for every layer of MobileNet v1 on ONNX Runtime (random weights)', async () => {
    const model = asset('models', 'mobilenet_v1.json');
    const analysisLayers = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(model))).config.layers.length;
    const result = await vscode.commands.executeCommand<Previews>('cnnLens.runOnImage', model, asset('media', 'samples', 'shapes.png'));
    assert.ok(result, 'the command returned no result');
    assert.equal(result.random, true, 'the zoo has no weights: previews must say they are random');
    assert.equal(Object.keys(result.previews).length, analysisLayers);
    const conv = result.previews.conv1;
    assert.match(conv.thumbnail, /^data:image\/png;base64,/);
    assert.equal(conv.channels, 32);
    assert.deepEqual(conv.shape, [1, 112, 112, 32], 'read back in the IR layout (NHWC), whatever ORT stored');
    assert.match(result.backend, ENGINE);
    // The 1000-class output's top 5 carry the shipped ImageNet names (media/labels/imagenet.txt).
    const imagenet = new TextDecoder().decode(await vscode.workspace.fs.readFile(asset('media', 'labels', 'imagenet.txt'))).split('\n');
    const top = result.previews.predictions.top!;
    assert.equal(top.length, 5);
    for (const t of top) assert.equal(t.label, imagenet[t.index]);
    assert.equal(result.previews.conv1.top, undefined);
  });

  it('Run Model on Image and Profile Model on the zoo’s ResNet-50: the engine, every layer, ORT’s kernels, the trace saved', async () => {
    const model = asset('models', 'resnet50.json');
    const run = await vscode.commands.executeCommand<Previews>('cnnLens.runOnImage', model, asset('media', 'samples', 'shapes.png'));
    assert.ok(run, 'the command returned no result');
    assert.match(run.backend, ENGINE);
    assert.ok(Object.keys(run.previews).length > 170);
    const trace = vscode.Uri.file(join(tmp, 'resnet50.trace.json'));
    const profiled = await vscode.commands.executeCommand<Profiled>('cnnLens.profile', model, { runs: 2, warmup: 1, showPanel: true, saveTraceTo: trace });
    assert.ok(profiled, 'the command returned no result');
    const { layers, wholeModelMs } = profiled.result;
    assert.ok(layers.length > 170);
    assert.ok(wholeModelMs > 0);
    assert.ok(Math.abs(layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-6, 'shares sum to 1');
    assert.ok(layers.some((l) => l.kernel), 'layers name the ORT kernel that computed them');
    assert.match(profiled.view.engine, /^ONNX Runtime \d+\.\d+/);
    assert.match(profiled.view.backend, ENGINE);
    assert.equal(profiled.view.hasTrace, true);
    const events = JSON.parse(readFileSync(trace.fsPath, 'utf8')) as { cat: string; name: string }[];
    assert.ok(events.some((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')), 'the saved file is ORT’s Chrome trace');
  });

  it('an ONNX file open in the binary editor runs and profiles on the engine, from the active editor', async () => {
    const model = vscode.Uri.file(join(tmp, 'tiny_cnn.onnx'));
    await vscode.workspace.fs.writeFile(model, readFileSync(asset('test', 'fixtures', 'onnx', 'tiny_cnn.onnx').fsPath));
    await vscode.commands.executeCommand('vscode.openWith', model, 'cnnLens.binaryDiagram');
    const run = await vscode.commands.executeCommand<Previews>('cnnLens.runOnImage', undefined, asset('media', 'samples', 'shapes.png'));
    assert.ok(run, 'the command returned no result');
    assert.match(run.backend, ENGINE);
    assert.equal(run.weights, "the ONNX file's own initializers");
    assert.ok(Object.keys(run.previews).length >= 5);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === model.toString()), 'the .onnx file was opened as a text document');
    const trace = vscode.Uri.file(join(tmp, 'tiny.trace.json'));
    const profiled = await vscode.commands.executeCommand<Profiled>('cnnLens.profile', undefined, { runs: 2, warmup: 1, showPanel: true, saveTraceTo: trace });
    assert.ok(profiled, 'the command returned no result');
    assert.match(profiled.view.engine, /^ONNX Runtime/);
    assert.ok(JSON.parse(readFileSync(trace.fsPath, 'utf8')).length > 0);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
