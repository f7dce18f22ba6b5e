import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../core/analysis/types';
import { SourceError, type ModelSource } from '../core/formats/source';
import type { Graph } from '../core/ir';
import { loadWeightsFrom, WeightsError, type LoadedWeights, type LoadOptions } from '../core/runtime/weights';
import { fileSource } from './file-source';

// Weights files the user names on disk (`cnn-lens run --weights`, the style loss network's VGG-16
// file): a file, or a folder holding one, opened as a source for core's loaders.

/** In a folder: model.json (TF.js) first, then one `.weights.h5` / `.h5` / `.keras` file. */
export function findWeightsInFolder(dir: string): string | undefined {
  if (existsSync(join(dir, 'model.json'))) return join(dir, 'model.json');
  const files = readdirSync(dir).sort();
  const pick = (re: RegExp) => files.filter((f) => re.test(f));
  for (const re of [/\.weights\.h5$/i, /\.(h5|hdf5)$/i, /\.keras$/i]) {
    const hits = pick(re);
    if (hits.length === 1) return join(dir, hits[0]);
    if (hits.length > 1) throw new WeightsError(dir, hits, `${dir} holds several weight files; name one`);
  }
  return undefined;
}

/** The weights file at `path` (or the one in the folder `path`) as a source; a WeightsError when there is none. */
export function weightsSource(path: string): ModelSource {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const found = findWeightsInFolder(path);
    if (!found) throw new WeightsError(path, [], `${path} holds no weights (no model.json, .weights.h5, .h5 or .keras file)`);
    file = found;
  }
  try {
    return fileSource(file);
  } catch (e) {
    if (e instanceof SourceError) throw new WeightsError(file, [], `${file} cannot be read (${e.reason})`);
    throw e;
  }
}

/** Loads the weights in a file or folder for a model (see core's loadWeightsFrom for what it reads). */
export const loadWeights = async (path: string, model: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> => loadWeightsFrom(weightsSource(path), model, options);
