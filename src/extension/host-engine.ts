import * as vscode from 'vscode';
import { chooseBackend, memoryLimit, type BackendPreference, type ChosenBackend } from '../node/backend';
import { assertRunFits } from '../core/runtime/run-memory';
import { resolveRunWeights, type RunWeights } from '../core/runtime/preprocess';
import { disposeWeights } from '../core/runtime/weights';
import { engineModelFor, type EngineModel } from '../node/engine/engine-model';
import type { EngineSession } from '../node/engine/session';
import type { RunTarget } from './run-target';

// Where the extension host runs a model: ONNX Runtime first (the backend chain of src/node/backend.ts,
// with its reasons), the model exported to ONNX with its weights once per model version and its
// session kept, since both cost more than a run. A model the exporter cannot write goes down the
// tfjs chain, the reason in the backend line.

/** The weights a run on the engine used, in the labels of preprocess.ts (the tensors are in the exported model). */
export type EngineWeights = Pick<RunWeights, 'source' | 'random'>;

export interface HostBackend {
  readonly backend: ChosenBackend;
  /** Set when the model runs on ONNX Runtime. */
  readonly engine?: { readonly model: EngineModel; readonly weights: EngineWeights; readonly session: () => Promise<EngineSession> };
}

/** The weights line of an ONNX file, which carries its own. */
export const ONNX_OWN_WEIGHTS = "the ONNX file's own initializers";

interface Entry {
  readonly key: string;
  readonly chosen: HostBackend;
  readonly release: () => void;
}

/** The last model's choice, engine model and session (one model at a time: a session holds its weights). */
let last: Entry | undefined;

/** Releases the kept session (a new model, a changed setting, deactivation). */
export function releaseHostEngine(): void {
  last?.release();
  last = undefined;
}

/** Chooses the backend for this model under `preference` (cached per model version and preference). */
export async function hostBackend(target: RunTarget, preference: BackendPreference, seed = 0): Promise<HostBackend> {
  const key = `${preference}|${target.key}|${seed}`;
  if (last?.key === key && (last.chosen.engine || last.chosen.backend.tf.getBackend())) return last.chosen;
  releaseHostEngine();
  const { analysis } = target;
  let made: { model: EngineModel; weights: EngineWeights } | undefined;
  const prepareEngine = async (tf: ChosenBackend['tf']): Promise<string | undefined> => {
    assertRunFits(analysis, vscode.workspace.asRelativePath(target.uri), memoryLimit('onnxruntime'));
    const source = await target.source();
    let weights: RunWeights = { weights: new Map(), source: ONNX_OWN_WEIGHTS, random: false };
    const model = await engineModelFor(analysis, { bytes: () => source.bytes(), weights: async () => (weights = await resolveRunWeights(tf, analysis, source, undefined, seed)).weights });
    disposeWeights(weights.weights); // written into the exported model
    if ('reason' in model) return model.reason;
    made = { model, weights: { source: weights.source, random: weights.random } };
    return undefined;
  };
  const backend = await chooseBackend(preference, { prepareEngine });
  let session: Promise<EngineSession> | undefined;
  const { engine: settings } = backend;
  // Loaded only once the chain chose ONNX Runtime: an installation without onnxruntime-node must still activate.
  const open = async (model: EngineModel, options: NonNullable<typeof settings>) => (await import('../node/engine/session')).EngineSession.create(analysis.graph, model, options);
  const engine = settings && made ? { ...made, session: () => (session ??= open(made!.model, settings)) } : undefined;
  last = { key, chosen: { backend, ...(engine ? { engine } : {}) }, release: () => void session?.then((s) => s.release()).catch(() => undefined) };
  return last.chosen;
}
