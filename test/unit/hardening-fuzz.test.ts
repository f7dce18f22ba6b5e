import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../../src/cli/main';
import { analyze, buildReport } from '../../src/core';
import { parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { BUDGET } from '../support/cli-child';
import { FIXTURES, MODELS } from '../support/fixtures';
import { hostileDir } from '../support/hostile-files';
import { disposeWeights, WeightsError } from '../../src/core/runtime/weights';
import { loadWeights } from '../../src/node/weights-files';

// Issue 12: a seeded mutator (fixed seed, so a failure reproduces) over every model file the
// project has: the zoo's Keras JSON, the Keras 3 and TF.js fixtures, and the ONNX fixture. Each
// mutant goes through the formats' parse and the analysis (which promise never to throw) and
// through `cnn-lens summary` (exit 0, 1 or 2, no stack trace), each within the time budget.

const SEED = 20261204;
const CASES = 300;

/** mulberry32: a small seeded generator, so every run mutates the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();
/** Tokens that have broken parsers: deep nesting, control characters, absurd and non-positive numbers, formulas. */
const TOKENS = ['[[[[[[[[[[[[', '{"a":', ']]]]}}}}', '"\u001b[31m\\n"', '-1', '0', '1e999', '-1e308', 'null', '{}', '[]', '"=1+1"', '\u0000', '"__keras_tensor__"', '4294967295'].map((t) => encoder.encode(t));

function mutate(input: Uint8Array, next: () => number): Uint8Array {
  const at = () => Math.floor(next() * (input.length + 1));
  const pick = Math.floor(next() * 6);
  const bytes = Uint8Array.from(input);
  switch (pick) {
    case 0: // flip a few bytes
      for (let k = 0; k < 1 + next() * 8; k++) bytes[Math.min(bytes.length - 1, at())] = Math.floor(next() * 256);
      return bytes;
    case 1: // truncate
      return bytes.subarray(0, at());
    case 2: {
      // delete a range
      const from = at();
      return concat(bytes.subarray(0, from), bytes.subarray(Math.min(bytes.length, from + Math.floor(next() * 4096))));
    }
    case 3: {
      // duplicate a range in place (repeated layers, repeated protobuf fields)
      const from = at();
      const range = bytes.subarray(from, from + Math.floor(next() * 8192));
      return concat(bytes.subarray(0, from), range, range, bytes.subarray(from));
    }
    case 4: {
      // a hostile token
      const from = at();
      return concat(bytes.subarray(0, from), TOKENS[Math.floor(next() * TOKENS.length)], bytes.subarray(from));
    }
    default: {
      // a number replaced by a zero, a negative or an absurd one (strides, filters, dims)
      const text = new TextDecoder().decode(bytes);
      const numbers = [...text.matchAll(/\d+/g)];
      if (!numbers.length) return bytes;
      const n = numbers[Math.floor(next() * numbers.length)];
      const replacement = ['0', '-3', '99999999', '1e400', '2147483648'][Math.floor(next() * 5)];
      return encoder.encode(text.slice(0, n.index) + replacement + text.slice(n.index! + n[0].length));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const SEEDS: readonly string[] = [
  ...readdirSync(MODELS).filter((f) => f.endsWith('.json')).map((f) => join(MODELS, f)),
  join(FIXTURES, 'keras3_functional.json'),
  join(FIXTURES, 'keras3_sequential.json'),
  join(FIXTURES, 'multi_io.json'),
  join(FIXTURES, 'assorted.json'),
  join(FIXTURES, 'tfjs_multi_io', 'model.json'),
  join(FIXTURES, 'onnx', 'tiny_cnn.onnx'),
];

describe('hardening: fuzzing every model file (seeded mutator)', () => {
  it(`${CASES} mutants: no exception escapes, every answer within the budget`, async () => {
    const next = random(SEED);
    const dir = hostileDir('fuzz');
    const originals = SEEDS.map((f) => ({ name: f.replace(/^.*[\\/]/, ''), bytes: new Uint8Array(readFileSync(f)) }));
    const codes = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const original = originals[i % originals.length];
      let bytes = mutate(original.bytes, next);
      if (next() < 0.3) bytes = mutate(bytes, next); // sometimes two mutations
      const what = `case ${i} (seed ${SEED}, a mutant of ${original.name})`;
      const started = Date.now();
      try {
        const graph = parseSource(bytesSource(original.name, bytes));
        buildReport(analyze(graph));
      } catch (e) {
        const file = join(dir, `failing-${i}-${original.name}`);
        writeFileSync(file, bytes);
        assert.fail(`${what}: parse or analysis threw ${(e as Error).stack}; the mutant is ${file}`);
      }
      const file = join(dir, `${i}-${original.name}`);
      writeFileSync(file, bytes);
      const r = await runCliAsync(['summary', file]);
      const ms = Date.now() - started;
      assert.ok([0, 1, 2].includes(r.code), `${what}: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
      assert.doesNotMatch(r.stderr, /\n\s+at .*\(/, `${what}: a stack trace`);
      assert.ok(ms < BUDGET.ms, `${what}: ${ms} ms`);
      assert.ok(process.memoryUsage().heapUsed < BUDGET.peakMiB * 1024 * 1024, `${what}: heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    }
    // The mutants are not all refused at the door: some still parse to models with or without errors.
    assert.ok((codes.get(1) ?? 0) > CASES / 10, `exit codes ${JSON.stringify([...codes])}`);
    assert.ok((codes.get(0) ?? 0) > 0, `exit codes ${JSON.stringify([...codes])}`);
  });

  it('60 mutants of the Keras weight files (HDF5, .keras): loaded or refused with a WeightsError, nothing else', async () => {
    const next = random(SEED + 1);
    const dir = hostileDir('fuzz-weights');
    const cases = [
      { weights: 'multi_io.weights.h5', model: 'multi_io.json' },
      { weights: 'multi_io.keras2.h5', model: 'multi_io.json' },
      { weights: 'keras3_functional.keras', model: 'keras3_functional.json' },
    ].map((c) => ({ ...c, bytes: new Uint8Array(readFileSync(join(FIXTURES, 'weights', c.weights))), analysis: analyze(parseSource(bytesSource(c.model, readFileSync(join(FIXTURES, c.model))))) }));
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < 60; i++) {
      const c = cases[i % cases.length];
      const file = join(dir, `${i}-${c.weights}`);
      writeFileSync(file, mutate(c.bytes, next));
      const started = Date.now();
      try {
        disposeWeights((await loadWeights(file, c.analysis)).weights);
        outcomes.loaded++;
      } catch (e) {
        assert.ok(e instanceof WeightsError, `case ${i} (a mutant of ${c.weights}, kept at ${file}): ${(e as Error).stack}`);
        assert.doesNotMatch(e.message, /HDF5-DIAG/, 'one line, not the HDF5 error stack');
        outcomes.refused++;
      }
      assert.ok(Date.now() - started < BUDGET.ms, `case ${i}: ${Date.now() - started} ms`);
    }
    // Some mutants still load (a flipped weight value is still a weight), most are refused.
    assert.ok(outcomes.refused > 0 && outcomes.loaded > 0, JSON.stringify(outcomes));
  });
});
