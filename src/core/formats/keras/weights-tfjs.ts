import * as tfcore from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../../analysis/types';
import { baseName, SourceError, type ModelSource } from '../source';
import type { Graph, WeightSpec } from '../../ir';
import { asAnalysis, bindWeights, weightSlots, WeightsError, type FoundWeight, type LoadedWeights, type LoadOptions, type WeightSlot } from '../../runtime/weights';

// TF.js layers weights: the `weightsManifest` of model.json lists groups of shard files (paths
// relative to model.json's folder, read as the source's siblings, concatenated in order) and, per group, the tensors in the
// order their bytes follow. Values are decoded by tfjs-core's own `io.decodeWeights` (float32,
// int32, and the uint8 / uint16 affine and float16 quantisations), one spec at a time so that two
// tensors with the same name cannot overwrite each other.

interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/** Bytes one element of a spec takes in the shard (the quantised dtype when quantised). */
function bytesPerElement(spec: WeightSpec, file: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'uint16':
    case 'float16':
      return 2;
    case 'uint8':
    case 'bool':
      return 1;
    default:
      throw new WeightsError(file, [], `${file}: weight "${spec.name}" has dtype ${dtype}, which CNN Lens cannot decode (float32, int32, bool, or uint8/uint16/float16 quantised)`);
  }
}

/** Decodes one manifest group from its concatenated shards. */
export function decodeGroup(tf: typeof tfc, buffer: ArrayBuffer, specs: readonly WeightSpec[], file: string): { spec: WeightSpec; tensor: tfc.Tensor }[] {
  const out: { spec: WeightSpec; tensor: tfc.Tensor }[] = [];
  let offset = 0;
  try {
    for (const spec of specs) {
      const size = spec.shape.reduce((p, d) => p * d, 1) * bytesPerElement(spec, file);
      if (offset + size > buffer.byteLength) {
        throw new WeightsError(file, [], `${file}: the shards hold ${buffer.byteLength} bytes, but weight "${spec.name}" ${JSON.stringify(spec.shape)} needs bytes ${offset}–${offset + size}: a shard is missing or truncated`);
      }
      const decoded = tf.io.decodeWeights(buffer.slice(offset, offset + size), [spec as tfc.io.WeightsManifestEntry]);
      out.push({ spec, tensor: decoded[spec.name] });
      offset += size;
    }
  } catch (e) {
    for (const o of out) o.tensor.dispose();
    throw e;
  }
  if (offset !== buffer.byteLength) {
    for (const o of out) o.tensor.dispose();
    throw new WeightsError(file, [], `${file}: the shards hold ${buffer.byteLength} bytes, the manifest accounts for ${offset}: shards and manifest do not belong together`);
  }
  return out;
}

/**
 * Maps a manifest name (`conv1/kernel`, `features/f_conv/kernel`, `model/conv1/kernel`,
 * `conv1/kernel_1`) onto an owner node and an op weight name.
 */
export function placeTfjsName(name: string, slots: ReadonlyMap<string, WeightSlot>, byLayer: ReadonlyMap<string, string[]>): { owner: string; weight: string } | undefined {
  const parts = name.split('/');
  const weight = parts.pop()!;
  let owner: string | undefined;
  // The longest tail of the path that is a node id (`features/f_conv`), then the layer's own name.
  for (let k = 0; k < parts.length && !owner; k++) {
    const id = parts.slice(k).join('/');
    if (slots.has(id)) owner = id;
  }
  if (!owner && parts.length) {
    const candidates = byLayer.get(parts[parts.length - 1]) ?? [];
    if (candidates.length === 1) owner = candidates[0];
  }
  if (!owner) return undefined;
  const declared = slots.get(owner)?.declared?.map((w) => w.name);
  // tfjs-layers uniquifies variable names with a suffix (`kernel_1`) when a name was used before.
  const plain = weight.replace(/_\d+$/, '');
  return { owner, weight: declared && !declared.includes(weight) && declared.includes(plain) ? plain : weight };
}

/** The shards of one group as one buffer, in order (decodeWeights reads a group's tensors across shard boundaries). */
function concatBytes(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/** Most elements one tensor may have: what a framework indexes with 32-bit integers. */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * The manifest as the file has it, checked entry by entry before any shard is opened: groups with a
 * list of shard paths and of weights, each weight a name, a shape of non-negative integers, a dtype,
 * and quantisation parameters that are finite numbers. The error names the entry that is wrong.
 */
export function checkManifest(raw: unknown, file: string): ManifestGroup[] {
  const fail = (where: string, what: string): never => {
    throw new WeightsError(file, [], `${file}: weightsManifest${where} ${what}`);
  };
  if (!Array.isArray(raw)) return fail('', 'is not a list of weight groups');
  raw.forEach((group: unknown, g) => {
    const at = `[${g}]`;
    if (typeof group !== 'object' || group === null) fail(at, 'is not an object with "paths" and "weights"');
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) fail(`${at}.paths`, 'is not a list of file names');
    if (!Array.isArray(weights)) return fail(`${at}.weights`, 'is not a list of weights');
    weights.forEach((w: unknown, k) => {
      const where = `${at}.weights[${k}]`;
      const spec = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
      if (typeof spec.name !== 'string') fail(where, 'has no name');
      const named = `${where} ("${String(spec.name)}")`;
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) fail(named, `has shape ${JSON.stringify(spec.shape)}, not a list of non-negative integers`);
      const elements = (spec.shape as number[]).reduce((p, d) => p * d, 1);
      if (elements > MAX_TENSOR_ELEMENTS) fail(named, `has ${elements.toLocaleString('en-US')} elements, more than a tensor can hold (2^31 − 1)`);
      if (typeof spec.dtype !== 'string') fail(named, 'has no dtype');
      const q = spec.quantization as Record<string, unknown> | undefined;
      if (q !== undefined) {
        if (typeof q !== 'object' || q === null || typeof q.dtype !== 'string') fail(named, 'has a quantization without a dtype');
        for (const key of ['scale', 'min']) {
          if (q[key] !== undefined && (typeof q[key] !== 'number' || !Number.isFinite(q[key]))) fail(named, `has quantization ${key} ${JSON.stringify(q[key])}, not a finite number: its values would be NaN or infinite`);
        }
      }
    });
  });
  return raw as ManifestGroup[];
}

const describeQuantisation = (specs: readonly WeightSpec[]): string => {
  const kinds = new Set(specs.map((s) => (s.quantization ? `${s.quantization.dtype}-quantised` : s.dtype)));
  return [...kinds].join(', ');
};

/** Reads the weights next to a TF.js layers model.json: its shards are the source's siblings. */
export async function loadTfjsWeights(source: ModelSource, model: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> {
  const tf = options.tf ?? tfcore;
  const analysis = asAnalysis(model);
  const modelJsonPath = source.name;
  const name = baseName(modelJsonPath);
  let json: { weightsManifest?: ManifestGroup[] };
  try {
    json = JSON.parse(source.text());
  } catch (e) {
    throw new WeightsError(modelJsonPath, [], `${modelJsonPath}: cannot read the weights manifest (${(e as Error).message})`);
  }
  if (json.weightsManifest === undefined) throw new WeightsError(modelJsonPath, [], `${modelJsonPath} has no weightsManifest: a TF.js model.json without weights`);
  const manifest = checkManifest(json.weightsManifest, modelJsonPath);

  const slots = weightSlots(analysis);
  const byLayer = new Map<string, string[]>();
  for (const [id, slot] of slots) byLayer.set(slot.node.layer, [...(byLayer.get(slot.node.layer) ?? []), id]);

  const found: FoundWeight[] = [];
  const unplaced: string[] = [];
  let files = 0;
  try {
    for (const group of manifest) {
      const shards: Uint8Array[] = [];
      const expected = group.weights.reduce((n, spec) => n + spec.shape.reduce((p, d) => p * d, 1) * bytesPerElement(spec, modelJsonPath), 0);
      let held = 0;
      for (const p of group.paths) {
        try {
          const shard = await source.sibling(p);
          // Sizes first: shards larger than the manifest accounts for are not read at all.
          held += shard.size;
          if (held > expected) throw new WeightsError(modelJsonPath, [], `${modelJsonPath}: the shards of weight group ${group.paths.join(', ')} hold more than the ${expected.toLocaleString('en-US')} bytes its manifest accounts for: shards and manifest do not belong together`);
          shards.push(await shard.read());
        } catch (e) {
          if (!(e instanceof SourceError)) throw e;
          throw new WeightsError(modelJsonPath, [], `${modelJsonPath}: weight shard ${p} cannot be read (${e.reason})`);
        }
        files++;
      }
      const buffer = concatBytes(shards);
      for (const { spec, tensor } of decodeGroup(tf, buffer, group.weights, `${name} (${group.paths.join(', ')})`)) {
        const place = placeTfjsName(spec.name, slots, byLayer);
        if (!place) {
          unplaced.push(`the file's weight "${spec.name}" ${JSON.stringify(spec.shape)} matches no layer of the model`);
          tensor.dispose();
          continue;
        }
        found.push({ owner: place.owner, name: place.weight, origin: `"${spec.name}"`, tensor });
      }
    }
  } catch (e) {
    for (const f of found) f.tensor.dispose();
    throw e;
  }
  const weights = bindWeights(analysis, found, modelJsonPath, unplaced);
  const specs = manifest.flatMap((g) => g.weights);
  return { weights, source: `TF.js shards next to ${name} (${files} file${files === 1 ? '' : 's'}, ${describeQuantisation(specs)})` };
}
