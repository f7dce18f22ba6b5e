import type { DType, WeightSpec } from '../../ir';
import { SourceError, type ModelSource, type SiblingFile } from '../source';

// Where a graph model's constants are: the `weightsManifest` of model.json lists groups of shard
// files (read as the model's siblings, concatenated in order) and, per group, the tensors in the
// order their bytes follow. Quantised tensors are stored as uint8 / uint16 (affine: value =
// scale·q + min) or float16; their stored bytes are what they cost on disk and in memory figures.

export interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/** One tensor's place: its group, its byte range in the group's concatenated shards, how it is stored. */
export interface ManifestEntry {
  readonly spec: WeightSpec;
  readonly group: number;
  readonly offset: number;
  readonly byteLength: number;
  /** The dtype of the stored bytes (the quantised dtype when quantised). */
  readonly stored: DType;
}

/** Bytes per stored element of the dtypes a manifest may hold; undefined for those TF.js cannot decode. */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, uint16: 2, float16: 2, uint8: 1, bool: 1 };

const storedDType = (spec: WeightSpec): string => spec.quantization?.dtype ?? spec.dtype;

/** The manifest's groups, checked for shape: undefined when there is none; a string naming what is wrong. */
export function manifestGroups(json: unknown): readonly ManifestGroup[] | string | undefined {
  const manifest = (json as { weightsManifest?: unknown })?.weightsManifest;
  if (manifest === undefined) return undefined;
  if (!Array.isArray(manifest)) return 'weightsManifest is not a list of groups';
  for (const [i, g] of manifest.entries()) {
    if (!g || !Array.isArray(g.paths) || !g.paths.every((p: unknown) => typeof p === 'string')) return `weightsManifest group ${i} has no list of shard paths`;
    if (!Array.isArray(g.weights)) return `weightsManifest group ${i} has no list of weights`;
    for (const w of g.weights) {
      if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0) || typeof w.dtype !== 'string') {
        return `weightsManifest group ${i} has an entry that is not {name, shape, dtype} (${JSON.stringify(w).slice(0, 80)})`;
      }
    }
  }
  return manifest as ManifestGroup[];
}

/** Every tensor of the manifest by name, with its byte range; a problem for each entry that cannot be placed. */
export function manifestLayout(groups: readonly ManifestGroup[]): { entries: Map<string, ManifestEntry>; problems: string[]; groupBytes: number[] } {
  const entries = new Map<string, ManifestEntry>();
  const problems: string[] = [];
  const groupBytes = groups.map((g, group) => {
    let offset = 0;
    for (const spec of g.weights) {
      const stored = storedDType(spec);
      const per = STORED_BYTES[stored];
      if (per === undefined) {
        problems.push(`weight "${spec.name}" is stored as ${stored}, which TF.js cannot decode (float32, int32, bool, or uint8/uint16/float16 quantised)`);
        return NaN; // the offsets of what follows in this group are unknown
      }
      const byteLength = spec.shape.reduce((p, d) => p * d, 1) * per;
      if (entries.has(spec.name)) problems.push(`weight "${spec.name}" is listed twice in weightsManifest`);
      else entries.set(spec.name, { spec, group, offset, byteLength, stored: stored as DType });
      offset += byteLength;
    }
    return offset;
  });
  return { entries, problems, groupBytes };
}

/** A group's shards opened (sizes known, nothing read yet), read as one run of bytes. */
export interface OpenGroup {
  readonly files: readonly SiblingFile[];
  /** The bytes the shards hold together. */
  readonly size: number;
  /** `length` bytes from `offset` of the concatenated shards, shard by shard. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Opens every shard of a group (a missing or refused one rejects with its SourceError). */
export async function openGroup(source: ModelSource, group: ManifestGroup): Promise<OpenGroup> {
  const files: SiblingFile[] = [];
  for (const path of group.paths) files.push(await source.sibling(path));
  const size = files.reduce((n, f) => n + f.size, 0);
  return {
    files,
    size,
    async read(offset, length) {
      if (offset + length > size) throw new SourceError(group.paths[group.paths.length - 1] ?? '(no shard)', `the shards ${group.paths.join(', ')} hold ${size} bytes, but bytes ${offset}–${offset + length} are needed: a shard is short`);
      const out = new Uint8Array(length);
      let start = 0; // where the current shard begins in the group
      for (const file of files) {
        const from = Math.max(offset, start);
        const to = Math.min(offset + length, start + file.size);
        if (to > from) out.set(await file.read(from - start, to - from), from - offset);
        start += file.size;
      }
      return out;
    },
  };
}
