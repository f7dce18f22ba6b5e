import type { Diagnostic, Graph, IRTensor } from '../../ir';
import { SourceError, type ModelSource } from '../source';
import { manifestGroups, manifestLayout, openGroup, type ManifestEntry, type ManifestGroup } from './manifest';
import type { ConstantValues } from './parse';

// What a graph model's shards say, read through the source's siblings: the values of its small
// operand constants (the parse needs them for Reshape's shape, Pad's paddings, Mean's axes), the
// problems their sizes show (a missing or short shard), and a constant's stored bytes.

/** Constants of at most this many elements are operands worth folding (shapes, axes, paddings); weights are larger. */
const MAX_OPERAND_ELEMENTS = 64;

interface Manifest {
  readonly groups: readonly ManifestGroup[];
  readonly entries: ReadonlyMap<string, ManifestEntry>;
  readonly groupBytes: readonly number[];
}

const manifests = new WeakMap<ModelSource, Manifest | undefined>();

/** The model's manifest, read once per source; undefined where it has none (or one the parse reports as broken). */
function manifestOf(source: ModelSource): Manifest | undefined {
  if (manifests.has(source)) return manifests.get(source);
  let manifest: Manifest | undefined;
  try {
    const groups = manifestGroups(JSON.parse(source.text()));
    if (groups && typeof groups !== 'string') manifest = { groups, ...manifestLayout(groups) };
  } catch {
    manifest = undefined; // not JSON: the parse says so
  }
  manifests.set(source, manifest);
  return manifest;
}

const isOperand = (e: ManifestEntry): boolean => !e.spec.quantization && (e.spec.dtype === 'int32' || e.spec.dtype === 'float32') && e.spec.shape.reduce((p, d) => p * d, 1) <= MAX_OPERAND_ELEMENTS;

/** Operands closer than this share one read: a read per constant costs more than the bytes between them (measured: 600 reads, 0.8 s). */
const MAX_GAP = 64 * 1024;

/** The entries in order of their bytes, in runs of nearby ones to read at once. */
function coalesce(entries: readonly ManifestEntry[]): { from: number; to: number; entries: ManifestEntry[] }[] {
  const runs: { from: number; to: number; entries: ManifestEntry[] }[] = [];
  for (const e of [...entries].sort((p, q) => p.offset - q.offset)) {
    const last = runs[runs.length - 1];
    if (last && e.offset - last.to <= MAX_GAP) {
      last.to = Math.max(last.to, e.offset + e.byteLength);
      last.entries.push(e);
    } else runs.push({ from: e.offset, to: e.offset + e.byteLength, entries: [e] });
  }
  return runs;
}

/** Little-endian int32 or float32 values of a stored tensor's bytes. */
function decode(bytes: Uint8Array, dtype: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => (dtype === 'int32' ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true)));
}

/**
 * The values of the small int32 / float32 constants, read from the shards (a few bytes each). Groups
 * whose shards cannot be read are passed over: checkFiles reports them, and the parse leaves those
 * operands as static inputs.
 */
export async function readOperandValues(source: ModelSource): Promise<ConstantValues> {
  const manifest = manifestOf(source);
  const values = new Map<string, number[]>();
  if (!manifest) return values;
  for (const [index, group] of manifest.groups.entries()) {
    const wanted = [...manifest.entries.values()].filter((e) => e.group === index && isOperand(e));
    if (!wanted.length) continue;
    try {
      const open = await openGroup(source, group);
      for (const run of coalesce(wanted.filter((e) => e.offset + e.byteLength <= open.size))) {
        const bytes = await open.read(run.from, run.to - run.from);
        for (const e of run.entries) values.set(e.spec.name, decode(bytes.subarray(e.offset - run.from, e.offset - run.from + e.byteLength), e.spec.dtype));
      }
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
    }
  }
  return values;
}

/** The Const nodes (by the weights they hold) a byte range of a group covers, for messages. */
const weightsIn = (manifest: Manifest, group: number, from: number): string[] =>
  [...manifest.entries.values()].filter((e) => e.group === group && e.offset + e.byteLength > from).map((e) => e.spec.name);

const listed = (names: readonly string[]): string => `${names.slice(0, 3).map((n) => `"${n}"`).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;

/** A shard that is missing, refused, or too short for the weights the manifest puts in it: by the sizes alone. */
export async function checkShards(source: ModelSource, graph: Graph): Promise<Diagnostic[]> {
  const manifest = manifestOf(source);
  if (!manifest) return [];
  const out: Diagnostic[] = [];
  const report = (message: string, node?: string) => out.push({ severity: 'error', code: 'weights-file', message: `${source.name}: ${node ? `${node}: ` : ''}${message}`, node: node && graph.nodes.some((n) => n.id === node) ? node : undefined });
  for (const [index, group] of manifest.groups.entries()) {
    const need = manifest.groupBytes[index];
    try {
      const open = await openGroup(source, group);
      if (Number.isFinite(need) && open.size < need) {
        const cut = weightsIn(manifest, index, open.size);
        report(`weight shards ${group.paths.join(', ')} hold ${open.size} bytes, but the manifest stores ${need} bytes in them: a shard is short (truncated), so ${listed(cut)} cannot be read`, cut[0]);
      } else if (Number.isFinite(need) && open.size > need) {
        report(`weight shards ${group.paths.join(', ')} hold ${open.size} bytes, but the manifest accounts for ${need}: the shards and model.json do not belong together`);
      }
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      const names = group.weights.map((w) => w.name);
      report(`weight shard ${e.file} cannot be read (${e.reason}), so ${listed(names)} have no values`, names[0]);
    }
  }
  return out;
}

/** A constant's stored bytes (quantised ones as stored), from its group's shards. */
export async function tfjsGraphTensorBytes(source: ModelSource, _graph: Graph, tensor: IRTensor): Promise<Uint8Array> {
  const entry = manifestOf(source)?.entries.get(tensor.name);
  if (!entry) throw new SourceError(source.name, `tensor "${tensor.name}" has no entry in weightsManifest`);
  const open = await openGroup(source, manifestOf(source)!.groups[entry.group]);
  return open.read(entry.offset, entry.byteLength);
}
