import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core';
import { runCliAsync } from '../../src/cli/main';
import { detectFormat, parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { mulberry32 } from '../../src/core/runtime/random-weights';
import { writeNpy } from '../../src/core/runtime/npy';
import { fileSource } from '../../src/node/file-source';
import { ensureKerasFixtures, type KerasFixtures } from '../support/keras-fixtures';
import { MODELS } from '../support/fixtures';

// Keras whole-model files (.h5 from model.save, Keras 3 .keras archives), written by h5py and
// Python's zipfile in Keras's layouts (scripts/keras/export_fixtures.py). The truth is h5py's sum
// of the datasets each file stores, tfjs-layers' prediction from the same weights, and the
// reasons a reader must give for the bad files.

let fx: KerasFixtures;
const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-keras-h5-'));

before(function () {
  this.timeout(15 * 60_000);
  fx = ensureKerasFixtures();
});

const open = async (file: string) => analyze(await parseSourceWithFiles(fileSource(fx.path(file))));
const errors = (a: { diagnostics: readonly { severity: string; message: string }[] }) => a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('Keras whole-model files: the architecture from the file, the totals from its datasets', () => {
  for (const file of ['mobilenet_v1.h5', 'mobilenet_v2.h5', 'mobilenet_v1.keras', 'mobilenet_v2.keras']) {
    it(`${file}: parameters equal h5py's sum of the stored datasets, layer by layer`, async () => {
      const truth = fx.files[file];
      const a = await open(file);
      assert.deepEqual(errors(a), []);
      assert.equal(a.graph.format, file.endsWith('.keras') ? 'keras3-archive' : 'keras2-h5');
      assert.equal(a.totals.params, truth.params);
      if (file.endsWith('.h5')) {
        // Keras 2 groups are named after the layers: each layer's count is its group's.
        for (const [layer, stored] of Object.entries(truth.perLayer!)) {
          const node = a.byId.get(layer);
          assert.ok(node, `h5py found weights for "${layer}", which is not a layer of the drawing`);
          assert.equal(node.params, stored, layer);
        }
      }
    });
  }

  it('is detected by content: an .h5 renamed .bin, a .keras archive renamed .zip', () => {
    const h5 = readFileSync(fx.path('mobilenet_v1.h5'));
    assert.equal(detectFormat(bytesSource('renamed.bin', h5))?.id, 'keras-h5');
    assert.equal(detectFormat(bytesSource('renamed.zip', readFileSync(fx.path('mobilenet_v2.keras'))))?.id, 'keras-h5');
    assert.notEqual(detectFormat(bytesSource('data.zip', readFileSync(fx.path('not_keras.keras'))))?.id, 'keras-h5');
  });

  it('a custom layer (class MyScale) is an opaque node with a diagnostic; layers before it count as h5py stores them, layers after it are unknown, not wrong', async () => {
    const truth = fx.files['custom_layer.h5'];
    const a = await open('custom_layer.h5');
    const node = a.graph.nodes.find((n) => n.layer === truth.custom!.layer)!;
    assert.equal(node.op, 'Unknown');
    assert.equal(node.sourceClass, 'MyScale');
    assert.ok(a.diagnostics.some((d) => d.node === node.id && /unknown layer class "MyScale"/.test(d.message)));
    assert.deepEqual(errors(a), []);
    assert.equal(a.byId.get('conv_a')?.params, truth.perLayer!.conv_a);
    // A Keras 2 config records no shapes: what MyScale outputs is not in the file, so conv_b's and the Dense layer's counts are unknown (0), never guessed.
    assert.equal(a.byId.get('conv_b')?.outputShape, undefined);
    assert.equal(a.totals.params, truth.perLayer!.conv_a);
  });

  it('a Keras 3 custom layer takes its output shape from the next layer’s build_config: everything after it counts again', async () => {
    const truth = fx.files['custom_layer.keras'];
    const a = await open('custom_layer.keras');
    const node = a.graph.nodes.find((n) => n.layer === truth.custom!.layer)!;
    assert.equal(node.op, 'Unknown');
    assert.ok(a.diagnostics.some((d) => d.node === node.id && /unknown layer class "MyScale".*output shape \[batch, 32, 32, 8\] is the one the next layer was built with/.test(d.message)));
    assert.deepEqual(a.byId.get(node.id)?.outputShape, [1, 32, 32, 8]);
    assert.deepEqual(a.byId.get('logits')?.outputShape, [1, 10]);
    // Every stored dataset but the custom layer's own is counted.
    assert.equal(a.totals.params, truth.params! - truth.custom!.stored);
  });

  it('a Keras 1 model (Convolution2D nb_filter/border_mode, Dense output_dim) opens with Keras 1’s own totals', async () => {
    const a = await open('keras1_sequential.h5');
    assert.deepEqual(errors(a), []);
    assert.equal(a.totals.params, fx.files['keras1_sequential.h5'].params);
    assert.deepEqual(a.byId.get('dense_1')?.outputShapes[0], [1, 10]);
  });
});

describe('conformance: MobileNet as the zoo’s JSON, as a Keras 2 .h5 and as a Keras 3 .keras', () => {
  for (const zoo of ['mobilenet_v1', 'mobilenet_v2']) {
    it(`${zoo}: the same parameters and MACs, layer by layer, in all three`, async () => {
      const json = analyze(parseSource(fileSource(join(MODELS, `${zoo}.json`))));
      const rows = (a: typeof json) => a.nodes.map((n) => [n.id, n.params, n.trainableParams, n.macs, JSON.stringify(n.outputShape)]);
      for (const file of [`${zoo}.h5`, `${zoo}.keras`]) {
        const other = await open(file);
        assert.deepEqual(rows(other), rows(json), file);
        assert.deepEqual(other.totals, json.totals, file);
      }
      // The published figures (Howard et al. 2017; Sandler et al. 2018, Keras Applications).
      assert.equal(json.totals.params, zoo === 'mobilenet_v1' ? 4_253_864 : 3_538_984);
    });
  }
});

describe('Keras whole-model files: bad input gets a message naming the file and the reason', () => {
  const cases: [string, RegExp][] = [
    ['small_net.h5', /small_net\.h5 holds only weights .*no model_config attribute.*open the model's architecture, small_net\.json/],
    ['truncated.h5', /truncated\.h5 is cut short: its HDF5 superblock declares \d+ bytes, the file has \d+/],
    ['bomb.keras', /bomb\.keras cannot be read as a \.keras archive: entry "config\.json" declares 100 MiB uncompressed, more than the 64 MiB/],
    ['liar.keras', /liar\.keras cannot be read as a \.keras archive: entry "config\.json" inflates past its declared 100 bytes/],
    ['climb.keras', /climb\.keras cannot be read as a \.keras archive: entry "\.\.\/x" the archive holds an entry with a name that climbs out of the archive/],
    ['not_keras.keras', /not_keras\.keras is a zip archive but not a Keras archive: it has no config\.json .* this one holds readme\.txt, data\/values\.csv/],
  ];
  for (const [file, message] of cases) {
    it(file, async () => {
      const a = await open(file);
      assert.equal(a.graph.nodes.length, 0);
      const found = errors(a);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0], message);
      assert.ok(found[0].includes(fx.path(file)), 'the message names the file');
    });
  }

  it('a weights-only .h5 names the architecture file next to it when there is one, and only then', async () => {
    const next = await open('small_net.h5');
    assert.ok(next.diagnostics.some((d) => d.severity === 'info' && /small_net\.json is next to it: open small_net\.json/.test(d.message)));
    const alone = await open('lonely_weights.h5');
    assert.match(errors(alone)[0], /lonely_weights\.h5 holds only weights/);
    assert.ok(!alone.diagnostics.some((d) => d.severity === 'info'));
  });

  it('every file cut at any of 40 points gives diagnostics, never an exception', async () => {
    for (const file of ['custom_layer.h5', 'mobilenet_v2.keras']) {
      const whole = readFileSync(fx.path(file));
      for (let k = 0; k < 40; k++) {
        const cut = whole.subarray(0, Math.floor((whole.length * k) / 40));
        const graph = await parseSourceWithFiles(bytesSource(`cut-${k}-${file}`, cut));
        if (k > 0) assert.ok(graph.diagnostics.some((d) => d.severity === 'error'), `${file} cut at ${k}/40 reads as a whole model`);
      }
    }
  });

  it('a .keras archive also parses synchronously (its config is a zip entry: no library to load first)', () => {
    const g = parseSource(bytesSource('m.keras', readFileSync(fx.path('mobilenet_v2.keras'))));
    assert.deepEqual(g.diagnostics.filter((d) => d.severity === 'error'), []);
  });
});

function randomNpy(shape: number[], seed: number): { file: string; values: Float32Array } {
  const rand = mulberry32(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rand() * 2 - 1);
  const file = join(tmp, `input-${seed}.npy`);
  writeFileSync(file, writeNpy({ dtype: 'float32', shape, data: values }));
  return { file, values };
}

/** tfjs-layers with the zoo's JSON and the TF.js copy of the weights (h5py read them back from the .h5): none of CNN Lens's readers. */
async function tfjsLayersModel(zoo: string, h5: string): Promise<tfl.LayersModel> {
  const truth = fx.files[h5];
  const bytes = readFileSync(fx.path(truth.tfjsBin!));
  return tfl.loadLayersModel({
    load: async () => ({
      modelTopology: JSON.parse(readFileSync(join(MODELS, zoo), 'utf8')),
      weightSpecs: truth.tfjsManifest as tf.io.WeightsManifestEntry[],
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  });
}

describe('Keras whole-model files run with their own weights on the engine', () => {
  for (const [file, h5, zoo] of [['mobilenet_v1.h5', 'mobilenet_v1.h5', 'mobilenet_v1.json'], ['mobilenet_v2.keras', 'mobilenet_v2.h5', 'mobilenet_v2.json']]) {
    it(`cnn-lens run ${file} (ONNX Runtime, the file's weights) equals tfjs-layers' predict with the same weights`, async () => {
      const input = randomNpy([1, 224, 224, 3], file.length);
      const r = await runCliAsync(['run', fx.path(file), '--input', input.file, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.match(doc.backend, /^onnxruntime/);
      assert.equal(doc.randomWeights, false);
      assert.match(doc.weights, file.endsWith('.keras') ? /Keras 3 archive mobilenet_v2\.keras/ : /Keras 2 HDF5 weights mobilenet_v1\.h5/);
      const model = await tfjsLayersModel(zoo, h5);
      const truth = tf.tidy(() => (model.predict(tf.tensor(input.values, [1, 224, 224, 3])) as tf.Tensor).dataSync());
      model.dispose();
      const got = doc.outputs[0].values as number[];
      assert.equal(got.length, truth.length);
      const worst = Math.max(...got.map((v, j) => Math.abs(v - truth[j]) / Math.max(Math.abs(truth[j]), 1e-6)));
      assert.ok(worst <= 1e-3, `max relative |diff| ${worst}`);
    });
  }

  it('cnn-lens summary and export --onnx read them; the export carries the file’s weights', async () => {
    const s = await runCliAsync(['summary', fx.path('mobilenet_v1.keras'), '--json']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).totals.params, fx.files['mobilenet_v1.keras'].params);
    const out = join(tmp, 'm.onnx');
    const e = await runCliAsync(['export', fx.path('mobilenet_v1.h5'), '--onnx', out]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /Weights: Keras 2 HDF5 weights mobilenet_v1\.h5/);
    const bad = await runCliAsync(['summary', fx.path('small_net.h5')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /holds only weights/);
  });
});
