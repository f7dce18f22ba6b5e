import * as ort from 'onnxruntime-node';
import type { Graph } from '../../core/ir';
import { tapValues, withExtraOutputs, withPreviewOutputs, type PreviewValues } from '../../core/engine/onnx-taps';
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

/** A layer a preview reads: its IR node id, its rank, and (4-D) the axis its channels are stored on. */
export interface PreviewTapRequest {
  readonly id: string;
  readonly rank: number;
  readonly channelAxis?: number;
}

/** What a preview reads of one layer: the whole value's range, and its first item's first maps (stored layout). */
export interface LayerSummary {
  readonly min: number;
  readonly max: number;
  readonly maps: EngineTensor;
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
  private summarised: { key: string; session: ort.InferenceSession; values: Map<string, PreviewValues> } | undefined;

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
    const { model } = this;
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('the run was cancelled');
    const { session, values } = options.taps ? await this.tappedSession(options.taps) : { session: this.session, values: new Map<string, string>() };
    const fetched = await this.runOn(session, inputs, options.signal);
    const read = (name: string): EngineTensor | undefined => (fetched[name] ? toEngineTensor(fetched[name]) : undefined);
    const outputs = model.outputs.map((name) => read(name) ?? fail(`the output ${name} is not a numeric tensor`));
    const taps = new Map<string, EngineTensor>();
    for (const [id, name] of values) {
      const t = read(name);
      if (t) taps.set(id, t);
    }
    return { outputs, taps };
  }

  /**
   * Runs the model for previews: each layer's range and first `channels` maps, computed inside the
   * graph (withPreviewOutputs), so no activation leaves ONNX Runtime whole. Its session is kept
   * for the same layers, like the tapped one.
   */
  async runSummaries(inputs: readonly EngineTensor[], layers: readonly PreviewTapRequest[], options: { readonly channels: number; readonly signal?: AbortSignal }): Promise<Map<string, LayerSummary>> {
    const key = JSON.stringify([layers, options.channels]);
    if (this.summarised?.key !== key) {
      const wanted = layers.filter((l) => this.model.layerValues.has(l.id));
      const { bytes, values } = withPreviewOutputs(this.model.bytes, wanted.map((l) => ({ value: this.model.layerValues.get(l.id)!, rank: l.rank, channelAxis: l.channelAxis })), options.channels, this.model.outputs);
      const session = await ort.InferenceSession.create(bytes, ortSessionOptions(this.options));
      await this.summarised?.session.release();
      this.summarised = { key, session, values };
    }
    const { session, values } = this.summarised;
    const fetched = await this.runOn(session, inputs, options.signal);
    const out = new Map<string, LayerSummary>();
    for (const l of layers) {
      const v = values.get(this.model.layerValues.get(l.id) ?? '');
      const [min, max, maps] = v ? [fetched[v.min], fetched[v.max], fetched[v.maps]].map((t) => t && toEngineTensor(t)) : [];
      if (min && max && maps) out.set(l.id, { min: min.data[0], max: max.data[0], maps });
    }
    return out;
  }

  /** Feeds `inputs` (in graph.inputs order) to one of this model's sessions. */
  private async runOn(session: ort.InferenceSession, inputs: readonly EngineTensor[], signal: AbortSignal | undefined): Promise<ort.InferenceSession.ReturnType> {
    const { graph, model } = this;
    if (inputs.length !== model.inputs.length) throw new Error(`the model takes ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'} (${graph.inputs.join(', ')}), got ${inputs.length}`);
    if (signal?.aborted) throw signal.reason ?? new Error('the run was cancelled');
    const types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : undefined]));
    const feeds: Record<string, ort.Tensor> = {};
    model.inputs.forEach((name, i) => (feeds[name] = toOrtInput(ort.Tensor, types.get(name), inputs[i])));
    return session.run(feeds);
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
    await this.summarised?.session.release();
    this.tapped = undefined;
    this.summarised = undefined;
    await this.session.release();
  }
}

const fail = (message: string): never => {
  throw new Error(message);
};
