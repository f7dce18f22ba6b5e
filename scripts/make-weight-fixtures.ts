// Writes the Keras weight fixtures in test/fixtures/weights with h5wasm, following the layouts
// Keras documents and writes (there is no Python Keras on this machine, so these files are written
// by us after Keras's layout, not by Keras):
//   multi_io.keras2.h5            Keras 2 `save_weights` layout for test/fixtures/multi_io.json
//   multi_io.full.h5              Keras 2 full-model `.h5`: model_weights group + model_config attribute
//   multi_io.weights.h5           Keras 3 `.weights.h5` layout (nested Sequential → layers/sequential/layers/…)
//   keras3_functional.weights.h5  Keras 3 layout for test/fixtures/keras3_functional.json
//   keras3_functional.keras       a Keras 3 archive: config.json + metadata.json + model.weights.h5
// Every tensor's values come from `fixtureValues` (deterministic), which the tests recompute.
// Run: npx tsx scripts/make-weight-fixtures.ts
import { strToU8, zipSync } from 'fflate';
import type * as H5 from 'h5wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../src/core/analysis/analyze';
import { parseModel } from '../src/core/formats/registry';
import { weightSlots } from '../src/core/runtime/weights';
import { kerasSnakeCase } from '../src/core/formats/keras/weights-keras';
import { hdf5 } from '../src/core/formats/hdf5';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');
export const WEIGHT_FIXTURES = join(FIXTURES, 'weights');

/** The values written for weight `name` of layer `id` (node id): a deterministic pattern, variances positive. */
export function fixtureValues(id: string, name: string, size: number): Float32Array {
  let seed = 0;
  for (const c of `${id}/${name}`) seed = (seed * 31 + c.charCodeAt(0)) % 100003;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = Math.round(Math.sin(seed + i * 0.731) * 1000) / 1000;
    out[i] = name === 'moving_variance' ? Math.abs(v) + 0.5 : v;
  }
  return out;
}

interface JsonLayer {
  class_name: string;
  config: { name: string; layers?: JsonLayer[] } & Record<string, unknown>;
}
const isModel = (l: JsonLayer) => ['Sequential', 'Functional', 'Model'].includes(l.class_name);
const layersOf = (m: JsonLayer): JsonLayer[] => (Array.isArray(m.config) ? (m.config as unknown as JsonLayer[]) : m.config.layers ?? []);

/** The declared weights of every weight-owning node, by node id (shapes from CNN Lens's op table). */
function declaredWeights(json: string, fileName: string): Map<string, { name: string; shape: number[]; trainable: boolean }[]> {
  const slots = weightSlots(analyze(parseModel(json, fileName)));
  return new Map([...slots].map(([id, s]) => [id, (s.declared ?? []).map((w) => ({ name: w.name, shape: [...w.shape], trainable: w.trainable }))]));
}

function ensureGroup(parent: H5.Group, path: string): H5.Group {
  let g = parent;
  for (const part of path.split('/').filter(Boolean)) g = (g.get(part) as H5.Group | null) ?? g.create_group(part);
  return g;
}

export function dataset(group: H5.Group, name: string, values: Float32Array, shape: number[]): void {
  group.create_dataset({ name, data: values, shape, dtype: '<f' });
}

/** Fixed-length byte strings, as h5py stores numpy `S` arrays (also used by test/unit/style-vgg.test.ts). */
export function stringsAttribute(target: H5.Group, name: string, values: string[]): void {
  const width = Math.max(1, ...values.map((v) => v.length));
  target.create_attribute(name, values, [values.length], `S${width}`);
}

export async function writeH5(path: string, body: (f: H5.File) => void): Promise<Uint8Array> {
  const h5 = await hdf5();
  const scratch = `/fixture-${Date.now()}.h5`;
  const f = new h5.File(scratch, 'w');
  try {
    body(f);
  } finally {
    f.close();
  }
  const bytes = h5.FS!.readFile(scratch) as Uint8Array;
  h5.FS!.unlink(scratch);
  if (path) writeFileSync(path, bytes);
  return bytes;
}

/** Keras 2 `save_weights_to_hdf5_group`: layer_names; per layer weight_names and one dataset per name. */
function writeKeras2(root: H5.Group, model: JsonLayer, declared: ReturnType<typeof declaredWeights>): void {
  const layers = layersOf(model);
  stringsAttribute(root, 'layer_names', layers.map((l) => l.config.name));
  root.create_attribute('backend', 'tensorflow');
  root.create_attribute('keras_version', '2.15.0');
  for (const layer of layers) {
    const g = root.create_group(layer.config.name);
    // A nested model's weights: its layers' trainable weights first, then the non-trainable ones (Keras's model.weights order).
    const owners = isModel(layer) ? layersOf(layer).map((l) => ({ id: `${layer.config.name}/${l.config.name}`, name: l.config.name })) : [{ id: layer.config.name, name: layer.config.name }];
    const all = owners.flatMap((o) => (declared.get(o.id) ?? []).map((w) => ({ ...w, owner: o })));
    const ordered = [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)];
    const names = ordered.map((w) => `${w.owner.name}/${w.name}:0`);
    stringsAttribute(g, 'weight_names', names);
    ordered.forEach((w, i) => {
      const size = w.shape.reduce((p, d) => p * d, 1);
      dataset(ensureGroup(g, w.owner.name), names[i].split('/')[1], fixtureValues(w.owner.id, w.name, size), w.shape);
    });
  }
}

/** Keras 3 `saving_lib`: layers/<class key>/vars/<i>, class keys numbered per class in layer order. */
function writeKeras3Level(parent: H5.Group, model: JsonLayer, prefix: string, declared: ReturnType<typeof declaredWeights>): void {
  const used = new Map<string, number>();
  const layersGroup = ensureGroup(parent, 'layers');
  for (const layer of layersOf(model)) {
    const base = kerasSnakeCase(layer.class_name);
    const n = used.has(base) ? used.get(base)! + 1 : 0;
    used.set(base, n);
    const key = n ? `${base}_${n}` : base;
    const g = layersGroup.create_group(key);
    const vars = g.create_group('vars');
    const id = `${prefix}${layer.config.name}`;
    if (isModel(layer)) {
      writeKeras3Level(g, layer, `${id}/`, declared);
      continue;
    }
    (declared.get(id) ?? []).forEach((w, i) => dataset(vars, String(i), fixtureValues(id, w.name, w.shape.reduce((p, d) => p * d, 1)), w.shape));
  }
}

async function main(): Promise<void> {
  mkdirSync(WEIGHT_FIXTURES, { recursive: true });
  const multiText = readFileSync(join(FIXTURES, 'multi_io.json'), 'utf8');
  const multi = JSON.parse(multiText) as JsonLayer;
  const multiDeclared = declaredWeights(multiText, 'multi_io.json');
  await writeH5(join(WEIGHT_FIXTURES, 'multi_io.keras2.h5'), (f) => writeKeras2(f, multi, multiDeclared));
  await writeH5(join(WEIGHT_FIXTURES, 'multi_io.full.h5'), (f) => {
    f.create_attribute('model_config', multiText);
    f.create_attribute('keras_version', '2.15.0');
    writeKeras2(f.create_group('model_weights'), multi, multiDeclared);
  });
  await writeH5(join(WEIGHT_FIXTURES, 'multi_io.weights.h5'), (f) => {
    f.create_group('vars');
    writeKeras3Level(f, multi, '', multiDeclared);
  });

  const k3Text = readFileSync(join(FIXTURES, 'keras3_functional.json'), 'utf8');
  const k3 = JSON.parse(k3Text) as JsonLayer;
  const k3Declared = declaredWeights(k3Text, 'keras3_functional.json');
  const k3Bytes = await writeH5(join(WEIGHT_FIXTURES, 'keras3_functional.weights.h5'), (f) => {
    f.create_group('vars');
    writeKeras3Level(f, k3, '', k3Declared);
  });
  const metadata = JSON.stringify({ keras_version: '3.6.0', date_saved: '2025-01-01@00:00:00' });
  // Keras writes the archive with zipfile's default, ZIP_STORED (level 0).
  const zip = zipSync({ 'metadata.json': strToU8(metadata), 'config.json': strToU8(k3Text), 'model.weights.h5': k3Bytes }, { level: 0, mtime: new Date('2025-01-01T00:00:00Z') });
  writeFileSync(join(WEIGHT_FIXTURES, 'keras3_functional.keras'), zip);
  console.log(`wrote the weight fixtures in ${WEIGHT_FIXTURES}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
