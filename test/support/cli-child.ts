import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures';

// The CLI in a child process with its memory bounded (V8's heap by --max-old-space-size, the whole
// process measured by its peak resident size), as a user runs it: what it printed, its exit status,
// how long it took and how much memory it held at most. The hardening tests bound time and memory
// loosely with these (never a timed assertion of speed: a budget that only a runaway breaks).

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the whole child, its start (tsx compiling the CLI) included. */
  readonly ms: number;
  /** Time the command itself took, from after the CLI's modules loaded to the process's exit. */
  readonly workMs: number;
  /** Peak resident set of the child, in MiB (VmHWM, read by the child as it exits). */
  readonly peakMiB: number;
}

/** Budgets the issue sets: any input answered within 10 s and 1 GB, or refused with a reason. */
export const BUDGET = { ms: 10_000, peakMiB: 1024 } as const;

// Peak memory from /proc/self/status (VmHWM), not resourceUsage().maxRSS: Linux keeps the latter
// across exec, so a child of a large test process would report its parent's peak.
const WRAPPER = `
const { readFileSync, writeSync } = require('node:fs');
const peakKiB = () => { try { return Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } };
const cli = require(${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))});
const started = Date.now();
process.on('exit', () => { try { writeSync(3, JSON.stringify({ peakKiB: peakKiB(), workMs: Date.now() - started })); } catch {} });
cli.main(process.argv.slice(1));
`;

/** Runs `cnn-lens ARGS…`; the child is killed after `timeoutMs` (its result then says so). */
/**
 * Asserts the child answered within the budget: not killed, the peak memory under 1 GB, and the
 * command's time under three times the 10 s target (loose on purpose: test machines are shared and
 * slow; what this catches is a runaway, quadratic input that takes minutes).
 */
export function assertWithinBudget(r: ChildResult): void {
  if (r.signal) throw new Error(`killed (${r.signal}) after ${r.ms} ms: ${r.stderr.slice(0, 500)}`);
  if (!(r.workMs < 3 * BUDGET.ms)) throw new Error(`answered in ${r.workMs} ms, over three times the ${BUDGET.ms} ms budget`);
  if (!(r.peakMiB < BUDGET.peakMiB)) throw new Error(`peak memory ${r.peakMiB.toFixed(0)} MiB, over the ${BUDGET.peakMiB} MiB budget`);
}

export function runCliChild(args: readonly string[], options: { timeoutMs?: number; heapMiB?: number; cwd?: string } = {}): ChildResult {
  const started = Date.now();
  const run = spawnSync(process.execPath, [`--max-old-space-size=${options.heapMiB ?? 1024}`, '--require', 'tsx/cjs', '-e', WRAPPER, '--', ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Date.now() - started;
  let peakMiB = NaN;
  let workMs = NaN;
  try {
    const said = JSON.parse(String(run.output[3] ?? ''));
    peakMiB = said.peakKiB / 1024;
    workMs = said.workMs;
  } catch {
    // killed before it could say
  }
  return { code: run.status, signal: run.signal, stdout: run.stdout ?? '', stderr: run.stderr ?? '', ms, workMs, peakMiB };
}
