import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze, type Analysis } from '../core';
import { parseSourceWithFiles } from '../core/formats/registry';
import { BACKEND_PREFERENCES, chooseBackend, describeBackend, memoryLimit, type BackendPreference, type ChosenBackend } from '../node/backend';
import { assertRunFits } from '../core/runtime/run-memory';
import { execute, ExecutionError } from '../core/runtime/executor';
import { choosePreset, prepareInputs, PRESET_NAMES, resolveRunWeights, type PreparedInputs, type RunWeights } from '../core/runtime/preprocess';
import { IMAGENET_CLASSES, outputClasses, type Labels } from '../core/runtime/labels';
import { topK } from '../core/runtime/thumbnails';
import { disposeWeights } from '../core/runtime/weights';
import { resolveLabels } from '../node/label-files';
import { weightsSource } from '../node/weights-files';
import { engineModelFor, type EngineModel } from '../node/engine/engine-model';
import { engineInputs } from '../node/engine/previews';
import { EngineSession } from '../node/engine/session';
import type { EngineTensor } from '../node/engine/tensors';
import { openModelFile, readInputFile } from './files';
import { UsageError, type CommandResult } from './usage';
import { isFileError } from './failures';
import { escapeControl } from '../core/text/escape';

export const RUN_USAGE = `cnn-lens run MODEL [--weights DIR|FILE|random] [--input IMAGE|TENSOR.npy]… [--seed N] [--backend NAME] [--threads N] [--preprocess PRESET] [--labels FILE] [--json]

  Runs the model once and prints its outputs (the top 5 classes for 1000-class classifiers).
  --weights     a TF.js model.json (its shards), a Keras .h5 / .weights.h5 / .keras file, a folder holding one,
                or "random"; default: the weights next to the model, else seeded random ones (said in the output)
  --input       a PNG/JPEG (resized and preprocessed for the model) or a .npy array (fed as is, shape checked);
                repeat for a model with several inputs, in order; default: seeded random input
  --seed        seed for random weights and inputs (default 0)
  --backend     ${BACKEND_PREFERENCES.join(' | ')} (default auto: the best that runs: ONNX Runtime
                for ONNX files, else tfjs-node-gpu, tfjs-node, wasm, cpu; the output says why)
  --threads     ONNX Runtime's threads (default: every core)
  --preprocess  ${PRESET_NAMES.join(' | ')} (default: the zoo model's own, else unit = [0, 1])
  --labels      class names, one per line (default: labels.txt next to the model, else the ImageNet
                names in media/labels/imagenet.txt for an output of 1000 classes)
  --json        {backend, outputs:[{name, shape, values}]} plus where weights and inputs came from

  Exit status: 0 ok, 1 the model has errors or cannot run, 2 usage, file, weights or backend errors.`;

/** Outputs with more elements than this are printed in --json without their values. */
export const MAX_JSON_VALUES = 100_000;

/** What run and profile both need: the parsed model, a backend, weights and inputs. Dispose with `release`. */
export interface Session {
  readonly file: string;
  readonly analysis: Analysis;
  readonly backend: ChosenBackend;
  readonly weights: RunWeights;
  readonly inputs: PreparedInputs;
  /** Set when the backend is ONNX Runtime: the model it runs and the inputs as its arrays. */
  readonly engine?: { readonly model: EngineModel; readonly inputs: EngineTensor[] };
  readonly release: () => void;
}

export interface SessionArgs {
  readonly file: string;
  readonly weights?: string;
  readonly inputs?: readonly string[];
  readonly seed?: string;
  readonly backend?: string;
  readonly preprocess?: string;
  readonly threads?: string;
}

/** The backend line: what ran, why better ones were not used, or that it was named with --backend. */
export function backendLine(backend: ChosenBackend, preference: string | undefined): string {
  return preference && preference !== 'auto' ? `${backend.name} (chosen with --backend ${preference}; the others were not tried)` : describeBackend(backend);
}

export function parseThreads(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads "${text}" must be an integer ≥ 1`);
  return n;
}

/** The weights line of a model that runs on ONNX Runtime from its own file. */
const ONNX_OWN_WEIGHTS = "the ONNX file's own initializers";

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return 0;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed "${text}" must be a non-negative integer`);
  return seed;
}

/** Opens a model for running; returns an exit-1 result when the model has errors. */
export async function openSession(a: SessionArgs): Promise<Session | CommandResult> {
  const seed = parseSeed(a.seed);
  if (a.backend === 'webgl' || a.backend === 'webgpu') throw new UsageError(`--backend "${a.backend}" runs only in VS Code's diagram webview (setting cnnLens.backend); the command line runs in Node: choose one of ${BACKEND_PREFERENCES.join(', ')}`);
  if (a.backend !== undefined && !BACKEND_PREFERENCES.includes(a.backend as BackendPreference)) throw new UsageError(`--backend "${a.backend}": choose one of ${BACKEND_PREFERENCES.join(', ')}`);
  if (a.preprocess !== undefined && !PRESET_NAMES.includes(a.preprocess as never)) throw new UsageError(`--preprocess "${a.preprocess}": choose one of ${PRESET_NAMES.join(', ')}`);
  const model = openModelFile(a.file);
  const inputFiles = (a.inputs ?? []).map(readInputFile);
  if (a.weights && a.weights !== 'random' && !existsSync(a.weights)) throw new UsageError(`cannot read ${a.weights}: no such file or folder (give a weights file, a folder, or "random")`);
  const analysis = analyze(await parseSourceWithFiles(model));
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { stdout: '', stderr: errors.map((d) => `${a.file}: error: ${escapeControl(d.message)}`).join('\n') + `\n${a.file}: the model has errors; it cannot run`, code: 1 };
  const threads = parseThreads(a.threads);
  if (analysis.graph.format === 'onnx' && a.weights) throw new UsageError(`--weights: ${a.file} is an ONNX file and carries its own weights`);
  const weightsFrom = a.weights === 'random' ? 'random' : a.weights ? weightsSource(a.weights) : undefined;
  // On ONNX Runtime the weights are read once, on tfjs's CPU backend, into the exported model.
  let engine: { model: EngineModel; weights: RunWeights } | undefined;
  const prepareEngine = async (tf: ChosenBackend['tf']): Promise<string | undefined> => {
    assertRunFits(analysis, a.file, memoryLimit('onnxruntime'));
    let weights: RunWeights = { weights: new Map(), source: ONNX_OWN_WEIGHTS, random: false };
    const made = await engineModelFor(analysis, { bytes: () => model.bytes(), weights: async () => (weights = await resolveRunWeights(tf, analysis, model, weightsFrom, seed)).weights });
    disposeWeights(weights.weights); // in the exported model now
    if ('reason' in made) return made.reason;
    engine = { model: made, weights: { ...weights, weights: new Map() } };
    return undefined;
  };
  const backend = await chooseBackend((a.backend ?? 'auto') as BackendPreference, { prepareEngine, threads });
  const { tf } = backend;
  assertRunFits(analysis, a.file, memoryLimit(backend));
  const weights: RunWeights = engine?.weights ?? (await resolveRunWeights(tf, analysis, model, weightsFrom, seed));
  let inputs: PreparedInputs;
  try {
    const choice = choosePreset(analysis.graph.name, a.file, a.preprocess);
    inputs = prepareInputs(tf, analysis, inputFiles, choice, seed);
  } catch (e) {
    disposeWeights(weights.weights);
    if (e instanceof Error && !isFileError(e) && /^(cannot read|the model takes|.*: the model's input)/.test(e.message)) throw new UsageError(e.message);
    throw e;
  }
  return {
    file: a.file,
    analysis,
    backend,
    weights,
    inputs,
    ...(engine ? { engine: { model: engine.model, inputs: engineInputs(inputs.tensors) } } : {}),
    release: () => {
      for (const t of inputs.tensors) t.dispose();
      disposeWeights(weights.weights);
    },
  };
}

/** Wraps an async command: file, weights, image, .npy and backend problems exit 2, execution errors exit 1. */
export async function guarded(command: string, body: () => Promise<CommandResult>): Promise<CommandResult> {
  try {
    return await body();
  } catch (e) {
    if (isFileError(e) && !(e instanceof UsageError)) return { stdout: '', stderr: `cnn-lens ${command}: ${(e as Error).message}`, code: 2 };
    if (e instanceof ExecutionError) return { stdout: '', stderr: `cnn-lens ${command}: ${e.message}`, code: 1 };
    throw e;
  }
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(4) : v.toFixed(5));

/** Runs the session's model once on its backend: every output's shape and values. */
async function forwardPass(session: Session): Promise<{ shape: readonly number[]; values: Float32Array | Int32Array | Uint8Array }[]> {
  const { analysis, backend, weights, inputs, engine } = session;
  if (engine) {
    const ort = await EngineSession.create(analysis.graph, engine.model, { threads: backend.engine!.threads, providers: backend.engine!.providers }).catch((e: Error) => {
      throw new ExecutionError(analysis.graph.name, `ONNX Runtime cannot load ${session.file}: ${e.message}`);
    });
    try {
      const { outputs } = await ort.run(engine.inputs).catch((e: Error) => {
        throw new ExecutionError(analysis.graph.name, `ONNX Runtime cannot run ${session.file}: ${e.message}`);
      });
      return outputs.map((o) => ({ shape: o.shape, values: o.data }));
    } finally {
      await ort.release();
    }
  }
  const { outputs } = await execute(backend.tf, analysis, weights.weights, inputs.tensors);
  try {
    const data = await Promise.all(outputs.map((o) => o.data() as Promise<Float32Array | Int32Array | Uint8Array>));
    return outputs.map((o, i) => ({ shape: o.shape, values: data[i] }));
  } finally {
    for (const o of outputs) o.dispose();
  }
}

function describeOutput(name: string, shape: readonly number[], values: Float32Array | Int32Array | Uint8Array, labels: Labels | undefined): string[] {
  const lines = [`Output ${escapeControl(name)} ${JSON.stringify(shape)}:`];
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  const classes = shape[shape.length - 1];
  const names = labels?.names.length === classes ? labels.names : undefined;
  if (shape.length === 2 && (classes === IMAGENET_CLASSES || (names && classes > 1))) {
    lines.push(`  top 5 of ${classes} classes${names ? ` (labels: ${labels!.source})` : ' (class indices: no label file of as many lines; give --labels FILE or put labels.txt next to the model)'}:`);
    topK(values.subarray(0, classes), 5).forEach((c, i) => {
      const name = names?.[c.index] ? `${escapeControl(names[c.index])} (${c.index})` : `class ${c.index}`;
      lines.push(`${`    ${i + 1}. ${name}`.padEnd(42)}  ${fmt(c.value)}`); // two spaces at least: ImageNet names run long
    });
  } else if (values.length <= 20) {
    lines.push(`  ${Array.from(values, fmt).join('  ')}`);
  } else {
    lines.push(`  ${values.length.toLocaleString('en-US')} values: min ${fmt(lo)}, max ${fmt(hi)}, mean ${fmt(sum / values.length)}; first: ${Array.from(values.subarray(0, 6), fmt).join('  ')} …`);
  }
  return lines;
}

export async function run(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weights: { type: 'string' },
      input: { type: 'string', multiple: true },
      seed: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      preprocess: { type: 'string' },
      labels: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `run takes one model file, got ${positionals.length}: ${positionals.join(' ')}` : 'run needs a model file');
  const file = positionals[0];
  return guarded('run', async () => {
    const session = await openSession({ file, weights: values.weights, inputs: values.input, seed: values.seed, backend: values.backend, preprocess: values.preprocess, threads: values.threads });
    if ('code' in session) return session;
    const { analysis, backend, weights, inputs } = session;
    try {
      const labels = values.json ? undefined : resolveLabels({ file: values.labels, modelFile: file, classes: outputClasses(analysis) });
      const start = performance.now();
      const outputs = await forwardPass(session);
      const ms = performance.now() - start;
      const names = analysis.graph.outputs.map((r) => (r.index ? `${r.node}:${r.index}` : r.node));
      if (values.json) {
        const doc = {
          backend: backend.name,
          outputs: outputs.map((o, i) => ({
            name: names[i],
            shape: o.shape,
            ...(o.values.length <= MAX_JSON_VALUES ? { values: Array.from(o.values) } : { note: `values omitted: ${o.values.length.toLocaleString('en-US')} elements is more than ${MAX_JSON_VALUES.toLocaleString('en-US')}` }),
          })),
          backendTried: backend.tried,
          weights: weights.source,
          randomWeights: weights.random,
          inputs: inputs.notes,
          randomInput: inputs.random,
        };
        return { stdout: JSON.stringify(doc), stderr: weights.random ? `cnn-lens run: ${weights.source}` : '', code: 0 };
      }
      const lines = [
        `Model: ${escapeControl(analysis.graph.name)} (${file})`,
        `Backend: ${backendLine(backend, values.backend)}`,
        `Weights: ${weights.source}`,
        ...inputs.notes.map((n) => `Input ${n}`),
        '',
        ...outputs.flatMap((o, i) => describeOutput(names[i], o.shape, o.values, labels)),
        '',
        `Forward pass: ${ms.toFixed(1)} ms (one run, including the first-run warm-up${session.engine ? " and ONNX Runtime's session set-up" : ''}; see cnn-lens profile)`,
      ];
      if (weights.random) lines.push(`Note: ${weights.source}.`);
      return { stdout: lines.join('\n'), stderr: '', code: 0 };
    } finally {
      session.release();
    }
  });
}
