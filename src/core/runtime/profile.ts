import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import type { IRNode } from '../ir';
import { getOp } from '../ops';
import { execute } from './executor';
import { weightsFor, type WeightMap } from './weight-map';
import { yieldToEventLoop } from './yield';

// The profiler: how long the model and each of its layers take on a backend, and how much memory
// the run holds.
//
// - Whole model: `warmup` untapped runs of the executor, then `runs` timed ones; each timed run ends
//   when the outputs' values have been read back (`await data()`), so asynchronous backends are
//   measured to completion. `wholeModelMs` is the median.
// - Per layer: the graph is run node by node with the same kernels (OpDef.run), and after each node
//   the backend is synchronised, so that a node's time is its own work. On cpu and wasm the kernels
//   run to completion on the calling thread before they return, so the node's wall time is already
//   its compute time and no extra sync is added (measured on resnet18/wasm: an extra read-back per
//   node added ~20%, an awaited `data()` ~45%). On the other backends (tfjs-node, tfjs-node-gpu,
//   webgl), which may queue work, one element of the node's output is read back (`dataSync` of a
//   1-element slice: the read copies almost nothing, but the host waits for the device). Each
//   layer's `ms` is the median over `runs` such passes, with p10 and p90 as the spread.
// - Why the sum of the layers differs from the whole-model time: the per-node sync stops the backend
//   from overlapping one node's work with the next node's dispatch (on a GPU, the device idles while
//   the host waits at every node), each sync adds a small op and a read-back, and the per-node timer
//   and bookkeeping add a little. On cpu and wasm the gap is small (timer overhead, cache effects,
//   noise); on a GPU it can be large. Both figures are reported, with the gap.
// - `gflops` is the node's FLOPs (analysis, see README's counting conventions) / its ms / 1e6.
// - `peakActivationBytes`: the largest sum of live node outputs during one run, simulated from the
//   analysis with the executor's own freeing order (an output is freed after its last reader; the
//   inputs and the model's outputs live throughout; pass-through ops — Dropout, Identity, Flatten,
//   Reshape — share their input's buffer). Kernel-internal scratch memory is not counted.

export interface LayerProfile {
  readonly name: string;
  readonly type: string;
  /** Median of the node's own time, ms. */
  readonly ms: number;
  /** ms / the sum of every layer's ms. */
  readonly share: number;
  /** Achieved GFLOP/s: the node's FLOPs / ms / 1e6; 0 where the node does no arithmetic or took no measurable time. */
  readonly gflops: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly flops: number;
  /** On an engine with its own profiler: the engine's kernel this layer's time comes from (absent where the engine removed the layer). */
  readonly kernel?: string;
  /** The other layers that kernel computes too (fused with this one); the kernel's time is shared among them by FLOPs. */
  readonly fusedWith?: readonly string[];
}

/** A kernel an engine ran that computes no layer of the model (a layout conversion it inserted). */
export interface EngineKernelProfile {
  readonly name: string;
  readonly op: string;
  readonly ms: number;
}

export interface ProfileResult {
  readonly backend: string;
  readonly runs: number;
  /** Median untapped forward pass, ms (outputs read back). */
  readonly wholeModelMs: number;
  readonly layers: LayerProfile[];
  readonly peakActivationBytes: number;
  readonly weightBytes: number;
  readonly warmup: number;
  readonly wholeModelP10Ms: number;
  readonly wholeModelP90Ms: number;
  /** The sum of the layers' median ms. */
  readonly sumOfLayersMs: number;
  /** Sum of each node's output bytes (the upper bound peakActivationBytes is compared with). */
  readonly totalActivationBytes: number;
  /** Why the per-layer sum differs from the whole-model time on this backend; default SUM_VS_WHOLE_EXPLANATION. */
  readonly sumVsWhole?: string;
  /** Kernels attributed to no layer (their medians): not in the per-layer sum. */
  readonly engineKernels?: readonly EngineKernelProfile[];
}

export interface ProfileProgress {
  readonly phase: 'warm-up' | 'whole model' | 'per layer';
  /** Runs done of `total` in this phase. */
  readonly done: number;
  readonly total: number;
  /** 0–1 over the whole profile. */
  readonly fraction: number;
}

export interface ProfileOptions {
  /** Timed runs (whole model and per layer each); default 10. */
  readonly runs?: number;
  /** Untimed runs first (each: one whole and one per-layer pass); default 2. */
  readonly warmup?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ProfileProgress) => void;
  /** The backend's name for the result (chooseBackend's `name`); default tf.getBackend(). */
  readonly backend?: string;
}

/** One line for the UI and the CLI: why the per-layer sum differs from the whole-model time. */
export const SUM_VS_WHOLE_EXPLANATION =
  'each layer is timed alone, with the backend synchronised after it (on cpu and wasm kernels finish before returning; elsewhere one element is read back), which stops work between layers from overlapping and adds a timer and bookkeeping per layer; the whole-model time runs without those syncs';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The q-quantile (0–1) of the values, by linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Ops whose output is their input's tensor, or a view of its buffer (tfjs reshape shares the data). */
const PASS_THROUGH = new Set(['Input', 'Dropout', 'Identity', 'Flatten', 'Reshape']);

/** The nodes a run of the model's outputs executes, in order. */
function executedNodes(analysis: Analysis): IRNode[] {
  const byId = new Map(analysis.graph.nodes.map((n) => [n.id, n]));
  const needed = new Set<string>();
  const stack = analysis.graph.outputs.map((r) => r.node);
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const ref of byId.get(id)?.inputs ?? []) stack.push(ref.node);
  }
  return analysis.graph.nodes.filter((n) => needed.has(n.id));
}

/** Peak live activation bytes of one untapped run, simulated with the executor's freeing order (see the header). */
export function peakActivationBytes(analysis: Analysis): number {
  const order = executedNodes(analysis);
  const kept = new Set(analysis.graph.outputs.map((r) => r.node));
  const reads = new Map<string, number>();
  for (const node of order) for (const ref of node.inputs) reads.set(ref.node, (reads.get(ref.node) ?? 0) + 1);
  const bufferOf = new Map<string, number>();
  const bytes: number[] = [];
  const holders: number[] = [];
  const pinned = new Set<number>(); // the caller's inputs: never freed by the run
  let live = 0;
  let peak = 0;
  const release = (id: string) => {
    const b = bufferOf.get(id);
    if (b === undefined) return;
    bufferOf.delete(id);
    if (--holders[b] === 0 && !pinned.has(b)) live -= bytes[b];
  };
  for (const node of order) {
    const size = analysis.byId.get(node.id)?.activationBytes ?? 0;
    const source = node.op !== 'Input' && PASS_THROUGH.has(node.op) && node.inputs.length === 1 ? bufferOf.get(node.inputs[0].node) : undefined;
    if (source !== undefined) {
      holders[source]++;
      bufferOf.set(node.id, source);
    } else {
      const b = bytes.push(size) - 1;
      holders.push(1);
      if (node.op === 'Input') pinned.add(b);
      bufferOf.set(node.id, b);
      live += size;
    }
    peak = Math.max(peak, live);
    for (const ref of node.inputs) {
      const left = reads.get(ref.node)! - 1;
      reads.set(ref.node, left);
      if (left === 0 && !kept.has(ref.node)) release(ref.node);
    }
    if (!reads.get(node.id) && !kept.has(node.id)) release(node.id);
  }
  return peak;
}

/** Backends whose kernels finish before they return: no sync is needed to time a node. */
export const SYNCHRONOUS_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/** Waits until the backend has computed `t`: reads back one element (nothing for empty tensors). */
function sync(tf: typeof tfc, t: tfc.Tensor): void {
  if (t.size === 0) return;
  const one = tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]));
  try {
    one.dataSync();
  } finally {
    one.dispose();
  }
}

const YIELD_MS = 16;

/**
 * One pass node by node with a sync after each; returns each node's ms. Assumes the graph runs
 * (the caller ran `execute` once first, which checks shapes and weights with clear messages).
 */
async function layerPass(tf: typeof tfc, analysis: Analysis, order: readonly IRNode[], weights: WeightMap, inputs: readonly tfc.Tensor[], signal?: AbortSignal): Promise<Map<string, number>> {
  const fed = new Map(analysis.graph.inputs.map((id, i) => [id, inputs[i]]));
  const kept = new Set(analysis.graph.outputs.map((r) => r.node));
  const reads = new Map<string, number>();
  for (const node of order) for (const ref of node.inputs) reads.set(ref.node, (reads.get(ref.node) ?? 0) + 1);
  const values = new Map<string, tfc.Tensor>();
  const holders = new Map<tfc.Tensor, number>();
  const callerOwned = new Set<tfc.Tensor>(inputs);
  const release = (id: string) => {
    const t = values.get(id);
    if (!t) return;
    values.delete(id);
    const left = (holders.get(t) ?? 1) - 1;
    if (left > 0) holders.set(t, left);
    else {
      holders.delete(t);
      if (!callerOwned.has(t)) t.dispose();
    }
  };
  const times = new Map<string, number>();
  const needsSync = !SYNCHRONOUS_BACKENDS.has(tf.getBackend());
  let lastYield = now();
  try {
    for (const node of order) {
      if (now() - lastYield > YIELD_MS) {
        await yieldToEventLoop();
        lastYield = now();
      }
      if (signal?.aborted) throw signal.reason ?? new Error('profiling was cancelled');
      const op = getOp(node.op)!;
      const ins = node.op === 'Input' ? [fed.get(node.id)!] : node.inputs.map((r) => values.get(r.node)!);
      const w = weightsFor(weights, node) ?? {};
      const start = now();
      const out = tf.tidy(() => op.run!(tf, ins, w, node.attrs));
      if (needsSync) sync(tf, out);
      times.set(node.id, now() - start);
      values.set(node.id, out);
      holders.set(out, (holders.get(out) ?? 0) + 1);
      for (const ref of node.inputs) {
        const left = reads.get(ref.node)! - 1;
        reads.set(ref.node, left);
        if (left === 0 && !kept.has(ref.node)) release(ref.node);
      }
      if (!reads.get(node.id) && !kept.has(node.id)) release(node.id);
    }
  } finally {
    for (const t of new Set(values.values())) if (!callerOwned.has(t)) t.dispose();
  }
  return times;
}

/** Profiles the model on the active backend of `tf`. `inputs` stay the caller's. */
export async function profileModel(tf: typeof tfc, analysis: Analysis, weights: WeightMap, inputs: readonly tfc.Tensor[], options: ProfileOptions = {}): Promise<ProfileResult> {
  const runs = Math.max(1, Math.floor(options.runs ?? 10));
  const warmup = Math.max(0, Math.floor(options.warmup ?? 2));
  const { signal } = options;
  const order = executedNodes(analysis);
  const totalSteps = warmup + 2 * runs;
  let step = 0;
  const progress = (phase: ProfileProgress['phase'], done: number, total: number) => options.onProgress?.({ phase, done, total, fraction: step / totalSteps });

  const whole = async (): Promise<number> => {
    const start = now();
    const { outputs } = await execute(tf, analysis, weights, inputs, { signal });
    try {
      await Promise.all(outputs.map((o) => o.data()));
    } finally {
      for (const o of outputs) o.dispose();
    }
    return now() - start;
  };

  for (let i = 0; i < warmup; i++) {
    progress('warm-up', i, warmup);
    await whole();
    await layerPass(tf, analysis, order, weights, inputs, signal);
    step++;
  }
  if (warmup === 0) await whole(); // at least one untimed pass: it checks the graph, weights and inputs
  const wholeTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    progress('whole model', i, runs);
    wholeTimes.push(await whole());
    step++;
  }
  const perNode = new Map<string, number[]>(order.map((n) => [n.id, []]));
  for (let i = 0; i < runs; i++) {
    progress('per layer', i, runs);
    const times = await layerPass(tf, analysis, order, weights, inputs, signal);
    for (const [id, ms] of times) perNode.get(id)!.push(ms);
    step++;
  }
  progress('per layer', runs, runs);

  const timed = order.map((node) => ({ node, times: perNode.get(node.id)! }));
  return summarizeProfile(analysis, timed, wholeTimes, { backend: options.backend ?? tf.getBackend(), runs, warmup });
}

/**
 * The profile every engine reports, from each layer's timed runs and the whole-model runs: medians,
 * p10–p90, shares of the per-layer sum, GFLOP/s, memory. `extra` adds an engine's own fields to a row
 * (ONNX Runtime's kernel and the layers fused with it).
 */
export function summarizeProfile(
  analysis: Analysis,
  timed: readonly { readonly node: IRNode; readonly times: readonly number[] }[],
  wholeTimes: readonly number[],
  run: { readonly backend: string; readonly runs: number; readonly warmup: number },
  extra?: (i: number) => Partial<LayerProfile>,
): ProfileResult {
  const medians = timed.map((t) => median(t.times));
  const sum = medians.reduce((a, b) => a + b, 0);
  const layers = timed.map(({ node, times }, i): LayerProfile => {
    const ms = medians[i];
    const flops = analysis.byId.get(node.id)?.flops ?? 0;
    return {
      name: node.id,
      type: node.sourceClass,
      ms,
      share: sum > 0 ? ms / sum : 1 / timed.length,
      gflops: ms > 0 ? flops / ms / 1e6 : 0,
      p10Ms: quantile(times, 0.1),
      p90Ms: quantile(times, 0.9),
      flops,
      ...extra?.(i),
    };
  });
  return {
    backend: run.backend,
    runs: run.runs,
    wholeModelMs: median(wholeTimes),
    layers,
    peakActivationBytes: peakActivationBytes(analysis),
    weightBytes: analysis.totals.weightBytes,
    warmup: run.warmup,
    wholeModelP10Ms: quantile(wholeTimes, 0.1),
    wholeModelP90Ms: quantile(wholeTimes, 0.9),
    sumOfLayersMs: sum,
    totalActivationBytes: timed.reduce((s, t) => s + (analysis.byId.get(t.node.id)?.activationBytes ?? 0), 0),
  };
}

/** The documented JSON: `{backend, runs, wholeModelMs, layers:[{name, type, ms, share, gflops}], peakActivationBytes, weightBytes}`, then extras. */
export function profileJson(r: ProfileResult, extra: Record<string, unknown> = {}) {
  return {
    backend: r.backend,
    runs: r.runs,
    wholeModelMs: r.wholeModelMs,
    layers: r.layers.map((l) => ({ name: l.name, type: l.type, ms: l.ms, share: l.share, gflops: l.gflops, p10Ms: l.p10Ms, p90Ms: l.p90Ms, flops: l.flops, ...(l.kernel !== undefined ? { kernel: l.kernel } : {}), ...(l.fusedWith?.length ? { fusedWith: l.fusedWith } : {}) })),
    peakActivationBytes: r.peakActivationBytes,
    weightBytes: r.weightBytes,
    warmup: r.warmup,
    wholeModelP10Ms: r.wholeModelP10Ms,
    wholeModelP90Ms: r.wholeModelP90Ms,
    sumOfLayersMs: r.sumOfLayersMs,
    sumVsWhole: r.sumVsWhole ?? SUM_VS_WHOLE_EXPLANATION,
    totalActivationBytes: r.totalActivationBytes,
    ...(r.engineKernels ? { engineKernels: r.engineKernels } : {}),
    ...extra,
  };
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One row per layer: layer,type,ms,p10_ms,p90_ms,share,gflops,flops. */
export function profileCsv(r: ProfileResult): string {
  const rows = r.layers.map((l) => [csvField(l.name), csvField(l.type), l.ms.toFixed(4), l.p10Ms.toFixed(4), l.p90Ms.toFixed(4), l.share.toFixed(6), l.gflops.toFixed(3), String(l.flops)].join(','));
  return ['layer,type,ms,p10_ms,p90_ms,share,gflops,flops', ...rows].join('\n') + '\n';
}
