import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../analysis/types';
import { SourceError, type ModelSource } from '../formats/source';
import { execute } from '../runtime/executor';
import { disposeWeights, loadWeightsFrom, type WeightMap } from '../runtime/weights';
import { formatShape } from '../ops/tensor-math';
import { type RgbImage } from './image-io';
import { analyzeText } from '..';
import { analyzeTransformNet, modelMetadata } from './transform-net';

// Fast mode: one forward pass of a trained transformation network (a TF.js layers model.json —
// ours or the user's), run by the project's executor. Large images are cut into tiles (default
// 512², 64 px overlap) so that memory stays that of one tile: each tile is stylised alone and the
// tiles are blended with weights that fall linearly to 0 over the overlap (the first 8 px, where
// the network's own border effects live, get weight 0), so no seam shows. A network built only of
// convolutions, BN at inference and element-wise ops gives the same pixels away from tile borders
// as on the whole image; normalisations with per-image statistics (instance norm) would differ
// per tile, which the blend smooths but cannot remove — our presets use BN for that reason.
// Pixel ranges: our nets (model.json metadata `outputRange: "0-255"`) take and give RGB in [0, 255].
// Other nets: input [0, 255]; output read from the last layer: tanh → [−1, 1], sigmoid → [0, 1],
// Rescaling without offset (Johnson's 150·tanh) → mean-centred (+ ImageNet mean), else [0, 255].

export class StyleModelError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'StyleModelError';
  }
}

export interface TransformModel {
  readonly path: string;
  readonly text: string;
  readonly weights: WeightMap;
  readonly weightsSource: string;
  readonly metadata: Record<string, unknown>;
  readonly outputRange: '0-255' | '-1-1' | '0-1' | 'centred';
  /** The analysis for a 1×H×W×3 input (cached per size); throws StyleModelError when the model cannot take it. */
  analysisFor(height: number, width: number): Analysis;
  dispose(): void;
}

const IMAGENET_MEAN_RGB = [123.68, 116.779, 103.939];

/** A transformation network from its model.json (the source's siblings are its shards); src/node/style opens files. */
export async function loadTransformModel(tf: typeof tfc, source: ModelSource): Promise<TransformModel> {
  const modelJsonPath = source.name;
  let text: string;
  try {
    text = source.text();
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    throw new StyleModelError(modelJsonPath, `cannot read the style model ${modelJsonPath}: ${e.reason}`);
  }
  const cache = new Map<string, Analysis>();
  const analysisFor = (h: number, w: number): Analysis => {
    const key = `${h}x${w}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const a = analyzeTransformNet(text, modelJsonPath, h, w);
    const error = a.diagnostics.find((d) => d.severity === 'error');
    if (a.graph.inputs.length !== 1) throw new StyleModelError(modelJsonPath, `the style model ${modelJsonPath} takes ${a.graph.inputs.length} inputs; a transformation network takes one RGB image`);
    const declared = a.graph.nodes.find((n) => n.id === a.graph.inputs[0]);
    const declaredShape = (declared?.attrs as { shape?: readonly (number | null)[] } | undefined)?.shape;
    const outShape = a.graph.outputs.length === 1 ? a.byId.get(a.graph.outputs[0].node)?.outputShape : undefined;
    if (error || !outShape || outShape.length !== 4 || outShape[1] !== h || outShape[2] !== w || outShape[3] !== 3) {
      const what = error ? error.message : `its output is ${outShape ? formatShape(outShape) : 'not one tensor'}, not 1×${h}×${w}×3`;
      throw new StyleModelError(modelJsonPath, `the style model ${modelJsonPath} cannot turn a 1×${h}×${w}×3 RGB image into an image of the same size${declaredShape ? ` (it declares input ${formatShape(declaredShape)})` : ''}: ${what}`);
    }
    cache.set(key, a);
    return a;
  };
  // The input as the file declares it: a transformation network takes RGB images (any size, or its own).
  const declaredAnalysis = analyzeText(text, modelJsonPath);
  const declaredIn = declaredAnalysis.graph.inputs.length === 1 ? declaredAnalysis.inputShapes.get(declaredAnalysis.graph.inputs[0]) : undefined;
  if (declaredIn && (declaredIn.length !== 4 || declaredIn[3] !== 3)) {
    throw new StyleModelError(modelJsonPath, `the style model ${modelJsonPath} takes input ${formatShape(declaredIn)}: a transformation network must take RGB images (N, H, W, 3) and give images of the same size`);
  }
  const probe = analysisFor(256, 256);
  const loaded = await loadWeightsFrom(source, probe, { tf });
  const metadata = modelMetadata(text);
  const last = probe.graph.nodes.find((n) => n.id === probe.graph.outputs[0].node)!;
  const act = (last.attrs as { activation?: string }).activation;
  const outputRange: TransformModel['outputRange'] =
    metadata.outputRange === '0-255' ? '0-255'
      : act === 'tanh' ? '-1-1'
      : act === 'sigmoid' ? '0-1'
      : last.op === 'Rescaling' && !(last.attrs as { offset: number }).offset ? 'centred'
      : '0-255';
  return { path: modelJsonPath, text, weights: loaded.weights, weightsSource: loaded.source, metadata, outputRange, analysisFor, dispose: () => disposeWeights(loaded.weights) };
}

/**
 * Runs the transformation network on one tile, whatever runs it (tfjs here; ONNX Runtime in
 * src/node/style/fast-engine.ts): `data` is a 1×h×w×3 RGB tile (h, w multiples of 4, already
 * padded by the caller) in [0, 255]; resolves with the network's raw output, 1×h×w×3 (in the
 * model's `outputRange`). The tiling, padding, cropping, range and blending stay here.
 */
export interface TileRunner {
  /** What runs the network, for messages: "tfjs wasm (SIMD)", "onnxruntime (CPU, 16 threads)". */
  readonly name: string;
  run(data: Float32Array, height: number, width: number, signal?: AbortSignal): Promise<Float32Array>;
}

/** The network on tfjs, by the project's executor (the backend `tf` has active). */
export function tfjsTileRunner(tf: typeof tfc, model: TransformModel, name = `tfjs ${tf.getBackend()}`): TileRunner {
  return {
    name,
    async run(data, h, w, signal) {
      const input = tf.tensor4d(data, [1, h, w, 3]);
      try {
        const { outputs } = await execute(tf, model.analysisFor(h, w), model.weights, [input], { signal });
        const values = (await outputs[0].data()) as Float32Array;
        outputs.forEach((o) => o.dispose());
        return values;
      } finally {
        input.dispose();
      }
    },
  };
}

export interface FastOptions {
  /** Tile side in px (default 512); images up to this size run in one pass. */
  readonly tile?: number;
  /** Overlap between neighbouring tiles in px (default 64). */
  readonly overlap?: number;
  readonly signal?: AbortSignal;
  readonly onTile?: (done: number, total: number) => void;
  /** What runs each tile; default the network on `tf` (tfjsTileRunner). */
  readonly runner?: TileRunner;
}

export interface FastResult {
  readonly image: RgbImage;
  readonly tiles: number;
  /** What ran the network (the runner's name). */
  readonly engine: string;
}

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

/** Tile origins along one axis of length `len`: evenly spread, the first at 0 and the last flush with the end. */
export function tileStarts(len: number, tile: number, overlap: number): number[] {
  if (len <= tile) return [0];
  const n = Math.ceil((len - overlap) / (tile - overlap));
  return Array.from({ length: n }, (_, i) => Math.round((i * (len - tile)) / (n - 1)));
}

/** Blend weight at position x of a tile of length t; sides flush with the image edge keep weight 1. */
function ramp(x: number, t: number, overlap: number, atStart: boolean, atEnd: boolean): number {
  const dead = Math.min(8, overlap / 4);
  const up = (d: number) => Math.max(0, Math.min(1, (d + 0.5 - dead) / (overlap - dead)));
  let w = 1;
  if (!atStart) w = Math.min(w, up(x));
  if (!atEnd) w = Math.min(w, up(t - 1 - x));
  return Math.max(w, 1e-6);
}

/** Symmetric (edge-repeating) mirror index past the end of an axis of length n. */
const mirror = (i: number, n: number) => (i < n ? i : Math.max(0, 2 * n - 1 - i));

async function runTile(runner: TileRunner, model: TransformModel, data: Float32Array, h: number, w: number, signal?: AbortSignal): Promise<Float32Array> {
  // Pad (mirror, symmetric) to a multiple of 4 so that the strided convolutions and their transposes line up.
  const ph = roundUp4(h), pw = roundUp4(w);
  let input = data;
  if (ph !== h || pw !== w) {
    input = new Float32Array(ph * pw * 3);
    for (let y = 0; y < ph; y++) {
      const sy = mirror(y, h);
      for (let x = 0; x < pw; x++) {
        const s = (sy * w + mirror(x, w)) * 3, d = (y * pw + x) * 3;
        input[d] = data[s];
        input[d + 1] = data[s + 1];
        input[d + 2] = data[s + 2];
      }
    }
  }
  const raw = await runner.run(input, ph, pw, signal);
  // Crop back to h×w and map the network's range to [0, 255].
  const out = new Float32Array(h * w * 3);
  const range = model.outputRange;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * pw + x) * 3, d = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = raw[s + c];
        out[d + c] = range === '-1-1' ? (v + 1) * 127.5 : range === '0-1' ? v * 255 : range === 'centred' ? v + IMAGENET_MEAN_RGB[c] : v;
      }
    }
  }
  return out;
}

/** Stylises `image` with a transformation network, by tiles when it is larger than one tile. */
export async function stylizeFast(tf: typeof tfc, model: TransformModel, image: RgbImage, options: FastOptions = {}): Promise<FastResult> {
  const runner = options.runner ?? tfjsTileRunner(tf, model);
  const tile = options.tile ?? 512;
  const overlap = Math.min(options.overlap ?? 64, Math.floor(tile / 2));
  const { width: W, height: H } = image;
  const xs = tileStarts(W, tile, overlap);
  const ys = tileStarts(H, tile, overlap);
  const tw = Math.min(W, tile), th = Math.min(H, tile);
  const acc = new Float32Array(W * H * 3);
  const wsum = new Float32Array(W * H);
  const total = xs.length * ys.length;
  let done = 0;
  for (const y0 of ys) {
    for (const x0 of xs) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('stylisation was cancelled');
      const patch = new Float32Array(tw * th * 3);
      for (let y = 0; y < th; y++) {
        for (let x = 0; x < tw; x++) {
          const s = ((y0 + y) * W + x0 + x) * 3, d = (y * tw + x) * 3;
          patch[d] = image.data[s];
          patch[d + 1] = image.data[s + 1];
          patch[d + 2] = image.data[s + 2];
        }
      }
      const out = await runTile(runner, model, patch, th, tw, options.signal);
      for (let y = 0; y < th; y++) {
        const wy = ramp(y, th, overlap, y0 === 0, y0 + th >= H);
        for (let x = 0; x < tw; x++) {
          const wgt = wy * ramp(x, tw, overlap, x0 === 0, x0 + tw >= W);
          const p = (y0 + y) * W + x0 + x, d = (y * tw + x) * 3;
          acc[p * 3] += wgt * out[d];
          acc[p * 3 + 1] += wgt * out[d + 1];
          acc[p * 3 + 2] += wgt * out[d + 2];
          wsum[p] += wgt;
        }
      }
      options.onTile?.(++done, total);
    }
  }
  const data = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(acc[p * 3 + c] / wsum[p])));
  return { image: { width: W, height: H, data }, tiles: total, engine: runner.name };
}
