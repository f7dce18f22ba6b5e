import type * as tfc from '@tensorflow/tfjs-core';
import type { LayerStats } from '../../shared/protocol';

// Summary statistics of layer outputs, computed on the backend that ran them: what a test compares
// with the host's execute() without moving whole activations across postMessage.

const HEAD = 16;

export async function layerStats(tf: typeof tfc, taps: ReadonlyMap<string, tfc.Tensor>): Promise<Record<string, LayerStats>> {
  const out: Record<string, LayerStats> = {};
  for (const [id, t] of taps) {
    if (t.size === 0 || t.dtype === 'string') continue;
    const summary = tf.tidy(() => {
      const flat = tf.reshape(t, [-1]);
      return tf.concat([tf.stack([tf.min(flat), tf.max(flat), tf.mean(flat), tf.mean(tf.abs(flat))]), tf.slice(flat, 0, Math.min(HEAD, t.size))]);
    });
    const v = Array.from(await summary.data());
    summary.dispose();
    out[id] = { shape: t.shape, min: v[0], max: v[1], mean: v[2], meanAbs: v[3], head: v.slice(4) };
  }
  return out;
}

/** The same statistics of plain arrays (onnxruntime-web's outputs, already on the CPU). */
export function arrayStats(taps: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>): Record<string, LayerStats> {
  const out: Record<string, LayerStats> = {};
  for (const [id, { shape, data }] of taps) {
    if (!data.length) continue;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumAbs = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sumAbs += Math.abs(v);
    }
    out[id] = { shape, min, max, mean: sum / data.length, meanAbs: sumAbs / data.length, head: Array.from(data.subarray(0, HEAD)) };
  }
  return out;
}
