import * as tfcore from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import type * as H5 from 'h5wasm';
import type { Analysis } from '../../analysis/types';
import { baseName, SourceError, type ModelSource } from '../source';
import type { Graph, IRGroup, IRNode } from '../../ir';
import { asAnalysis, bindWeights, ownerId, weightSlots, WeightsError, type FoundWeight, type LoadedWeights, type LoadOptions, type WeightSlot } from '../../runtime/weights';
import { halfToFloat } from '../../runtime/half-float';
import { hdf5Reason, isH5Dataset, isH5Group, isHdf5, stringsAttr, withHdf5, type Hdf5File } from '../hdf5';
import { isZip, openZip } from '../zip';

// Keras weights in HDF5, read with h5wasm (the HDF5 C library compiled to WebAssembly).
//
// Keras 2 (`model.save_weights('w.h5')`, and the `model_weights` group of a full-model `.h5`):
//   root attrs  layer_names = [b'conv1', b'features', …]          (chunked as layer_names0, 1, … when large)
//   /conv1      attrs weight_names = [b'conv1/kernel:0', b'conv1/bias:0']
//   /conv1/conv1/kernel:0                                          one dataset per weight
//   a nested model is one layer group whose weight_names are the inner layers' (`f_conv/kernel:0`).
// Keras 3 (`model.weights.h5` inside a `.keras` zip, or `model.save_weights('x.weights.h5')`):
//   /layers/<key>/vars/0, 1, …   the layer's variables in order (trainable first), where <key> is
//   NOT the layer's name but its class in snake_case numbered per class in the model's layer order
//   (conv2d, conv2d_1, batch_normalization, …); nested models recurse: /layers/functional/layers/conv2d/vars/0.
//   (Keras 2.13–2.15 `.keras` files wrote `_layer_checkpoint_dependencies` in place of `layers`.)

/** Keras's `naming.to_snake_case` (Conv2D → conv2d, BatchNormalization → batch_normalization, PReLU → p_re_lu). */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A dataset as a tensor: floats as float32 (float64, float16 and bfloat16 converted), integers as int32. */
function datasetTensor(tf: typeof tfc, h5: Hdf5File, ds: H5.Dataset, where: string): tfc.Tensor {
  const shape = ds.shape ?? [];
  const meta = ds.metadata;
  const value = h5.readDataset(ds, where);
  const bf16 = 'dtype' in ds.attrs && ds.attrs.dtype.value === 'bfloat16';
  if (bf16 && (value instanceof Uint16Array || value instanceof Int16Array)) {
    const bits = new Uint32Array(value.length);
    for (let i = 0; i < value.length; i++) bits[i] = (value[i] & 0xffff) << 16;
    return tf.tensor(new Float32Array(bits.buffer), shape, 'float32');
  }
  if (meta.type === 1 && meta.size === 2 && (value instanceof Uint16Array || value instanceof Int16Array)) {
    return tf.tensor(Float32Array.from(value, (h) => halfToFloat(h & 0xffff)), shape, 'float32');
  }
  if (value instanceof Float32Array) return tf.tensor(value, shape, 'float32');
  if (value instanceof Float64Array) return tf.tensor(Float32Array.from(value), shape, 'float32');
  if (typeof value === 'number') return tf.tensor(value, shape, 'float32');
  if (value instanceof Int32Array || value instanceof Int16Array || value instanceof Int8Array || value instanceof Uint8Array || value instanceof Uint16Array) {
    return tf.tensor(Int32Array.from(value), shape, 'int32');
  }
  // h5wasm returns a Float16Array where the runtime has one.
  if (value && ArrayBuffer.isView(value) && meta.type === 1) return tf.tensor(Float32Array.from(value as unknown as ArrayLike<number>), shape, 'float32');
  throw new WeightsError(h5.name, [], `${h5.name}: ${where}: dataset type (class ${meta.type}, ${meta.size} bytes) is not a number type CNN Lens reads`);
}

const stripIndex = (name: string): string => name.replace(/:\d+$/, '');

interface Reading {
  /** The open file, whose datasets are read through its size checks. */
  readonly h5: Hdf5File;
  readonly found: FoundWeight[];
  readonly unplaced: string[];
}

/** Keras 2: layer groups named after layers, weights named `layer/weight:0`. */
function readKeras2(tf: typeof tfc, root: H5.Group, analysis: Analysis, slots: ReadonlyMap<string, WeightSlot>, out: Reading): void {
  const layerNames = stringsAttr(root, 'layer_names') ?? [];
  const groupIds = new Set(analysis.graph.groups.map((g) => g.id));
  for (const layer of layerNames) {
    const group = root.get(layer);
    if (!isH5Group(group)) {
      out.unplaced.push(`layer_names lists "${layer}", but the file has no group for it`);
      continue;
    }
    const names = stringsAttr(group, 'weight_names') ?? [];
    if (!names.length) continue;
    const read = (wn: string): tfc.Tensor | undefined => {
      const ds = group.get(wn);
      if (!isH5Dataset(ds)) {
        out.unplaced.push(`layer "${layer}" lists weight "${wn}", but the file has no dataset for it`);
        return undefined;
      }
      return datasetTensor(tf, out.h5, ds, `${layer}/${wn}`);
    };
    const slot = slots.get(layer);
    if (slot && !groupIds.has(layer)) {
      // A plain layer: by name where the names are the op's, else by position (Keras's own rule).
      const declared = slot.declared?.map((w) => w.name);
      const plain = names.map((wn) => placeWeightName(stripIndex(wn).split('/').pop()!, declared));
      const byName = !!declared && plain.every((p) => declared.includes(p)) && new Set(plain).size === plain.length;
      names.forEach((wn, i) => {
        const tensor = read(wn);
        if (tensor) out.found.push({ owner: layer, ...(byName || !declared ? { name: plain[i] } : { index: i }), origin: `"${wn}"`, tensor });
      });
    } else if (groupIds.has(layer)) {
      // A nested model: its inner layers' weights, each named after its inner layer.
      for (const wn of names) {
        const parts = stripIndex(wn).split('/');
        const weight = parts.pop()!;
        const owner = placeInGroup(parts, layer, slots);
        if (!owner) {
          out.unplaced.push(`the file's weight "${wn}" in nested model "${layer}" matches no layer inside it`);
          continue;
        }
        const tensor = read(wn);
        if (tensor) out.found.push({ owner, name: placeWeightName(weight, slots.get(owner)?.declared?.map((w) => w.name)), origin: `"${layer}/${wn}"`, tensor });
      }
    } else {
      out.unplaced.push(`the file's layer "${layer}" (${names.join(', ')}) is not a layer of the model`);
    }
  }
}

/** `kernel_1` → `kernel` when only the latter is the op's name (TF1 graph-mode uniquified names). */
function placeWeightName(weight: string, declared: readonly string[] | undefined): string {
  if (!declared || declared.includes(weight)) return weight;
  const plain = weight.replace(/_\d+$/, '');
  return declared.includes(plain) ? plain : weight;
}

/** The node inside nested model `group` that a weight path (`f_conv`, `features/f_conv`) names. */
function placeInGroup(parts: readonly string[], group: string, slots: ReadonlyMap<string, WeightSlot>): string | undefined {
  for (let k = 0; k < parts.length; k++) {
    const id = `${group}/${parts.slice(k).join('/')}`;
    if (slots.has(id)) return id;
  }
  const last = parts[parts.length - 1];
  const inside = [...slots.values()].filter((s) => s.node.id.startsWith(`${group}/`) && s.node.layer === last);
  return inside.length === 1 ? inside[0].node.id : undefined;
}

type Member = { kind: 'leaf'; node: IRNode } | { kind: 'model'; group: IRGroup };

/** A model level's layers in file order: the leaf nodes and nested models whose parent is `scope`. */
function membersOf(analysis: Analysis, scope: string | undefined): Member[] {
  const position = new Map(analysis.graph.nodes.map((n, i) => [n.id, i]));
  const firstInside = (g: IRGroup) => {
    let best = Infinity;
    for (const n of analysis.graph.nodes) if (n.id.startsWith(`${g.id}/`)) best = Math.min(best, position.get(n.id)!);
    return best;
  };
  const members: { at: number; m: Member }[] = [];
  for (const node of analysis.graph.nodes) {
    if (node.group === scope && ownerId(node.id) === node.id) members.push({ at: position.get(node.id)!, m: { kind: 'leaf', node } });
  }
  for (const group of analysis.graph.groups) {
    if (group.parent === scope && ownerId(group.id) === group.id) members.push({ at: firstInside(group), m: { kind: 'model', group } });
  }
  return members.sort((a, b) => a.at - b.at).map((x) => x.m);
}

/** Keras 3's container keys for a level's plain layers: class in snake_case, numbered per class. */
function leafKeys(members: readonly Member[]): Map<IRNode, string> {
  const used = new Map<string, number>();
  const keys = new Map<IRNode, string>();
  for (const m of members) {
    if (m.kind !== 'leaf') continue;
    const base = kerasSnakeCase(m.node.sourceClass);
    const n = used.has(base) ? used.get(base)! + 1 : 0;
    used.set(base, n);
    keys.set(m.node, n ? `${base}_${n}` : base);
  }
  return keys;
}

const layersOf = (g: H5.Group): H5.Group | undefined => {
  const layers = g.get('layers') ?? g.get('_layer_checkpoint_dependencies');
  return isH5Group(layers) ? layers : undefined;
};

/** Keras 3: `layers/<class key>/vars/<i>`, recursively for nested models. */
function readKeras3Level(tf: typeof tfc, layers: H5.Group, path: string, scope: string | undefined, analysis: Analysis, out: Reading): void {
  const members = membersOf(analysis, scope);
  const keys = leafKeys(members);
  const present = new Set(layers.keys());
  const consumed = new Set<string>();
  const readVars = (key: string, owner: string) => {
    const vars = layers.get(`${key}/vars`);
    if (!isH5Group(vars)) return;
    const names = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    for (const name of names) {
      const ds = vars.get(name);
      if (!isH5Dataset(ds)) continue;
      out.found.push({ owner, index: Number(name), origin: `${path}/${key}/vars/${name}`, tensor: datasetTensor(tf, out.h5, ds, `${path}/${key}/vars/${name}`) });
    }
  };
  for (const m of members) {
    if (m.kind !== 'leaf') continue;
    const key = [keys.get(m.node)!, m.node.layer].find((k) => present.has(k) && !consumed.has(k));
    if (!key) continue; // a layer with weights but no entry is reported as missing by bindWeights
    consumed.add(key);
    readVars(key, m.node.id);
  }
  const nested = members.filter((m): m is Extract<Member, { kind: 'model' }> => m.kind === 'model');
  const candidates = () => [...present].filter((k) => !consumed.has(k) && isH5Group(layers.get(k)) && layersOf(layers.get(k) as H5.Group));
  for (const { group } of nested) {
    const expected = [...leafKeys(membersOf(analysis, group.id)).values()].sort().join(',');
    const signature = (k: string) => {
      const inner = layersOf(layers.get(k) as H5.Group)!;
      return inner.keys().filter((c) => !layersOf(inner.get(c) as H5.Group)).sort().join(',');
    };
    const list = candidates();
    const key = list.find((k) => k === group.name) ?? list.find((k) => signature(k) === expected) ?? list[0];
    if (!key) continue;
    consumed.add(key);
    readKeras3Level(tf, layersOf(layers.get(key) as H5.Group)!, `${path}/${key}/layers`, group.id, analysis, out);
  }
  for (const key of present) {
    if (consumed.has(key)) continue;
    const vars = layers.get(`${key}/vars`);
    if (isH5Group(vars) && vars.keys().length) out.unplaced.push(`the file's ${path}/${key} (${vars.keys().length} variable${vars.keys().length === 1 ? '' : 's'}) matches no layer of the model`);
  }
}

/** Which Keras layout an HDF5 file has. */
export function kerasLayout(root: H5.Group): { layout: 'keras2'; group: H5.Group } | { layout: 'keras3'; layers: H5.Group } | undefined {
  const modelWeights = root.get('model_weights');
  if (isH5Group(modelWeights) && stringsAttr(modelWeights, 'layer_names')) return { layout: 'keras2', group: modelWeights };
  if (stringsAttr(root, 'layer_names')) return { layout: 'keras2', group: root };
  const layers = layersOf(root);
  if (layers) return { layout: 'keras3', layers };
  return undefined;
}

/** Reads Keras weights from HDF5 bytes (Keras 2 or Keras 3 layout) for the model. */
export async function readKerasHdf5(bytes: Uint8Array, model: Graph | Analysis, file: string, options: LoadOptions = {}): Promise<{ weights: LoadedWeights['weights']; layout: 'keras2' | 'keras3' }> {
  const tf = options.tf ?? tfcore;
  const analysis = asAnalysis(model);
  const slots = weightSlots(analysis);
  const found: FoundWeight[] = [];
  const unplaced: string[] = [];
  let layout: 'keras2' | 'keras3';
  try {
    await withHdf5(bytes, file, (h5) => {
      const out: Reading = { h5, found, unplaced };
      const kind = kerasLayout(h5.root);
      if (!kind) throw new WeightsError(file, [], `${file} is an HDF5 file but not Keras weights (no layer_names attribute, model_weights group or layers group)`);
      layout = kind.layout;
      if (kind.layout === 'keras2') readKeras2(tf, kind.group, analysis, slots, out);
      else readKeras3Level(tf, kind.layers, 'layers', undefined, analysis, out);
    });
  } catch (e) {
    for (const f of found) f.tensor.dispose();
    if (e instanceof WeightsError) throw e;
    if (e instanceof SourceError) throw new WeightsError(file, [], `${file}: ${e.reason}`);
    throw new WeightsError(file, [], `${file} cannot be read as HDF5 (${hdf5Reason(e)})`);
  }
  return { weights: bindWeights(analysis, found, file, unplaced), layout: layout! };
}


/** Loads a Keras 2 `.h5` (weights or full model), a Keras 3 `.weights.h5`, or a `.keras` archive. */
export async function loadKerasWeights(source: ModelSource, model: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> {
  const path = source.name;
  let bytes: Uint8Array;
  try {
    bytes = source.bytes();
  } catch (e) {
    throw new WeightsError(path, [], `${path} cannot be read (${e instanceof SourceError ? e.reason : (e as Error).message})`);
  }
  const name = baseName(path);
  if (isZip(bytes)) {
    // Only the one entry is unpacked, after the archive's names and declared sizes passed the checks.
    let h5: Uint8Array;
    try {
      const zip = openZip(bytes, path);
      const names = new Set(zip.entries.map((e) => e.name));
      if (!names.has('model.weights.h5')) {
        throw new WeightsError(path, [], names.has('model.weights.npz') ? `${path} stores its weights as model.weights.npz, which CNN Lens does not read; save with the default HDF5 weights` : `${path} holds no model.weights.h5: not a Keras 3 .keras archive`);
      }
      h5 = zip.read('model.weights.h5');
    } catch (e) {
      if (e instanceof SourceError) throw new WeightsError(path, [], `${e.file}: ${e.reason}`);
      throw e;
    }
    const { weights } = await readKerasHdf5(h5, model, `${path} (model.weights.h5)`, options);
    return { weights, source: `Keras 3 archive ${name} (model.weights.h5)` };
  }
  if (!isHdf5(bytes)) throw new WeightsError(path, [], `${path} is neither an HDF5 file nor a .keras archive`);
  const { weights, layout } = await readKerasHdf5(bytes, model, path, options);
  return { weights, source: layout === 'keras2' ? `Keras 2 HDF5 weights ${name}` : `Keras 3 weights ${name}` };
}
