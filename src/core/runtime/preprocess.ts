import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { formatOfGraph } from '../formats/registry';
import { baseName, bytesSource, SourceError, type ModelSource, type SiblingFile } from '../formats/source';
import type { TensorShape } from '../ir';
import { decodeImage, imageTensor, type RgbaImage } from './image';
import { fitNpyToInput, parseNpy } from './npy';
import { mulberry32, randomWeights } from './random-weights';
import type { WeightMap } from './weight-map';
import { loadWeightsFrom } from './weights';

// What a run is fed: the model's input preprocessing (per model, settable), the input tensors
// (an image, a .npy array, or seeded random values) and the weights (next to the model, a named
// file, or seeded random ones). Shared by `cnn-lens run`, `cnn-lens profile` and the extension,
// which read the files (src/node) and hand over their bytes and sources.
//
// Preprocessing presets. A pixel value p (0–255, after resizing to the model's input) becomes
// (p · scale − mean[c]) / std[c], in the preset's channel order:
//
// | preset  | channels | scale   | mean                         | std                     | range       | who uses it |
// |---------|----------|---------|------------------------------|-------------------------|-------------|-------------|
// | caffe   | BGR      | 1       | 103.939, 116.779, 123.68     | 1                       | ≈ −124…152  | Keras VGG16/19, ResNet50/152 (`imagenet_utils` mode "caffe"); BVLC AlexNet and GoogLeNet (Caffe models) |
// | torch   | RGB      | 1/255   | 0.485, 0.456, 0.406          | 0.229, 0.224, 0.225     | ≈ −2.1…2.6  | torchvision models (resnet18.json is torchvision's ResNet-18) |
// | tf      | RGB      | 1/127.5 | 1                            | 1                       | −1…1        | Keras MobileNet v1/v2 (mode "tf") |
// | raw255  | RGB      | 1       | 0                            | 1                       | 0…255       | Johnson et al.'s transform net (it normalises inside) |
// | unit    | RGB      | 1/255   | 0                            | 1                       | 0…1         | any other model (a guess: said so in the output) |
//
// The zoo's models are recognised by their model name (the file's `config.name`), see ZOO_PRESETS.
// A user overrides the choice per model with the `cnnLens.preprocessing` setting (file glob → preset
// name) in VS Code; on the command line, `--preprocess NAME`.

export type PresetName = 'caffe' | 'torch' | 'tf' | 'raw255' | 'unit';

export interface Preset {
  readonly name: PresetName;
  readonly bgr: boolean;
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly description: string;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  caffe: { name: 'caffe', bgr: true, scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], description: 'BGR, 0–255 minus the ImageNet mean [103.939, 116.779, 123.68] (Caffe / Keras "caffe")' },
  torch: { name: 'torch', bgr: false, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], description: 'RGB, 0–1, ImageNet mean [0.485, 0.456, 0.406] / std [0.229, 0.224, 0.225] (torchvision)' },
  tf: { name: 'tf', bgr: false, scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1], description: 'RGB scaled to [-1, 1] (Keras "tf": MobileNets)' },
  raw255: { name: 'raw255', bgr: false, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], description: 'RGB, 0–255 unchanged' },
  unit: { name: 'unit', bgr: false, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], description: 'RGB scaled to [0, 1]' },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The zoo (models/*.json), by model name: the preprocessing each network was trained with. */
export const ZOO_PRESETS: readonly { readonly model: RegExp; readonly preset: PresetName; readonly why: string }[] = [
  { model: /^vgg1[69]$/, preset: 'caffe', why: 'Keras VGG (caffe mode)' },
  { model: /^resnet(50|101|152)(v1)?$/, preset: 'caffe', why: 'Keras ResNet v1 (caffe mode)' },
  { model: /^resnet18$/, preset: 'torch', why: "torchvision's ResNet-18" },
  { model: /^mobilenet/, preset: 'tf', why: 'Keras MobileNet (tf mode, [-1, 1])' },
  { model: /^alexnet$/, preset: 'caffe', why: 'BVLC Caffe AlexNet' },
  { model: /^(googlenet|inception_v1)$/, preset: 'caffe', why: 'Caffe GoogLeNet' },
  { model: /^johnson/, preset: 'raw255', why: 'Johnson et al. transform net (0–255 in, 0–255 out)' },
];

export interface PresetChoice {
  readonly preset: Preset;
  /** Why this preset: "zoo model resnet18 (torchvision's ResNet-18)", "setting cnnLens.preprocessing: **\/x.json", … */
  readonly reason: string;
  /** True when nothing said which preprocessing the model expects (the [0, 1] default). */
  readonly guessed: boolean;
}

/** A file glob as a RegExp: `**` any folders, `*` and `?` within one path segment; matched against the whole path or its end. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(?:^|/)${re}$`);
}

/**
 * The preprocessing for a model: an override (a preset name, or globs → preset names matched
 * against the file path), else the zoo table by model name, else [0, 1] marked as a guess.
 */
export function choosePreset(modelName: string, file: string, override?: string | Readonly<Record<string, string>>): PresetChoice {
  const path = file.replace(/\\/g, '/');
  if (typeof override === 'string') {
    const p = PRESETS[override as PresetName];
    if (!p) throw new Error(`unknown preprocessing "${override}": choose one of ${PRESET_NAMES.join(', ')}`);
    return { preset: p, reason: 'chosen explicitly', guessed: false };
  }
  for (const [glob, name] of Object.entries(override ?? {})) {
    if (!globToRegExp(glob).test(path)) continue;
    const p = PRESETS[name as PresetName];
    if (!p) throw new Error(`cnnLens.preprocessing: "${glob}" maps to unknown preset "${name}" (choose one of ${PRESET_NAMES.join(', ')})`);
    return { preset: p, reason: `setting cnnLens.preprocessing: ${glob}`, guessed: false };
  }
  const zoo = ZOO_PRESETS.find((z) => z.model.test(modelName));
  if (zoo) return { preset: PRESETS[zoo.preset], reason: `zoo model ${modelName} (${zoo.why})`, guessed: false };
  return { preset: PRESETS.unit, reason: `${modelName} is not a zoo model and no preprocessing was set: assuming [0, 1]`, guessed: true };
}

/** Applies a preset to RGB pixel values 0–255 ([…, 3], last axis RGB). */
export function applyPreset(tf: typeof tfc, rgb255: tfc.Tensor, preset: Preset): tfc.Tensor {
  return tf.tidy(() => {
    const ordered = preset.bgr ? tf.reverse(rgb255, -1) : rgb255;
    const scaled = preset.scale === 1 ? ordered : tf.mul(ordered, preset.scale);
    const centred = preset.mean.every((m) => m === 0) ? scaled : tf.sub(scaled, tf.tensor1d([...preset.mean]));
    return preset.std.every((s) => s === 1) ? centred : tf.div(centred, tf.tensor1d([...preset.std]));
  });
}

/** An input whose shape looks like an image: [batch, H, W, 3] (or 1 channel), or channels first [batch, 3, H, W] (ONNX). */
export const isImageInput = (shape: TensorShape | undefined): boolean => imageLayout(shape) !== undefined;

/** How an image input holds its channels: last ([N, H, W, 3], Keras) or first ([N, 3, H, W], ONNX); undefined when it is no image. */
export function imageLayout(shape: TensorShape | undefined): 'channels_last' | 'channels_first' | undefined {
  if (!shape || shape.length !== 4) return undefined;
  if (shape[3] === 3 || shape[3] === 1) return 'channels_last';
  if (shape[1] === 3 || shape[1] === 1) return 'channels_first';
  return undefined;
}

/** The channels-last view of an image input's shape (what the picture code works in). */
const channelsLast = (shape: TensorShape): TensorShape => (imageLayout(shape) === 'channels_first' ? [shape[0], shape[2], shape[3], shape[1]] : shape);

/** A channels-last image tensor in the input's own layout. */
const toInputLayout = (tf: typeof tfc, x: tfc.Tensor, shape: TensorShape): tfc.Tensor =>
  imageLayout(shape) === 'channels_first' ? tf.tidy(() => tf.transpose(x, [0, 3, 1, 2])) : x;

/** The concrete shape fed to an input: an open batch is 1; open spatial sizes take `fallback` (default 224). */
function concreteShape(shape: TensorShape, fallback = 224): number[] {
  return shape.map((d, i) => (d !== null ? d : i === 0 ? 1 : fallback));
}

/** An image preprocessed for an input of `shape` ([1, H, W, C]); grey models get the channel mean. */
export function preprocessImage(tf: typeof tfc, image: RgbaImage, shape: TensorShape, preset: Preset): tfc.Tensor {
  const last = channelsLast(shape);
  const [, h, w, c] = concreteShape(last);
  return tf.tidy(() => {
    const rgb = imageTensor(tf, image, [last[1] === null ? image.height : h, last[2] === null ? image.width : w]);
    const x = applyPreset(tf, rgb, preset);
    return toInputLayout(tf, c === 1 ? tf.mean(x, -1, true) : x, shape);
  });
}

/** Where one input's values come from: a file's bytes (read by the host), or seeded random values. */
export type InputSource =
  | { readonly kind: 'image'; readonly file: string; readonly bytes: Uint8Array }
  | { readonly kind: 'npy'; readonly file: string; readonly bytes: Uint8Array }
  | { readonly kind: 'random' };

export interface PreparedInputs {
  /** In `graph.inputs` order; the caller disposes them. */
  readonly tensors: tfc.Tensor[];
  /** One line per input, e.g. "image: cat.png resized to 224×224, caffe (zoo model vgg16 (…))". */
  readonly notes: string[];
  /** True when any input is random. */
  readonly random: boolean;
}

/** An input file's bytes as an input: a .npy array by its name, else an image (and a .npy by its leading bytes: see prepareInputs). */
/** What an input file is, by its name: a .npy array, else an image (its bytes say which kind). */
export const inputFileKind = (file: string): 'npy' | 'image' => (/\.npy$/i.test(file) ? 'npy' : 'image');

export function inputSourceFor(file: string, bytes: Uint8Array): InputSource {
  return { kind: inputFileKind(file), file, bytes };
}

/** Builds the model's inputs: one source per input in `graph.inputs` order; missing ones are seeded random. */
export function prepareInputs(tf: typeof tfc, analysis: Analysis, sources: readonly InputSource[], choice: PresetChoice, seed = 0): PreparedInputs {
  const ids = analysis.graph.inputs;
  if (sources.length > ids.length) throw new Error(`the model takes ${ids.length} input${ids.length === 1 ? '' : 's'} (${ids.join(', ')}), ${sources.length} were given`);
  const tensors: tfc.Tensor[] = [];
  const notes: string[] = [];
  let random = false;
  try {
    ids.forEach((id, k) => {
      const declared = analysis.inputShapes.get(id) ?? [null];
      const src = sources[k] ?? { kind: 'random' };
      const shape = concreteShape(declared);
      if (src.kind === 'random') {
        random = true;
        const rand = mulberry32((seed + 1) * 7919 + k);
        const n = shape.reduce((p, d) => p * d, 1);
        const values = new Float32Array(n);
        if (isImageInput(declared)) {
          for (let i = 0; i < n; i++) values[i] = Math.floor(rand() * 256);
          const last = concreteShape(channelsLast(declared));
          tensors.push(tf.tidy(() => {
            const raw = tf.tensor(values, last);
            return toInputLayout(tf, last[3] === 3 ? applyPreset(tf, raw, choice.preset) : tf.mean(applyPreset(tf, tf.tile(raw, [1, 1, 1, 3]), choice.preset), -1, true), declared);
          }));
          notes.push(`${id}: random pixels (seed ${seed}) ${last.slice(1, 3).join('×')}, preprocessing ${choice.preset.name} (${choice.reason})`);
        } else {
          for (let i = 0; i < n; i++) values[i] = rand();
          tensors.push(tf.tensor(values, shape));
          notes.push(`${id}: random values in [0, 1) (seed ${seed}), shape ${shape.join('×')}`);
        }
        return;
      }
      const bytes = src.bytes;
      if (src.kind === 'npy' || (bytes[0] === 0x93 && bytes[1] === 0x4e)) {
        const arr = parseNpy(bytes, src.file);
        const fitted = fitNpyToInput(arr, declared, id, src.file);
        const data = arr.data instanceof Float32Array || arr.data instanceof Int32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>);
        tensors.push(tf.tensor(data instanceof Int32Array ? Float32Array.from(data) : data, fitted, 'float32'));
        notes.push(`${id}: ${baseName(src.file)} (${arr.dtype} ${arr.shape.join('×')}, fed as is)`);
        return;
      }
      if (!isImageInput(declared)) {
        throw new Error(`${src.file}: the model's input ${id} takes ${declared.map((d) => d ?? '?').join('×')}, not an image; give a .npy array`);
      }
      const image = decodeImage(bytes, src.file);
      tensors.push(preprocessImage(tf, image, declared, choice.preset));
      const [, rh, rw] = concreteShape(channelsLast(declared));
      notes.push(`${id}: ${baseName(src.file)} (${image.width}×${image.height}) resized to ${rh}×${rw}, preprocessing ${choice.preset.name}: ${choice.preset.description} — ${choice.reason}`);
    });
  } catch (e) {
    for (const t of tensors) t.dispose();
    throw e;
  }
  return { tensors, notes, random };
}

export interface RunWeights {
  readonly weights: WeightMap;
  /** Where they came from, for the output: "TF.js shards next to model.json (…)" or "random weights (seed 0): outputs are not meaningful". */
  readonly source: string;
  readonly random: boolean;
}

export const randomWeightsNotice = (seed: number): string => `random weights (seed ${seed}): outputs are not meaningful`;

/** A weights file found next to a model: its name (a path beside the model's, for messages and cache keys), opened on demand. */
export interface WeightsNextTo {
  readonly name: string;
  open(): Promise<ModelSource>;
}

/** The weights next to a model: a TF.js model.json's own shards, or `<name>.weights.h5` / `<name>.h5` / `<name>.keras` beside it. */
export async function weightsNextTo(model: ModelSource): Promise<WeightsNextTo | undefined> {
  // A manifest, unless it is an empty list (`"weightsManifest": []`: a bare architecture, seeded random
  // weights); a manifest that is not a list is read, so that its loader says what is wrong with it.
  if (/"weightsManifest"\s*:(?!\s*\[\s*\])/.test(model.text())) return { name: model.name, open: async () => model };
  const stem = baseName(model.name).replace(/\.[^.]*$/, '');
  for (const candidate of [`${stem}.weights.h5`, `${stem}.h5`, `${stem}.keras`]) {
    let file: SiblingFile;
    try {
      file = await model.sibling(candidate);
    } catch (e) {
      // Only a file that is not there is passed over: one that is there but refused (a link, a FIFO) is an error worth reading.
      if (e instanceof SourceError && e.missing) continue;
      throw e;
    }
    const name = model.name.replace(/[^\\/]*$/, '') + candidate;
    return { name, open: async () => bytesSource(name, await file.read()) };
  }
  return undefined;
}

/**
 * The weights for a run: `weights` 'random' → seeded random (He/Glorot as the layers declare);
 * a source → that file; undefined → the model file's own weights (a Keras .h5 or .keras), else the
 * weights next to the model, else seeded random.
 */
export async function resolveRunWeights(tf: typeof tfc, analysis: Analysis, model: ModelSource, weights: ModelSource | 'random' | undefined, seed = 0): Promise<RunWeights> {
  // A format whose files carry their weights (TFLite, Keras .h5 / .keras) runs with them unless told otherwise.
  const own = weights === undefined ? formatOfGraph(analysis.graph)?.ownWeights : undefined;
  if (own) {
    const loaded = await own(model, analysis, { tf });
    return { weights: loaded.weights, source: loaded.source, random: false };
  }
  const source = weights === 'random' ? undefined : weights ?? (await (await weightsNextTo(model))?.open());
  if (source) {
    const loaded = await loadWeightsFrom(source, analysis, { tf });
    return { weights: loaded.weights, source: loaded.source, random: false };
  }
  const random = randomWeights(tf, analysis.graph, analysis, seed);
  return { weights: random, source: randomWeightsNotice(seed), random: true };
}
