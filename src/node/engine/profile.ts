import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analysis } from '../../core';
import { median, summarizeProfile, type EngineKernelProfile, type ProfileOptions, type ProfileProgress, type ProfileResult } from '../../core/runtime/profile';
import { planRun } from '../../core/runtime/run-plan';
import type { EngineModel } from './engine-model';
import { EngineSession, type EngineSessionOptions } from './session';
import type { EngineTensor } from './tensors';
import { attributeTrace, type TraceEvent } from './trace-attribution';

// Profile Model on ONNX Runtime, timed by ORT's own profiler:
// - Whole model: `runs` untapped runs of a plain session (no profiler), each timed from the call to
//   its outputs in hand; the median, p10 and p90.
// - Per layer: `runs` runs of a second session with ORT's profiler on; each kernel's time is the
//   profiler's, attributed to layers by trace-attribution.ts (fused kernels shared by FLOPs), the
//   median and spread over the runs.
// The raw trace (Chrome trace JSON: chrome://tracing, Perfetto) is handed back for saving.

export const ENGINE_SUM_VS_WHOLE_EXPLANATION =
  "per-layer times are ONNX Runtime's own kernel times from its profiler (the run is not interrupted between layers; a kernel that fuses several layers is shared among them by FLOPs); the whole-model time, measured without the profiler, also holds the session's work between kernels (feeding inputs, allocating and copying outputs, waking the thread pool) and kernels that compute no layer (layout conversions, listed apart)";

export interface EngineProfileOptions extends Omit<ProfileOptions, 'backend'> {
  readonly backend: string;
  readonly session?: EngineSessionOptions;
}

export interface EngineProfile {
  readonly result: ProfileResult;
  /** ORT's trace of the profiled runs (warm-up included), Chrome trace JSON. */
  readonly trace: string;
}

/** Reads the one trace file ORT wrote under `dir`. */
function readTrace(dir: string): { text: string; events: TraceEvent[] } {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
  const text = readFileSync(join(dir, file), 'utf8');
  return { text, events: JSON.parse(text) as TraceEvent[] };
}

export async function profileOnEngine(analysis: Analysis, model: EngineModel, inputs: readonly EngineTensor[], options: EngineProfileOptions): Promise<EngineProfile> {
  const runs = Math.max(1, Math.floor(options.runs ?? 10));
  const warmup = Math.max(0, Math.floor(options.warmup ?? 2));
  const { signal } = options;
  const { graph } = analysis;
  const totalSteps = warmup + 2 * runs;
  let step = 0;
  const progress = (phase: ProfileProgress['phase'], done: number, total: number) => options.onProgress?.({ phase, done, total, fraction: step / totalSteps });

  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-ort-profile-'));
  let plain: EngineSession | undefined;
  let profiled: EngineSession | undefined;
  try {
    plain = await EngineSession.create(graph, model, options.session);
    profiled = await EngineSession.create(graph, model, { ...options.session, profileFilePrefix: join(dir, 'ort') });
    const profiledWarmup = Math.max(1, warmup);
    for (let i = 0; i < profiledWarmup; i++) {
      progress('warm-up', i, warmup);
      await plain.run(inputs, { signal });
      await profiled.run(inputs, { signal });
      if (i < warmup) step++;
    }
    const wholeTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      progress('whole model', i, runs);
      const start = performance.now();
      await plain.run(inputs, { signal });
      wholeTimes.push(performance.now() - start);
      step++;
    }
    for (let i = 0; i < runs; i++) {
      progress('per layer', i, runs);
      await profiled.run(inputs, { signal });
      step++;
    }
    progress('per layer', runs, runs);
    profiled.session.endProfiling();
    const { text, events } = readTrace(dir);
    const attribution = attributeTrace(graph, events, model.layerValues, profiledWarmup);

    const flopsOf = (id: string): number => analysis.byId.get(id)?.flops ?? 0;
    /** A layer's share of its kernel: by FLOPs, equal where none count any. */
    const shareOf = (id: string, layers: readonly string[]): number => {
      const total = layers.reduce((s, l) => s + flopsOf(l), 0);
      return total > 0 ? flopsOf(id) / total : 1 / layers.length;
    };
    const order = planRun(graph).order.filter((n) => n.op !== 'Constant' && n.op !== 'Input');
    const perLayer = order.map((node) => {
      const kernel = attribution.kernelOf.get(node.id);
      const layers = kernel ? attribution.kernels.get(kernel)!.layers : [];
      const share = kernel ? shareOf(node.id, layers) : 0;
      const times = attribution.runs.map((r) => (kernel ? (r.get(kernel) ?? 0) * share : 0));
      return { node, kernel, fusedWith: layers.filter((l) => l !== node.id), times };
    });
    const engineKernels: EngineKernelProfile[] = [...attribution.kernels.values()]
      .filter((k) => !k.layers.length)
      .map((k) => ({ name: k.kernel, op: k.op, ms: median(attribution.runs.map((r) => r.get(k.kernel) ?? 0)) }));
    const summary = summarizeProfile(analysis, perLayer, wholeTimes, { backend: options.backend, runs, warmup }, (i) => ({
      kernel: perLayer[i].kernel ?? '',
      ...(perLayer[i].fusedWith.length ? { fusedWith: perLayer[i].fusedWith } : {}),
    }));
    const result: ProfileResult = { ...summary, sumVsWhole: ENGINE_SUM_VS_WHOLE_EXPLANATION, engineKernels };
    return { result, trace: text };
  } finally {
    await plain?.release();
    await profiled?.release();
    rmSync(dir, { recursive: true, force: true });
  }
}
