// How the benchmarks time one run: wall time and this process's CPU time. On backends that compute on
// this thread (wasm, cpu, our parser) the CPU time moves less with other processes' load than the wall time.
// No forced gc() between runs: V8 finishes a forced collection on helper threads, during the next timed run.

export interface Time {
  readonly ms: number;
  readonly cpuMs: number;
}

export async function timed(fn: () => unknown): Promise<Time> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}
