import * as tfcore from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Analysis } from '../../analysis/types';
import type { Graph } from '../../ir';
import { bindConstantWeights } from '../../runtime/constant-weights';
import { asAnalysis, WeightsError, type LoadedWeights, type LoadOptions } from '../../runtime/weights';
import { decodeGroup } from '../keras/weights-tfjs';
import { baseName, SourceError, type ModelSource } from '../source';
import { manifestGroups, openGroup } from './manifest';

// A graph model's constants for the engine: each manifest group's shards read and decoded by
// tfjs-core's own decodeWeights (as the layers loader does), quantised ones dequantised to float32
// there, then bound to the nodes that read them by their operand positions.

export async function loadTfjsGraphWeights(source: ModelSource, model: Graph | Analysis, options: LoadOptions = {}): Promise<LoadedWeights> {
  const tf = options.tf ?? tfcore;
  const analysis = asAnalysis(model);
  const name = baseName(source.name);
  let groups;
  try {
    groups = manifestGroups(JSON.parse(source.text()));
  } catch (e) {
    throw new WeightsError(source.name, [], `${source.name}: cannot read the weights manifest (${(e as Error).message})`);
  }
  if (typeof groups === 'string') throw new WeightsError(source.name, [], `${source.name}: ${groups}`);
  if (!groups) throw new WeightsError(source.name, [], `${source.name} has no weightsManifest: a graph model without weights`);
  const tensors = new Map<string, tfc.Tensor>();
  let files = 0;
  try {
    for (const group of groups) {
      let bytes: Uint8Array;
      try {
        const open = await openGroup(source, group);
        bytes = await open.read(0, open.size);
        files += open.files.length;
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        throw new WeightsError(source.name, [], `${source.name}: weight shard ${e.file} cannot be read (${e.reason})`);
      }
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      for (const { spec, tensor } of decodeGroup(tf, buffer, group.weights, `${name} (${group.paths.join(', ')})`)) {
        tensors.get(spec.name)?.dispose();
        tensors.set(spec.name, tensor);
      }
    }
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  const weights = bindConstantWeights(analysis, tensors, source.name);
  const quantised = [...new Set(groups.flatMap((g) => g.weights).filter((w) => w.quantization).map((w) => `${w.quantization!.dtype}-quantised`))];
  const stored = quantised.length ? `${quantised.join(', ')} weights dequantised to float32` : 'float32';
  return { weights, source: `TF.js graph shards next to ${name} (${files} file${files === 1 ? '' : 's'}, ${stored})` };
}
