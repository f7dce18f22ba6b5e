import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from '../../src/cli/summary';
import type { ModelFormat } from '../../src/core/formats/format';
import { FORMATS, parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { bytesSource, textSource } from '../../src/core/formats/source';
import { comingFormats, supportedFormats, unreadBinaryExtensions, UNREAD_CODE } from '../../src/core/formats/unread';

// Files CNN Lens does not read get one message that says what the file is, what CNN Lens reads and
// (for model formats it will read) the command to run now. The files here are written by the
// formats' own libraries (torch.save, h5py, flatbuffers with TFLite's file identifier), not by us.

const PYTHON = '/usr/bin/python3';
// What every message says CNN Lens reads: the registry's formats, so the sentence grows as formats land.
const READS = `CNN Lens reads ${supportedFormats(FORMATS)}.`;
const WRITER = `
import sys, os, struct, json
out = sys.argv[1]
import torch, h5py, numpy as np, flatbuffers
torch.save({'conv.weight': torch.zeros(2, 3)}, os.path.join(out, 'resnet.pt'))
torch.save({'conv.weight': torch.zeros(2, 3)}, os.path.join(out, 'legacy.pth'), _use_new_zipfile_serialization=False)
with h5py.File(os.path.join(out, 'model.h5'), 'w') as f:
    f.attrs['model_config'] = '{}'
b = flatbuffers.Builder(64)
b.StartObject(1); b.PrependUint32Slot(0, 3, 0); root = b.EndObject()
b.Finish(root, file_identifier=b'TFL3')
open(os.path.join(out, 'mobilenet.tflite'), 'wb').write(b.Output())
`;

/** Writes the fixtures with Python's own libraries; undefined where /usr/bin/python3 lacks them. */
function writeFixtures(): string | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-unread-'));
  try {
    execFileSync(PYTHON, ['-c', WRITER, dir], { stdio: 'pipe' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

const only = (graph: ReturnType<typeof parseSource>) => {
  assert.equal(graph.nodes.length, 0);
  assert.equal(graph.diagnostics.length, 1, graph.diagnostics.map((d) => d.message).join('\n'));
  assert.equal(graph.diagnostics[0].code, UNREAD_CODE);
  return graph.diagnostics[0].message;
};

describe('files CNN Lens does not read get one clear message', () => {
  let dir: string | undefined;
  before(() => (dir = writeFixtures()));
  after(() => dir && rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => bytesSource(name, new Uint8Array(readFileSync(join(dir!, name))));

  it('a PyTorch state_dict (zip and legacy pickle) is read by the PyTorch format, not answered as unread', function () {
    if (!dir) this.skip();
    assert.ok(!comingFormats(FORMATS).includes('PyTorch (.pt, .pth)'));
    for (const name of ['resnet.pt', 'legacy.pth']) {
      const graph = parseSource(file(name));
      assert.equal(graph.format, 'pytorch-state-dict');
      assert.ok(!graph.diagnostics.some((d) => d.code === UNREAD_CODE));
      assert.deepEqual(graph.constants?.['conv.weight']?.shape, [2, 3]);
      // Still the line that gives the graph, since a state_dict has none.
      assert.match(graph.diagnostics[0].message, /`torch\.onnx\.export\(model\.eval\(\), torch\.randn\(1, 3, 224, 224\), "(resnet|legacy)\.onnx"\)`/);
    }
  });

  it('a Keras HDF5 file is read by the Keras file format, not answered as unread', async function () {
    if (!dir) this.skip();
    assert.ok(!comingFormats(FORMATS).includes('Keras HDF5 (.h5, .keras)'));
    const graph = await parseSourceWithFiles(file('model.h5'));
    assert.match(graph.format, /^keras/);
    assert.ok(!graph.diagnostics.some((d) => d.code === UNREAD_CODE));
  });

  it('a TFLite flatbuffer (identifier TFL3) is read by the TFLite format, not answered as unread', function () {
    if (!dir) this.skip();
    assert.ok(!comingFormats(FORMATS).includes('TensorFlow Lite (.tflite)'));
    const graph = parseSource(file('mobilenet.tflite'));
    assert.equal(graph.format, 'tflite');
    assert.ok(!graph.diagnostics.some((d) => d.code === UNREAD_CODE));
  });

  it('a TF.js graph model.json is read by the graph-model format, not taken for a broken Keras model', () => {
    const text = JSON.stringify({ format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] }, weightsManifest: [] });
    const graph = parseSource(textSource('web_model/model.json', text));
    assert.equal(graph.format, 'tfjs-graph');
    assert.ok(!graph.diagnostics.some((d) => d.code === UNREAD_CODE));
  });

  it('package.json and other JSON: "not a model", with what CNN Lens reads, and no advice to convert', () => {
    const pkg = readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8');
    assert.equal(only(parseSource(textSource('package.json', pkg))), 'package.json is an npm package manifest, not a model: it holds no Keras or TF.js layers model ("class_name": "Sequential", "Functional" or "Model"). ' + READS);
    assert.ok(READS.includes('ONNX (.onnx)'));
    assert.match(only(parseSource(textSource('settings.json', '{"editor.fontSize": 14}'))), /^settings\.json is a JSON file, not a model/);
  });

  it('a file of no known kind says what CNN Lens reads', () => {
    assert.equal(only(parseSource(bytesSource('notes.bin', new Uint8Array([1, 2, 3])))), 'notes.bin is not a model file CNN Lens recognises. ' + READS);
  });

  it('a format that lands drops out of the list by itself (its detect() reads the sample)', () => {
    const before = comingFormats(FORMATS);
    const name = 'safetensors (.safetensors)';
    assert.ok(before.includes(name));
    assert.ok(unreadBinaryExtensions(FORMATS).includes('.safetensors'));
    const safetensors: ModelFormat = {
      id: 'safetensors', displayName: 'safetensors', extensions: ['.safetensors'], produces: ['safetensors'], binary: true,
      detect: (s) => s.bytes()[8] === 0x7b,
      parse: () => ({ name: 'm', format: 'safetensors', nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [] }),
    };
    const after = comingFormats([...FORMATS, safetensors]);
    assert.deepEqual(after, before.filter((f) => f !== name));
    assert.ok(!unreadBinaryExtensions([...FORMATS, safetensors]).includes('.safetensors'));
    // By a name ending the new format alone claims, even when its detect() wants more than the sample holds.
    const strict: ModelFormat = { ...safetensors, detect: () => false };
    assert.ok(!comingFormats([...FORMATS, strict]).includes(name));
  });

  it('cnn-lens summary on a PyTorch file: its module table, exit 0', function () {
    if (!dir) this.skip();
    const out = summary([join(dir!, 'resnet.pt')]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^conv\s+Linear\?\s+\?\s+6\b/m);
  });

  it('real models are untouched: ONNX and Keras still parse', () => {
    const onnx = readFileSync(join(__dirname, '..', 'fixtures', 'onnx', 'tiny_cnn.onnx'));
    assert.ok(parseSource(bytesSource('tiny_cnn.onnx', new Uint8Array(onnx))).nodes.length > 3);
    const keras = readFileSync(join(__dirname, '..', 'fixtures', 'multi_io.json'), 'utf8');
    assert.ok(parseSource(textSource('multi_io.json', keras)).nodes.length > 3);
  });
});
