import type * as tfc from '@tensorflow/tfjs-core';
import type { WeightMap } from '../src/core/runtime/weight-map';
import type { TensorBytes, WeightBytes } from './protocol';

// What the host puts into a `run` message for the run worker: tensors as float32 bytes of their own
// (ArrayBuffers cross postMessage without becoming JSON). Used by the extension host and the tests.

export async function tensorBytes(t: tfc.Tensor): Promise<TensorBytes> {
  return { shape: t.shape, data: Float32Array.from(await t.data()).buffer };
}

/** Each weight tensor once: later calls of shared layers and nested models share the first call's record, and the worker finds it there. */
export async function weightBytes(weights: WeightMap): Promise<WeightBytes[]> {
  const seen = new Set<object>();
  const out: WeightBytes[] = [];
  for (const [node, record] of weights) {
    if (seen.has(record)) continue;
    seen.add(record);
    for (const [name, t] of Object.entries(record)) out.push({ node, name, ...(await tensorBytes(t)) });
  }
  return out;
}
