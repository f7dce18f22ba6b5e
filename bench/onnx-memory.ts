// The memory half of `npm run bench:onnx`, run by it in a fresh process per reader (so neither
// inherits the other's heap):  tsx --expose-gc bench/onnx-memory.ts FILE.onnx ours|onnxruntime
// `ours` does what the extension host does on open: the file's bytes, parse + analysis, the report
// it posts to the webview. Prints one JSON line: the report's size, heap and RSS growth (MB).
import * as ort from 'onnxruntime-node';
import { existsSync, readFileSync } from 'node:fs';
import { buildReport } from '../src/core/analysis/report';
import { analyze } from '../src/core/analysis/analyze';
import { parseSource } from '../src/core/formats/registry';
import { bytesSource } from '../src/core/formats/source';

const MB = 2 ** 20;

/**
 * This process's RSS high-water mark in bytes (Linux: VmHWM), or NaN elsewhere. Not
 * resourceUsage().maxRSS: Linux keeps that across exec, so a child spawned by a large parent
 * starts with the parent's peak.
 */
function peakRss(): number {
  if (!existsSync('/proc/self/status')) return NaN;
  const kB = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kB ? Number(kB) * 1024 : NaN;
}

function settled(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  const [file, reader] = process.argv.slice(2);
  const bytes = readFileSync(file);
  const read = settled();
  const t0 = performance.now();
  let reportChars: number | undefined;
  let keep: unknown;
  if (reader === 'ours') {
    const analysis = analyze(parseSource(bytesSource(file, bytes)));
    reportChars = JSON.stringify(buildReport(analysis)).length;
    keep = analysis; // what the host holds while the diagram is open
  } else {
    keep = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  }
  const ms = performance.now() - t0;
  const done = settled();
  console.log(JSON.stringify({
    reader,
    fileMB: bytes.byteLength / MB,
    ms,
    reportChars,
    // Growth past the file's own bytes (already in memory: the host reads them to open the file).
    heapGrowthMB: (done.heapUsed - read.heapUsed) / MB,
    rssGrowthMB: (done.rss - read.rss) / MB,
    // The high-water mark above the RSS once the file was read: transient use included.
    peakGrowthMB: (peakRss() - read.rss) / MB,
    held: keep !== undefined, // read after the last measurement, so the collector cannot free it before
  }));
}

main();
