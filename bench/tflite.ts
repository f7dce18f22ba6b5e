// npm run bench:tflite: opening a .tflite file, CNN Lens against a bare flatbuffers table walk. For
// MobileNet v1 (float32 and int8, written by scripts/tflite/export_fixtures.py) and MediaPipe's face
// detectors (npm): our parse + analysis + report, next to a walk over the same file with the same
// generated reader that touches every table CNN Lens reads (operator codes, buffers, every tensor's
// shape, type, name and quantisation, every operator's inputs, outputs and options type) and builds
// nothing: the floor any reader of this format pays. Interleaved runs, medians (wall and CPU time).
//   BENCH_RUNS (timed runs per measurement, default 15)
import * as flatbuffers from 'flatbuffers';
import { existsSync, readFileSync } from 'node:fs';
import { analyze } from '../src/core/analysis/analyze';
import { buildReport } from '../src/core/analysis/report';
import { parseSource } from '../src/core/formats/registry';
import { bytesSource } from '../src/core/formats/source';
import { Model } from '../src/core/formats/tflite/schema_generated';
import { median } from '../src/core/runtime/profile';
import { readTfliteIndex, tfliteFixturePath } from '../test/support/tflite-fixtures';
import { timed, type Time } from './timing';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** Every table and vector CNN Lens reads, read and dropped. */
function tableWalk(bytes: Uint8Array): number {
  const m = Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes));
  let touched = 0;
  for (let i = 0; i < m.operatorCodesLength(); i++) touched += m.operatorCodes(i)!.builtinCode();
  for (let i = 0; i < m.buffersLength(); i++) touched += m.buffers(i)!.dataLength();
  const g = m.subgraphs(0)!;
  for (let i = 0; i < g.tensorsLength(); i++) {
    const t = g.tensors(i)!;
    touched += (t.shapeArray()?.length ?? 0) + t.type() + t.buffer() + (t.name()?.length ?? 0) + (t.quantization()?.scaleArray()?.length ?? 0);
  }
  for (let i = 0; i < g.operatorsLength(); i++) {
    const o = g.operators(i)!;
    touched += (o.inputsArray()?.length ?? 0) + (o.outputsArray()?.length ?? 0) + o.builtinOptionsType();
  }
  return touched;
}

const ours = (name: string, bytes: Uint8Array) => buildReport(analyze(parseSource(bytesSource(name, bytes))));

async function main(): Promise<void> {
  const files = Object.keys(readTfliteIndex().files).filter((f) => /mobilenet|face_detection/.test(f) && existsSync(tfliteFixturePath(f)));
  console.log(`TFLite open: CNN Lens parse + analysis + report vs a flatbuffers table walk (same generated reader), median of ${RUNS} interleaved runs\n`);
  console.log(`${'file'.padEnd(44)}${'size'.padStart(10)}${'tensors'.padStart(9)}${'ours ms'.padStart(10)}${'(cpu)'.padStart(8)}${'walk ms'.padStart(10)}${'(cpu)'.padStart(8)}${'ratio'.padStart(8)}`);
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(tfliteFixturePath(file)));
    const tensors = Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes)).subgraphs(0)!.tensorsLength();
    ours(file, bytes); // warm-up: the first call compiles
    tableWalk(bytes);
    const a: Time[] = [];
    const b: Time[] = [];
    for (let r = 0; r < RUNS; r++) {
      a.push(await timed(() => ours(file, bytes)));
      b.push(await timed(() => tableWalk(bytes)));
    }
    const [ms, cpu, wms, wcpu] = [median(a.map((t) => t.ms)), median(a.map((t) => t.cpuMs)), median(b.map((t) => t.ms)), median(b.map((t) => t.cpuMs))];
    console.log(`${file.padEnd(44)}${`${(bytes.length / 2 ** 20).toFixed(2)} MB`.padStart(10)}${String(tensors).padStart(9)}${ms.toFixed(2).padStart(10)}${cpu.toFixed(1).padStart(8)}${wms.toFixed(2).padStart(10)}${wcpu.toFixed(1).padStart(8)}${`${(ms / wms).toFixed(0)}×`.padStart(8)}`);
  }
}

void main();
