import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { analyze } from '../../src/core/analysis/analyze';
import type { Analysis } from '../../src/core/analysis/types';
import { summary } from '../../src/cli/summary';
import { detectFormat, parseModel, parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { openZip } from '../../src/core/formats/zip';
import { MODELS } from '../support/fixtures';
import { ensurePytorchFixtures, pytorchTruth } from '../support/pytorch-fixtures';

// PyTorch files written by torch.save and torch.jit.save (Debian's torch 1.13, torchvision 0.14):
// our counts and shapes against torch's own (index.json), and hostile or damaged files refused with
// a message, nothing run.

describe('PyTorch .pt / .pth files', function () {
  let dir = '';
  before(function () {
    dir = ensurePytorchFixtures();
  });
  const open = (file: string, name = file) => parseSource(bytesSource(name, new Uint8Array(readFileSync(join(dir, file)))));
  const errorsOf = (file: string, bytes: Uint8Array) => parseSource(bytesSource(file, bytes)).diagnostics.filter((d) => d.severity === 'error');

  for (const file of ['resnet18.pth', 'mobilenet_v2.pth', 'checkpoint.pt', 'legacy.pth', 'half.pth', 'traced.pt', 'scripted.pt']) {
    it(`${file}: parameters, buffers and every tensor's shape, dtype and bytes equal torch's`, function () {
      const truth = pytorchTruth()[file];
      const graph = open(file);
      assert.equal(detectFormat(bytesSource(file, new Uint8Array(readFileSync(join(dir, file)))))?.id, 'pytorch');
      assert.deepEqual(graph.diagnostics.filter((d) => d.severity === 'error'), []);
      const totals = analyze(graph).totals;
      assert.equal(totals.trainableParams, truth.params, 'sum(p.numel() for p in model.parameters())');
      assert.equal(totals.nonTrainableParams, truth.buffers, 'sum(b.numel() for b in model.buffers())');
      assert.equal(totals.weightBytes, truth.tensors.reduce((s, t) => s + t.bytes, 0));
      const constants = graph.constants ?? {};
      assert.equal(Object.keys(constants).length, truth.tensors.length);
      for (const t of truth.tensors) {
        const c = constants[t.name];
        assert.ok(c, `tensor ${t.name} is read`);
        assert.deepEqual([c.shape, c.dtype, c.byteLength], [t.shape, t.dtype, t.bytes], t.name);
      }
    });
  }

  it('modules are grouped by path: layer1.0.conv1 sits in layer1.0, inside layer1, and reads its weight', () => {
    const graph = open('resnet18.pth');
    const conv = graph.nodes.find((n) => n.id === 'layer1.0.conv1')!;
    assert.equal(conv.group, 'layer1.0');
    assert.deepEqual(conv.inputs.map((r) => r.node), ['layer1.0.conv1.weight']);
    assert.equal(graph.groups.find((g) => g.id === 'layer1.0')?.parent, 'layer1');
    assert.equal(graph.format, 'pytorch-state-dict');
    const bn = analyze(graph).byId.get('layer1.0.bn1')!;
    assert.ok(bn);
    const info = graph.diagnostics.find((d) => d.code === 'pytorch-no-graph')!;
    assert.match(info.message, /a state_dict, which has no graph.*`torch\.onnx\.export\(model\.eval\(\), torch\.randn\(1, 3, 224, 224\), "resnet18\.onnx"\)`/);
  });

  it('a checkpoint names the key its state_dict is under; TorchScript names its modules\u2019 classes', () => {
    assert.match(open('checkpoint.pt').diagnostics[0].message, /under "model" \(beside "optimizer", "epoch"\)/);
    const traced = open('traced.pt');
    assert.equal(traced.format, 'pytorch-torchscript');
    assert.equal(traced.nodes.find((n) => n.id === 'layer1.0.conv1')?.sourceClass, 'Conv2d');
    assert.match(traced.diagnostics[0].message, /torch\.jit\.load\("traced\.pt"\)/);
  });

  it('a pickle asking for os.system is refused, naming the global, and nothing runs', () => {
    const marker = '/tmp/cnn-lens-pwned';
    rmSync(marker, { force: true });
    const errors = errorsOf('hostile.pt', new Uint8Array(readFileSync(join(dir, 'hostile.pkl'))));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /^hostile\.pt: it asks for the Python global (posix|os)\.system, .*hostile/);
    assert.ok(!existsSync(marker));
  });

  it('builtins.eval in a protocol 4 pickle, and torch.save(model) of a whole module: refused, naming the global', () => {
    const marker = '/tmp/cnn-lens-pwned';
    rmSync(marker, { force: true });
    const hostile = errorsOf('hostile4.pth', new Uint8Array(readFileSync(join(dir, 'hostile4.pkl'))));
    assert.match(hostile[0].message, /^hostile4\.pth: it asks for the Python global builtins\.eval, .*hostile/);
    assert.ok(!existsSync(marker));
    const whole = open('whole_model.pt').diagnostics.filter((d) => d.severity === 'error');
    assert.equal(whole.length, 1);
    assert.match(whole[0].message, /^whole_model\.pt: it asks for the Python global torchvision\.models\.resnet\.ResNet, .*save model\.state_dict\(\) instead/);
  });

  it('a truncated zip and a zip missing a storage: a message naming the file and the reason', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'mobilenet_v2.pth')));
    const cut = errorsOf('cut.pth', bytes.subarray(0, bytes.length >> 1));
    assert.equal(cut.length, 1);
    assert.match(cut[0].message, /^cut\.pth: .*(cut short|missing|no end of central directory)/);
    const entries = unzipSync(bytes);
    const storage = Object.keys(entries).find((n) => n.endsWith('/data/0'))!;
    delete entries[storage];
    const missing = errorsOf('missing.pth', zipSync(entries, { level: 0 }));
    assert.equal(missing.length, 1);
    assert.match(missing[0].message, new RegExp(`^missing\\.pth: the storage of tensor "[^"]+" \\(${storage.replace(/[./]/g, '\\$&')}\\) is missing from the archive`));
  });

  it('a legacy file cut short in its storages says so', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'legacy.pth')));
    const errors = errorsOf('legacy.pth', bytes.subarray(0, bytes.length - 1000));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /^legacy\.pth: the file is cut short in the storage of tensor "[\w.]+"$/);
  });

  it('a data.pkl with bytes changed at random: a graph or one message, never an exception', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'mobilenet_v2.pth')));
    const pkl = openZip(bytes, 'm.pth').entries.find((e) => e.name.endsWith('/data.pkl'))!;
    assert.equal(pkl.method, 0, 'torch stores data.pkl uncompressed');
    const start = pkl.headerOffset + 30 + (bytes[pkl.headerOffset + 26] | (bytes[pkl.headerOffset + 27] << 8)) + (bytes[pkl.headerOffset + 28] | (bytes[pkl.headerOffset + 29] << 8));
    let seed = 14;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 60; i++) {
      const at = start + (next() % pkl.size);
      const was = bytes[at];
      bytes[at] = next() % 256;
      const graph = parseSource(bytesSource('m.pth', bytes));
      assert.ok(graph.nodes.length > 0 || graph.diagnostics.filter((d) => d.severity === 'error').length === 1, `byte ${at}`);
      bytes[at] = was;
    }
  });

  it('every prefix of a small pickle gives a message, never an exception', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'hostile.pkl')));
    for (let n = 0; n < bytes.length; n++) assert.equal(errorsOf('x.pt', bytes.subarray(0, n)).length, 1);
  });

  // Conformance: the zoo's Keras files of the same torchvision networks. Keras's BatchNormalization
  // holds γ, β (trainable) and the moving mean and variance (not); torch's BatchNorm2d the same four
  // plus num_batches_tracked, one int64 buffer each: that is the whole difference, module by module.
  for (const [file, json] of [['resnet18.pth', 'resnet18.json'], ['mobilenet_v2.pth', 'mobilenet_v2.json']]) {
    it(`${file} = Keras models/${json}: trainable equal; non-trainable + 1 per BatchNorm (num_batches_tracked); every layer's parameters equal`, () => {
      const keras = analyze(parseModel(readFileSync(join(MODELS, json), 'utf8'), json));
      const torch = analyze(open(file));
      const counters = Object.keys(torch.graph.constants ?? {}).filter((n) => n.endsWith('.num_batches_tracked')).length;
      assert.equal(torch.totals.trainableParams, keras.totals.trainableParams);
      assert.equal(torch.totals.nonTrainableParams, keras.totals.nonTrainableParams + counters);
      const perLayer = (a: Analysis, less: (id: string) => number) => a.nodes.filter((n) => n.params > 0).map((n) => n.params - less(n.id)).sort((x, y) => x - y);
      const hasCounter = (id: string) => (torch.graph.constants?.[`${id}.num_batches_tracked`] ? 1 : 0);
      assert.deepEqual(perLayer(torch, hasCounter), perLayer(keras, () => 0));
    });
  }

  it('cnn-lens summary on a state_dict: the module table and torch\u2019s parameter count', () => {
    const out = summary([join(dir, 'resnet18.pth')]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /layer1\.0\.conv1\s+Conv2d\?\s+\?\s+36,864/);
    assert.match(out.stdout, new RegExp(`Trainable params:\\s+${pytorchTruth()['resnet18.pth'].params.toLocaleString('en-US')}`));
  });
});
