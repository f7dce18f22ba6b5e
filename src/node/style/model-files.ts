import type * as tfc from '@tensorflow/tfjs-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '../../core/formats/source';
import type { WeightMap } from '../../core/runtime/weight-map';
import { loadTransformModel, StyleModelError, type TransformModel } from '../../core/style/fast';
import { layersModelFiles, modelMetadata, type SaveModelOptions } from '../../core/style/transform-net';
import { fileSource, readUserText } from '../file-source';

// Transformation networks on disk: a TF.js layers model.json and its shard, written by Train mode
// and read by Fast mode.

/** Writes `dir/model.json` + `dir/group1-shard1of1.bin` (see core's layersModelFiles). */
export function saveLayersModel(dir: string, topology: Record<string, unknown>, weights: WeightMap, options: SaveModelOptions = {}): { bytes: number; files: string[] } {
  const { modelJson, shardName, shard } = layersModelFiles(topology, weights, options);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, shardName), shard);
  writeFileSync(join(dir, 'model.json'), modelJson);
  return { bytes: shard.length, files: [join(dir, 'model.json'), join(dir, shardName)] };
}

/** model.json's CNN Lens metadata (style, loss network, step); {} when the file has none or cannot be read. */
export function readModelMetadata(modelJsonPath: string): Record<string, unknown> {
  try {
    return modelMetadata(readUserText(modelJsonPath, 'style'));
  } catch {
    return {};
  }
}

/** A transformation network from a model.json on disk, its shards read next to it with the file guards. */
export async function loadTransformModelFile(tf: typeof tfc, modelJsonPath: string): Promise<TransformModel> {
  let source;
  try {
    source = fileSource(modelJsonPath, { kind: 'style' });
  } catch (e) {
    if (e instanceof SourceError) throw new StyleModelError(modelJsonPath, `cannot read the style model ${modelJsonPath}: ${e.reason}`);
    throw e;
  }
  return loadTransformModel(tf, source);
}
