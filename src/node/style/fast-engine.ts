import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../core/engine/onnx-export';
import { OnnxExportError, type PlainWeights } from '../../core/engine/onnx-emitter';
import { plainWeights } from '../../core/engine/plain-weights';
import type { TileRunner, TransformModel } from '../../core/style/fast';
import { ortSessionOptions } from '../engine/session';
import { defaultThreads } from '../engine/providers';

// Fast mode on ONNX Runtime: the transformation network exported by the IR → ONNX exporter with the
// model's own weights (a preset's or the user's) and run tile by tile in an onnxruntime-node session.
// core/style/fast.ts keeps the tiling, padding, cropping, range and blending; this is its TileRunner.
//
// Sizes: the exporter writes the spatial dims the analysis was made at (only the batch is open), so
// a session is made per tile size (every tile of an image has the same size) and kept: the cache
// holds the last few (model, weights, size, threads, providers) sessions, so the panel's second run
// of a preset, and every tile of one image, reuse one. A model is known by its model.json path and
// a fingerprint of its weights' values (Train mode rewrites a model in place).
//
// ORT's Node binding runs synchronously on its own thread pool: a tile in flight is not interrupted;
// the signal is checked before each tile (by fast.ts) and before each run.

export interface EngineRunnerOptions {
  /** Intra-op threads; default every core. */
  readonly threads?: number;
  /** Execution providers, best first; default ['cpu']. */
  readonly providers?: readonly string[];
}

interface CachedSession {
  readonly session: Promise<ort.InferenceSession>;
  readonly input: string;
  readonly output: string;
}

const MAX_SESSIONS = 4;
const sessions = new Map<string, CachedSession>();

/** FNV-1a over every weight's bits, in node and name order. */
function fingerprint(weights: PlainWeights): string {
  let h = 0x811c9dc5;
  for (const id of [...weights.keys()].sort()) {
    const record = weights.get(id)!;
    for (const name of Object.keys(record).sort()) {
      const t = record[name];
      const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
      for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
      h = Math.imul(h ^ t.data.length, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** "onnxruntime (CPU, 16 threads)" / "onnxruntime (CUDA)". */
export const engineName = (o: EngineRunnerOptions = {}): string => {
  const threads = o.threads ?? defaultThreads();
  return (o.providers ?? ['cpu'])[0] === 'cuda' ? 'onnxruntime (CUDA)' : `onnxruntime (CPU, ${threads} thread${threads === 1 ? '' : 's'})`;
};

export class EngineTileRunner implements TileRunner {
  readonly name: string;
  private weights: Promise<{ plain: PlainWeights; key: string }> | undefined;

  constructor(readonly model: TransformModel, readonly options: EngineRunnerOptions = {}) {
    this.name = engineName(options);
  }

  /** Exports the network at h×w (throws OnnxExportError when a layer has no ONNX form). */
  async exportAt(height: number, width: number): Promise<ReturnType<typeof exportOnnx>> {
    const { plain } = await this.plainWeights();
    return exportOnnx(this.model.analysisFor(height, width), plain);
  }

  private plainWeights(): Promise<{ plain: PlainWeights; key: string }> {
    this.weights ??= plainWeights(this.model.weights).then((plain) => ({ plain, key: `${this.model.path}\0${fingerprint(plain)}` }));
    return this.weights;
  }

  private async sessionFor(height: number, width: number): Promise<CachedSession> {
    const { key: modelKey } = await this.plainWeights();
    const threads = this.options.threads ?? defaultThreads();
    const key = `${modelKey}\0${height}x${width}\0${threads}\0${(this.options.providers ?? ['cpu']).join(',')}`;
    const hit = sessions.get(key);
    if (hit) {
      sessions.delete(key);
      sessions.set(key, hit); // most recently used last
      return hit;
    }
    const exported = await this.exportAt(height, width);
    if (exported.inputs.length !== 1 || exported.outputs.length !== 1) throw new OnnxExportError(`the exported network has ${exported.inputs.length} inputs and ${exported.outputs.length} outputs, not one each`);
    const session = ort.InferenceSession.create(exported.bytes, ortSessionOptions({ threads, providers: this.options.providers }));
    const entry: CachedSession = { session, input: exported.inputs[0], output: exported.outputs[0] };
    sessions.set(key, entry);
    session.catch(() => sessions.get(key) === entry && sessions.delete(key));
    while (sessions.size > MAX_SESSIONS) {
      const [oldest, old] = sessions.entries().next().value as [string, CachedSession];
      sessions.delete(oldest);
      void old.session.then((s) => s.release()).catch(() => undefined);
    }
    return entry;
  }

  async run(data: Float32Array, height: number, width: number, signal?: AbortSignal): Promise<Float32Array> {
    const { session, input, output } = await this.sessionFor(height, width);
    const s = await session;
    if (signal?.aborted) throw signal.reason ?? new Error('stylisation was cancelled');
    const fetched = await s.run({ [input]: new ort.Tensor('float32', data, [1, height, width, 3]) });
    const t = fetched[output] as ort.Tensor;
    const values = t.data as Float32Array;
    if (!(values instanceof Float32Array) || values.length !== height * width * 3) throw new Error(`the engine gave ${t.type} ${JSON.stringify(t.dims)} for a ${height}×${width} tile`);
    return values;
  }
}

/** Releases every cached engine session (tests, the extension's deactivation). */
export async function releaseEngineSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map((e) => e.session.then((s) => s.release()).catch(() => undefined)));
}

/** Why `model` cannot run on the engine (a layer with no ONNX form), or undefined when it can. */
export async function engineCannotRun(runner: EngineTileRunner): Promise<string | undefined> {
  try {
    await runner.exportAt(256, 256);
    return undefined;
  } catch (e) {
    if (e instanceof OnnxExportError) return `ONNX Runtime cannot run the style model: ${e.message}`;
    throw e;
  }
}
