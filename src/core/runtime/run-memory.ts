import type { Analysis } from '../analysis/types';
import { bytes as formatBytes } from '../analysis/units';
import { ExecutionError } from './executor';
import { planRun } from './run-plan';

// Whether a run fits in memory, said before it starts: a model too big for the backend would
// otherwise fail deep inside a kernel ("Array buffer allocation failed") or take the host down.
// The estimate follows the executor's own plan: weights, plus the activations alive at the worst
// moment (a node's output while its inputs are still held). Identity ops share their input's
// tensor in the executor but count twice here: the estimate errs on the safe side.

export interface RunMemory {
  readonly weightBytes: number;
  /** The most activation bytes alive at once, and the node whose run reaches it. */
  readonly peakActivationBytes: number;
  readonly peakAt: string | undefined;
  readonly totalBytes: number;
}

export function estimateRunMemory(analysis: Analysis, taps?: 'all' | readonly string[]): RunMemory {
  const { order, reads, kept } = planRun(analysis.graph, taps);
  const left = new Map(reads);
  const bytes = (id: string): number => analysis.byId.get(id)?.activationBytes ?? 0;
  let live = 0;
  let peak = 0;
  let peakAt: string | undefined;
  for (const node of order) {
    live += bytes(node.id);
    if (live > peak) [peak, peakAt] = [live, node.id];
    for (const ref of node.inputs) {
      const n = left.get(ref.node)! - 1;
      left.set(ref.node, n);
      if (n === 0 && !kept.has(ref.node)) live -= bytes(ref.node);
    }
    if (!left.get(node.id) && !kept.has(node.id)) live -= bytes(node.id);
  }
  const weightBytes = analysis.totals.weightBytes;
  return { weightBytes, peakActivationBytes: peak, peakAt, totalBytes: weightBytes + peak };
}

/** What a backend can hold: bytes, and in words where the limit comes from. */
export interface MemoryLimit {
  readonly bytes: number;
  readonly what: string;
}

/** A run refused before it starts because it would not fit. */
export class RunMemoryError extends ExecutionError {
  constructor(node: string, message: string, readonly memory: RunMemory) {
    super(node, message);
    this.name = 'RunMemoryError';
  }
}

/** Throws a RunMemoryError naming the file, the model, the peak layer and the way out when the run cannot fit. */
export function assertRunFits(analysis: Analysis, file: string, limit: MemoryLimit, taps?: 'all' | readonly string[]): RunMemory {
  const m = estimateRunMemory(analysis, taps);
  if (m.totalBytes <= limit.bytes) return m;
  const at = m.peakAt ? `, at their peak while ${m.peakAt} runs` : '';
  throw new RunMemoryError(m.peakAt ?? analysis.graph.name,
    `${file}: ${analysis.graph.name} is too big to run here: it needs about ${formatBytes(m.totalBytes)} (weights ${formatBytes(m.weightBytes)} + activations ${formatBytes(m.peakActivationBytes)}${at}), more than ${limit.what} (${formatBytes(limit.bytes)}). Lower the batch size or the input size, or use a backend with more memory.`,
    m);
}
