// How long the extension host's main thread stalls while a big model is analysed: in process (what
// the host did before the analysis worker) against the worker (src/node/analysis), for generated
// models of 10k, 30k and 60k layers (scripts/large-model.ts, one layer per line as a file holds them).
// The stall is the longest gap between 5 ms timer ticks of the calling thread; in the worker it is
// what remains on the main thread: posting the text and receiving the analysis (a structured clone).
//
//   npm run bench:worker
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { analyzeText } from '../src/core';
import { AnalysisWorker } from '../src/node/analysis/analysis-worker';
import { largeModelText } from '../scripts/large-model';

/** Runs `fn`, returning its wall time and the longest stall of this thread's timers meanwhile. */
async function stalls(fn: () => unknown): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  await fn();
  const ms = performance.now() - t0 - 20;
  await new Promise((r) => setTimeout(r, 20)); // the tick that ends the last stall
  clearInterval(timer);
  return { ms, stallMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-bench-worker-'));
  const script = join(dir, 'analysis-worker.js');
  await esbuild.build({ entryPoints: ['src/node/analysis/worker.ts'], outfile: script, bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], minify: true, logLevel: 'warning' });
  const worker = new AnalysisWorker(script);
  await worker.analyze('warm', { name: 'warm.json', text: largeModelText(100) });
  console.log('layers   text      in process: wall = stall    worker: wall   main-thread stall');
  for (const layers of [10_000, 30_000, 60_000]) {
    const text = largeModelText(layers);
    const here = await stalls(() => analyzeText(text, 'big.json'));
    const there = await stalls(() => worker.analyze('big', { name: 'big.json', text }));
    console.log(`${String(layers).padStart(6)}  ${(text.length / 2 ** 20).toFixed(1).padStart(5)} MB   ${here.ms.toFixed(0).padStart(8)} ms = ${here.stallMs.toFixed(0).padStart(5)} ms   ${there.ms.toFixed(0).padStart(10)} ms   ${there.stallMs.toFixed(0).padStart(8)} ms`);
  }
  worker.dispose();
  rmSync(dir, { recursive: true, force: true });
}

void main();
