import type { TensorShape } from '../ir';
import { bytes, grouped, human } from './units';

// The model's totals as text, said the same way everywhere they show (the diagram's totals bar, the
// status bar, the CodeLens, the hover, the CLI's summary): a total that leaves out layers CNN Lens
// could not count is a lower bound and says so ("≥ 25.56M params · 3 layers unknown"), never a
// plain number that reads as exact; weights by the dtype they are stored in, with the float32 size
// at run time apart where it differs.

/** What the texts need of a layer: a ModelReport's layers, or an analysis's (see describe.ts). */
export interface LayerFacts {
  readonly name: string;
  readonly type: string;
  readonly outputShape: TensorShape | null;
  /** The stored tensors it reads (graph formats): its parameters are counted from them even when its op is unknown. */
  readonly weights?: readonly unknown[];
}

export interface TotalsFacts {
  readonly totals: { readonly params: number | null; readonly macs: number | null; readonly flops: number | null; readonly weightBytes: number | null; readonly activationBytes: number | null };
  readonly memory: { readonly weightBytesByDtype: Readonly<Record<string, number>>; readonly runtimeWeightBytes?: number };
  readonly layers: readonly LayerFacts[];
}

export interface Unknowns {
  /** Layers whose costs CNN Lens could not count: an op it does not know, or no output shape (an error upstream or here). */
  readonly layers: readonly string[];
  /** True when some of them may hold parameters that are not counted. */
  readonly params: boolean;
}

export function unknownsOf(facts: Pick<TotalsFacts, 'layers'>): Unknowns {
  const layers = facts.layers.filter((l) => l.type === 'Unknown' || l.outputShape === null);
  return { layers: layers.map((l) => l.name), params: layers.some((l) => !l.weights?.length) };
}

/** "25.56M", or "≥ 25.56M" where the total leaves layers out. */
export const atLeast = (text: string, partial: boolean): string => (partial && text !== '?' ? `≥ ${text}` : text);

/** "3 layers unknown" (empty when none). */
export const unknownNote = (u: Unknowns): string => (u.layers.length ? `${u.layers.length} layer${u.layers.length === 1 ? '' : 's'} unknown` : '');

/** "97.5 MiB (float32)", "2.4 MiB (uint8)", or "12.1 MiB (int8 11.9 MiB, float32 196 KiB)": as stored, largest dtype first. */
export function storedWeightsText(facts: TotalsFacts, partial = false): string {
  const entries = Object.entries(facts.memory.weightBytesByDtype).filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1]);
  const total = atLeast(bytes(facts.totals.weightBytes), partial);
  if (entries.length <= 1) return `${total} (${entries[0]?.[0] ?? 'float32'})`;
  return `${total} (${entries.map(([dtype, b]) => `${dtype} ${bytes(b)}`).join(', ')})`;
}

/** "9.5 MiB float32 at run time", where the weights are stored otherwise and decoded to run; else empty. */
export const runtimeWeightsText = (facts: TotalsFacts): string => (facts.memory.runtimeWeightBytes === undefined ? '' : `${bytes(facts.memory.runtimeWeightBytes)} float32 at run time`);

/** The totals, one phrase each: ["≥ 25.56M params", "≥ 4.09G MACs", "≥ 8.2G FLOPs", "97.5 MiB weights (float32)", "3 layers unknown"]. */
export function totalsPhrases(facts: TotalsFacts): string[] {
  const u = unknownsOf(facts);
  const t = facts.totals;
  const partialCosts = u.layers.length > 0;
  const runtime = runtimeWeightsText(facts);
  const note = unknownNote(u);
  return [
    `${atLeast(human(t.params), u.params)} params`,
    `${atLeast(human(t.macs), partialCosts)} MACs`,
    `${atLeast(human(t.flops), partialCosts)} FLOPs`,
    `${atLeast(bytes(t.weightBytes), u.params)} weights${runtime ? ` (${runtime})` : ''}`,
    ...(note ? [note] : []),
  ];
}

/** The one-line totals of the CodeLens and the status bar's tooltip. */
export const totalsText = (facts: TotalsFacts): string => totalsPhrases(facts).join(' · ');

/** "25,557,032", or "≥ 25,557,032" (exact digits, for tables and tooltips). */
export const atLeastGrouped = (n: number | null, partial: boolean): string => atLeast(grouped(n), partial);
