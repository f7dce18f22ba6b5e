import { BackendError, chooseBackend, type BackendPreference, type ChosenBackend } from '../backend';
import { tfjsTileRunner, type TileRunner, type TransformModel } from '../../core/style/fast';
import { loadTransformModelFile } from './model-files';

// What runs style transfer. Fast mode: ONNX Runtime first (the chain's own order) when
// FAST_ON_ENGINE — measured faster here, see bench/style.ts and the CHANGELOG — else tfjs; a model
// with a layer the exporter cannot write goes down the tfjs chain with the reason, and `--backend`
// / cnnLens.backend force either. Optimise and Train need gradients: tfjs only.
// fast-engine.ts (onnxruntime-node) is imported only once the chain chose ONNX Runtime, so an
// installation without onnxruntime-node loads this module and runs on tfjs.

/** Fast mode defaults to ONNX Runtime (bench:style: faster than tfjs-wasm at 512² and 2048², one thread and every core). */
export const FAST_ON_ENGINE = true;

export const GRADIENTS_ON_TFJS = "style transfer's gradients (Optimise, Train) run on TensorFlow.js";

export interface FastBackend {
  readonly backend: ChosenBackend;
  readonly model: TransformModel;
  readonly runner: TileRunner;
}

export interface FastBackendOptions {
  /** ONNX Runtime's intra-op threads; default every core. */
  readonly threads?: number;
}

/** The backend for Optimise and Train: the tfjs chain (ONNX Runtime named as not used, with the reason). */
export const gradientBackend = (preference: BackendPreference = 'auto'): Promise<ChosenBackend> => chooseBackend(preference, { noEngine: GRADIENTS_ON_TFJS });

/** Chooses Fast mode's backend and loads the network on it (throws StyleModelError / WeightsError for a bad model). */
export async function openFast(preference: BackendPreference, modelJsonPath: string, options: FastBackendOptions = {}): Promise<FastBackend> {
  const noEngine = preference === 'auto' && !FAST_ON_ENGINE ? 'Fast mode runs faster on TensorFlow.js here' : undefined;
  let backend = await chooseBackend(preference, { threads: options.threads, noEngine });
  let model = await loadTransformModelFile(backend.tf, modelJsonPath);
  if (backend.engine) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EngineTileRunner, engineCannotRun } = require('./fast-engine') as typeof import('./fast-engine');
    const runner = new EngineTileRunner(model, { threads: backend.engine.threads, providers: backend.engine.providers });
    const why = await engineCannotRun(runner);
    if (!why) return { backend, model, runner };
    model.dispose();
    if (preference === 'onnxruntime') throw new BackendError(`backend onnxruntime cannot run: ${why}`);
    backend = await chooseBackend(preference, { noEngine: why });
    model = await loadTransformModelFile(backend.tf, modelJsonPath);
  }
  return { backend, model, runner: tfjsTileRunner(backend.tf, model, `tfjs ${backend.name}`) };
}
