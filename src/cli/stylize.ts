import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BACKEND_PREFERENCES, BackendError, describeBackend, type BackendPreference, type ChosenBackend } from '../node/backend';
import { ImageError } from '../core/style/image-io';
import { RANDOM_SEED } from '../core/style/loss-network';
import { stylizeFast, StyleModelError, type TileRunner, type TransformModel } from '../core/style/fast';
import { STYLE_OPTIMIZERS, stylizeOptimise, type StyleOptimizer } from '../core/style/optimise';
import { readImage, writePng } from '../node/image-files';
import { lossNetwork } from '../node/style/loss-network-files';
import { gradientBackend, openFast } from '../node/style/fast-backend';
import { findPreset, listPresets } from '../node/style/presets';
import { trainTransformNet } from '../node/style/train';
import { UsageError, type CommandResult } from './usage';

export const STYLIZE_USAGE = `cnn-lens stylize --content IMG --style IMG|PRESET|MODEL.json --out OUT.png [--mode fast|optimise|train] [--optimizer adam|lbfgs] [--steps N] [--size PX] [--seed N] [--backend NAME] [--threads N]
cnn-lens stylize --list

  Neural style transfer. Fast mode runs a trained transformation network (a preset, or a TF.js
  model.json given as --style) — large images by tiles; optimise mode (Gatys) optimises the image
  itself against any style image; train mode trains a network for a style on --content FOLDER and
  saves it to --out DIR (model.json), resumable.
  --mode        default: fast for a preset or model.json, optimise for a style image
  --size        longer side of the output in px, aspect kept (default: the content's, at most 4096 fast / 512 optimise; train: crop side, 128)
  --steps       optimise / train iterations (default 200 / 200)
  --optimizer   optimise mode: adam (one loss evaluation per step) or lbfgs (L-BFGS as Gatys et al.; fewer
                iterations for the same loss, each one or more evaluations) (default adam)
  --seed        seed of the offline loss network and of training (default ${RANDOM_SEED} / 1)
  --vgg-weights VGG-16 weights for the loss network (Keras vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 or a TF.js model.json); default: the offline random multi-scale network
  --style-weight, --content-weight, --tv-weight   loss weights (default 10, 1, 10)
  --backend     auto | onnxruntime | tfjs-node-gpu | tfjs-node | wasm | cpu (default auto: fast mode on ONNX Runtime,
                optimise and train on the best tfjs backend, as their gradients need TensorFlow.js)
  --threads     fast mode on ONNX Runtime: its threads (default: every core)
  --list        the presets, one per line: name, then description

  Exit status: 0 ok, 1 stylisation failed, 2 usage or file errors (unreadable or non-image files, bad style models).`;

const FAST_MAX = 4096;
const OPTIMISE_MAX = 512;

const num = (v: string | undefined, name: string, min = 1): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (min >= 1 && !Number.isInteger(n))) throw new UsageError(`--${name} "${v}" must be ${min >= 1 ? `an integer ≥ ${min}` : 'a number ≥ 0'}`);
  return n;
};

export async function stylize(argv: string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      content: { type: 'string' }, style: { type: 'string' }, out: { type: 'string' }, mode: { type: 'string' },
      steps: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' }, list: { type: 'boolean' },
      backend: { type: 'string' }, threads: { type: 'string' }, 'vgg-weights': { type: 'string' }, optimizer: { type: 'string' },
      'style-weight': { type: 'string' }, 'content-weight': { type: 'string' }, 'tv-weight': { type: 'string' },
    },
  });
  if (values.list) return { stdout: listPresets().map((p) => `${p.name}\t${p.description}`).join('\n'), stderr: '', code: 0 };
  if (!values.content) throw new UsageError('stylize needs --content IMG (train: a folder of images)');
  if (!values.style) throw new UsageError('stylize needs --style IMG, a preset name (see --list) or a TF.js model.json');
  if (!values.out) throw new UsageError('stylize needs --out OUT.png (train: an output folder)');
  const preset = findPreset(values.style);
  const styleIsModel = !preset && /\.json$/i.test(values.style);
  if (!preset && !existsSync(values.style)) throw new UsageError(`--style ${values.style}: no such file and no such preset (presets: ${listPresets().map((p) => p.name).join(', ')})`);
  const mode = values.mode ?? (preset || styleIsModel ? 'fast' : 'optimise');
  if (!['fast', 'optimise', 'optimize', 'train'].includes(mode)) throw new UsageError(`--mode "${mode}": choose fast, optimise or train`);
  if (mode === 'fast' && !preset && !styleIsModel) throw new UsageError(`fast mode needs a trained network: a preset (${listPresets().map((p) => p.name).join(', ')}) or a TF.js model.json, not the image ${values.style} (use --mode optimise, or --mode train to make one)`);
  const optimizer = (values.optimizer ?? 'adam') as StyleOptimizer;
  if (!STYLE_OPTIMIZERS.includes(optimizer)) throw new UsageError(`--optimizer "${values.optimizer}": choose ${STYLE_OPTIMIZERS.join(' or ')}`);
  if (values.optimizer && !['optimise', 'optimize'].includes(mode)) throw new UsageError(`--optimizer applies to optimise mode only (this is ${mode} mode)`);
  const steps = num(values.steps, 'steps') ?? 200;
  const size = num(values.size, 'size');
  const seed = num(values.seed, 'seed', 0);
  const weights = { style: num(values['style-weight'], 'style-weight', 0), content: num(values['content-weight'], 'content-weight', 0), tv: num(values['tv-weight'], 'tv-weight', 0) };
  const lossWeights = Object.fromEntries(Object.entries(weights).filter(([, v]) => v !== undefined));

  const notices: string[] = [];
  const readOrFail = (path: string, opts: Parameters<typeof readImage>[1]) => {
    try {
      const r = readImage(path, opts);
      if (r.notice) notices.push(`notice: ${r.notice}`);
      return r.image;
    } catch (e) {
      if (e instanceof ImageError) throw new UsageError(e.message);
      throw e;
    }
  };

  const preference = (values.backend ?? 'auto') as BackendPreference;
  if (!BACKEND_PREFERENCES.includes(preference)) throw new UsageError(`--backend "${values.backend}": choose one of ${BACKEND_PREFERENCES.join(', ')}`);
  const threads = num(values.threads, 'threads');
  if (threads !== undefined && mode !== 'fast') throw new UsageError(`--threads applies to fast mode on ONNX Runtime only (this is ${mode} mode)`);
  // Fast mode: ONNX Runtime where it runs the network (the backend line names it); optimise and train: tfjs (gradients).
  let backend: ChosenBackend;
  let fast: { model: TransformModel; runner: TileRunner } | undefined;
  if (mode === 'fast') {
    const modelPath = preset ? preset.modelPath : values.style;
    if (preset && !existsSync(modelPath)) return { stdout: '', stderr: `cnn-lens stylize: the preset ${preset.name} has no trained network at ${modelPath}`, code: 1 };
    try {
      const opened = await openFast(preference, modelPath, { threads });
      backend = opened.backend;
      fast = opened;
    } catch (e) {
      if (e instanceof StyleModelError || (e as Error).name === 'WeightsError' || e instanceof BackendError) throw new UsageError((e as Error).message);
      throw e;
    }
  } else {
    try {
      backend = await gradientBackend(preference);
    } catch (e) {
      if (e instanceof BackendError) throw new UsageError((e as Error).message);
      throw e;
    }
  }
  const { tf } = backend;
  // A --vgg-weights file that is unreadable or not VGG-16 is a file error (exit 2), like a bad image.
  const lossNetworkOrFail = async () => {
    try {
      return await lossNetwork(tf, values['vgg-weights'], seed ?? RANDOM_SEED);
    } catch (e) {
      if ((e as Error).name === 'WeightsError') throw new UsageError((e as Error).message);
      throw e;
    }
  };
  const t0 = Date.now();
  const lines: string[] = [];
  try {
    if (mode === 'fast') {
      const modelPath = preset ? preset.modelPath : values.style;
      const { model, runner } = fast!;
      try {
        const content = readOrFail(values.content, size ? { size, maxSide: FAST_MAX } : { maxSide: FAST_MAX });
        const r = await stylizeFast(tf, model, content, { runner });
        writePng(values.out, r.image);
        lines.push(`${values.out}: ${r.image.width}×${r.image.height}, fast mode (${preset ? `preset ${preset.name}` : modelPath}; ${r.tiles} tile${r.tiles === 1 ? '' : 's'}; on ${r.engine})`);
        lines.push(`transformation network: ${modelPath} (${model.weightsSource})`);
        lines.push(`trained with loss network: ${String(model.metadata.lossNetwork ?? preset?.lossNetwork ?? 'unknown (not recorded in the model)')}`);
      } finally {
        model.dispose();
      }
    } else if (mode === 'train') {
      if (!statSync(values.content, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`train mode needs --content FOLDER of images; ${values.content} is not a folder`);
      const style = preset ? readOrFail(preset.styleImagePath, { maxSide: 1024 }) : readOrFail(values.style, { maxSide: 1024 });
      const net = await lossNetworkOrFail();
      try {
        let last = '';
        const r = await trainTransformNet(tf, net, {
          content: values.content, style, styleName: preset?.name ?? values.style, outDir: values.out, steps, size: size ?? 128, seed: seed ?? 1, weights: lossWeights,
          saveEvery: 50, onStep: (s, l) => { last = `step ${s}: loss ${l.total.toFixed(4)} (content ${l.content.toFixed(4)}, style ${l.style.toFixed(4)}, tv ${l.tv.toFixed(4)})`; if (s % 10 === 0) process.stderr.write(`${last}\n`); },
        });
        lines.push(`${r.modelJson}: trained ${r.step - r.resumedFrom} steps${r.resumedFrom ? ` (resumed at step ${r.resumedFrom})` : ''}, ${(r.bytes / 1024).toFixed(0)} KB of weights; ${last}`);
        lines.push(`loss network: ${net.description}`);
      } finally {
        net.dispose();
      }
    } else {
      const content = readOrFail(values.content, { size: size ?? undefined, maxSide: OPTIMISE_MAX });
      const style = preset ? readOrFail(preset.styleImagePath, { maxSide: 1024 }) : readOrFail(values.style, { maxSide: 1024 });
      const net = await lossNetworkOrFail();
      try {
        const r = await stylizeOptimise(tf, net, content, style, { steps, optimizer, weights: lossWeights });
        writePng(values.out, r.image);
        const first = r.history[0], last = r.history[r.history.length - 1];
        const how = r.optimizer === 'lbfgs' ? `L-BFGS, ${r.history.length - 1} iterations, ${r.evaluations} loss evaluations` : `Adam, ${steps} steps`;
        lines.push(`${values.out}: ${r.image.width}×${r.image.height}, optimise mode (${how}); loss ${first.total.toFixed(4)} → ${last.total.toFixed(4)}`);
        lines.push(`loss network: ${net.description}`);
      } finally {
        net.dispose();
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return { stdout: lines.join('\n'), stderr: `cnn-lens stylize: ${(e as Error).message}`, code: 1 };
  }
  lines.push(`backend: ${describeBackend(backend)}; time: ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  return { stdout: lines.join('\n'), stderr: notices.join('\n'), code: 0 };
}
