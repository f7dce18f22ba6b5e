import * as ort from 'onnxruntime-node';
import type { Graph } from '../../core/ir';
import { tapValues, withExtraOutputs } from '../../core/engine/onnx-taps';
import type { EngineModel } from './engine-model';
import { defaultThreads } from './providers';
import { toEngineTensor, toOrtInput, type EngineTensor } from './tensors';

// An ONNX Runtime session over an engine model, fed and read in the IR's terms: inputs in
// `graph.inputs` order, outputs in `graph.outputs` order, tapped layers by IR node id. Taps need
// a model with more graph outputs, hence a second ORT session, made on the first tapped run and
// kept for the same taps (the untapped session stays as it is: taps stop ORT from fusing a layer
// whose output is read, and the untapped run must not pay for that).
//
// ORT's Node binding runs a model synchronously on the calling thread (its own thread pool does the
// work), so a run in flight cannot be interrupted: the AbortSignal is checked before each run.

export interface EngineSessionOptions {
  /** Intra-op threads; default every core. */
  readonly threads?: number;
  /** Execution providers, best first; default ['cpu']. */
  readonly providers?: readonly string[];
  /** Profile every run with ORT's own profiler, writing its trace under this prefix (profile.ts reads it). */
  readonly profileFilePrefix?: string;
}

export interface EngineRunOptions {
  /** Node outputs to hand back besides the model's outputs: every node, or these ids. */
  readonly taps?: 'all' | readonly string[];
  readonly signal?: AbortSignal;
}

export interface EngineRunResult {
  /** One per `graph.outputs`, in order. */
  readonly outputs: EngineTensor[];
  /** Tapped node outputs by IR node id (constants and folded layers have none). */
  readonly taps: Map<string, EngineTensor>;
}

/** Options for ort.InferenceSession.create from ours. */
export function ortSessionOptions(o: EngineSessionOptions): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: o.threads ?? defaultThreads(),
    interOpNumThreads: 1,
    executionProviders: [...(o.providers ?? ['cpu'])],
    graphOptimizationLevel: 'all',
    ...(o.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: o.profileFilePrefix } : {}),
  };
}

export class EngineSession {
  private tapped: { key: string; session: ort.InferenceSession; values: Map<string, string> } | undefined;

  private constructor(
    readonly graph: Graph,
    readonly model: EngineModel,
    readonly options: EngineSessionOptions,
    /** The untapped session: what ORT would run for this model. */
    readonly session: ort.InferenceSession,
  ) {}

  static async create(graph: Graph, model: EngineModel, options: EngineSessionOptions = {}): Promise<EngineSession> {
    return new EngineSession(graph, model, options, await ort.InferenceSession.create(model.bytes, ortSessionOptions(options)));
  }

  /** Runs the model on `inputs` (in graph.inputs order, shaped as the IR's inputs). */
  async run(inputs: readonly EngineTensor[], options: EngineRunOptions = {}): Promise<EngineRunResult> {
    const { graph, model } = this;
    if (inputs.length !== model.inputs.length) throw new Error(`the model takes ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'} (${graph.inputs.join(', ')}), got ${inputs.length}`);
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('the run was cancelled');
    const { session, values } = options.taps ? await this.tappedSession(options.taps) : { session: this.session, values: new Map<string, string>() };
    const types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : undefined]));
    const feeds: Record<string, ort.Tensor> = {};
    model.inputs.forEach((name, i) => (feeds[name] = toOrtInput(ort.Tensor, types.get(name), inputs[i])));
    const fetched = await session.run(feeds);
    const read = (name: string): EngineTensor | undefined => (fetched[name] ? toEngineTensor(fetched[name]) : undefined);
    const outputs = model.outputs.map((name) => read(name) ?? fail(`the output ${name} is not a numeric tensor`));
    const taps = new Map<string, EngineTensor>();
    for (const [id, name] of values) {
      const t = read(name);
      if (t) taps.set(id, t);
    }
    return { outputs, taps };
  }

  /** The session with the taps' values as extra outputs (one kept: the last tap set asked for). */
  private async tappedSession(taps: 'all' | readonly string[]): Promise<{ session: ort.InferenceSession; values: Map<string, string> }> {
    const key = taps === 'all' ? 'all' : JSON.stringify(taps);
    if (this.tapped?.key === key) return this.tapped;
    const values = tapValues(this.graph, this.model.layerValues, taps);
    const bytes = withExtraOutputs(this.model.bytes, [...values.values()], this.model.outputs);
    const session = await ort.InferenceSession.create(bytes, ortSessionOptions(this.options));
    await this.tapped?.session.release();
    this.tapped = { key, session, values };
    return this.tapped;
  }

  async release(): Promise<void> {
    await this.tapped?.session.release();
    this.tapped = undefined;
    await this.session.release();
  }
}

const fail = (message: string): never => {
  throw new Error(message);
};
