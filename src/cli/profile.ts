import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BACKEND_PREFERENCES } from '../node/backend';
import { profileCsv, profileJson, profileModel, SUM_VS_WHOLE_EXPLANATION, type ProfileResult } from '../core/runtime/profile';
import { profileOnEngine } from '../node/engine/profile';
import { backendLine, guarded, openSession } from './run';
import { UsageError, type CommandResult } from './usage';

export const PROFILE_USAGE = `cnn-lens profile MODEL [--weights DIR|FILE|random] [--input IMAGE|TENSOR.npy]… [--backend NAME] [--threads N] [--runs N] [--warmup N] [--seed N] [--trace OUT.json] [--json | --csv]

  Times the model on a backend: warm-up runs, then N timed runs of the whole model (median, untapped)
  and N passes node by node (each layer's median and p10–p90), with each layer's share, GFLOP/s,
  the peak activation memory and the weight memory. The sum of the per-layer times is shown next to
  the whole-model time, with why they differ.
  --runs     timed runs (default 10)     --warmup  untimed runs first (default 2)
  --backend  ${BACKEND_PREFERENCES.join(' | ')} (default auto)
  --threads  ONNX Runtime's threads (default: every core)
  --trace    on ONNX Runtime: save its profiler's trace (Chrome trace JSON: Perfetto, chrome://tracing)
  --weights, --input, --seed as for cnn-lens run (default: weights next to the model, else seeded random)
  --json     {backend, runs, wholeModelMs, layers:[{name, type, ms, share, gflops, …}], peakActivationBytes, weightBytes, …}
  --csv      one row per layer

  Exit status: 0 ok, 1 the model has errors or cannot run, 2 usage, file, weights or backend errors.`;

const count = (text: string | undefined, what: string, fallback: number, min: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${what} "${text}" must be an integer ≥ ${min}`);
  return n;
};

export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

/** The engine's fused kernels, one line each: which layers share one kernel (shown once, by the kernel's first layer). */
function fusedLines(r: ProfileResult): string[] {
  const fused = r.layers.filter((l) => l.fusedWith?.length && !r.layers.some((o) => o.kernel === l.kernel && r.layers.indexOf(o) < r.layers.indexOf(l)));
  const removed = r.layers.filter((l) => l.kernel === '');
  return [
    ...(fused.length ? ['', 'Fused kernels (time shared by FLOPs):', ...fused.map((l) => `  ${l.kernel}: ${[l.name, ...l.fusedWith!].join(' + ')}`)] : []),
    ...(removed.length ? [`Layers the engine removed (no kernel): ${removed.map((l) => l.name).join(', ')}`] : []),
  ];
}

/** The human table: one row per layer (median, p10–p90, share, GFLOP/s), then the totals and the sum-vs-whole line. */
export function renderProfile(r: ProfileResult, head: readonly string[]): string {
  const rows = r.layers.map((l) => [l.name, l.type, l.ms.toFixed(3), `${l.p10Ms.toFixed(3)}–${l.p90Ms.toFixed(3)}`, `${(l.share * 100).toFixed(1)}%`, l.gflops ? l.gflops.toFixed(2) : '–']);
  const header = ['Layer', 'Type', 'Median ms', 'p10–p90 ms', 'Share', 'GFLOP/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const gap = r.sumOfLayersMs - r.wholeModelMs;
  const pct = r.wholeModelMs > 0 ? (gap / r.wholeModelMs) * 100 : 0;
  return [
    ...head,
    '',
    line(header),
    '-'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
    ...rows.map(line),
    ...(r.engineKernels?.length ? ['', `Engine kernels computing no layer (not in the sum): ${r.engineKernels.map((k) => `${k.name} (${k.op}) ${k.ms.toFixed(3)} ms`).join(', ')}`] : []),
    ...fusedLines(r),
    '',
    `Whole model (median of ${r.runs}, untapped): ${r.wholeModelMs.toFixed(2)} ms (p10–p90 ${r.wholeModelP10Ms.toFixed(2)}–${r.wholeModelP90Ms.toFixed(2)} ms)`,
    `Sum of per-layer medians: ${r.sumOfLayersMs.toFixed(2)} ms (${gap >= 0 ? '+' : ''}${gap.toFixed(2)} ms, ${pct >= 0 ? '+' : ''}${pct.toFixed(1)}% vs the whole model): ${r.sumVsWhole ?? SUM_VS_WHOLE_EXPLANATION}`,
    `Peak activation memory: ${humanBytes(r.peakActivationBytes)} (node outputs live at once; all outputs together: ${humanBytes(r.totalActivationBytes)})`,
    `Weight memory: ${humanBytes(r.weightBytes)}`,
  ].join('\n');
}

export async function profile(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weights: { type: 'string' },
      input: { type: 'string', multiple: true },
      seed: { type: 'string' },
      backend: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string' },
      trace: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `profile takes one model file, got ${positionals.length}: ${positionals.join(' ')}` : 'profile needs a model file');
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv');
  const runs = count(values.runs, 'runs', 10, 1);
  const warmup = count(values.warmup, 'warmup', 2, 0);
  const file = positionals[0];
  return guarded('profile', async () => {
    const session = await openSession({ file, weights: values.weights, inputs: values.input, seed: values.seed, backend: values.backend, threads: values.threads });
    if ('code' in session) return session;
    const { analysis, backend, weights, inputs, engine } = session;
    try {
      if (values.trace && !engine) throw new UsageError(`--trace saves ONNX Runtime's trace; ${file} runs on ${backend.name} (${backend.tried.filter((t) => !t.ok).map((t) => t.reason).join('; ')})`);
      let result: ProfileResult;
      if (engine) {
        const profiled = await profileOnEngine(analysis, engine.model, engine.inputs, { runs, warmup, backend: backend.name, session: { threads: backend.engine!.threads, providers: backend.engine!.providers } });
        result = profiled.result;
        if (values.trace) writeFileSync(values.trace, profiled.trace);
      } else {
        result = await profileModel(backend.tf, analysis, weights.weights, inputs.tensors, { runs, warmup, backend: backend.name });
      }
      const note = weights.random ? `cnn-lens profile: ${weights.source} (timings are still valid)` : '';
      if (values.json) {
        const doc = profileJson(result, { backendTried: backend.tried, weights: weights.source, randomWeights: weights.random, inputs: inputs.notes });
        return { stdout: JSON.stringify(doc, null, 2), stderr: note, code: 0 };
      }
      if (values.csv) return { stdout: profileCsv(result).trimEnd(), stderr: note, code: 0 };
      const head = [
        `Profile: ${analysis.graph.name} (${file}), ${runs} timed run${runs === 1 ? '' : 's'} after ${warmup} warm-up`,
        `Backend: ${backendLine(backend, values.backend)}`,
        `Weights: ${weights.source}${weights.random ? ' (timings are still valid)' : ''}`,
        ...inputs.notes.map((n) => `Input ${n}`),
        ...(values.trace ? [`Trace: ${values.trace} (ONNX Runtime's profiler, Chrome trace JSON: open it in Perfetto)`] : []),
      ];
      return { stdout: renderProfile(result, head), stderr: '', code: 0 };
    } finally {
      session.release();
    }
  });
}
