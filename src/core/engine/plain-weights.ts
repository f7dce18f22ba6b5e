import type * as tfc from '@tensorflow/tfjs-core';
import type { WeightMap } from '../runtime/weight-map';
import type { PlainTensor, PlainWeights } from './onnx-emitter';

// The exporter reads weights as plain data; today's loaders and the seeded generator make tfjs
// tensors. One read of each tensor (a tensor shared by several nodes becomes one PlainTensor, so
// the exporter writes it once).

export async function plainWeights(weights: WeightMap): Promise<PlainWeights> {
  const read = new Map<tfc.Tensor, Promise<PlainTensor>>();
  const plain = (t: tfc.Tensor): Promise<PlainTensor> => {
    let p = read.get(t);
    if (!p) read.set(t, (p = t.data().then((data) => ({ shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>) }))));
    return p;
  };
  const entries = await Promise.all(
    [...weights].map(async ([id, record]) => [id, Object.fromEntries(await Promise.all(Object.entries(record).map(async ([name, t]) => [name, await plain(t)] as const)))] as const),
  );
  return new Map(entries);
}
