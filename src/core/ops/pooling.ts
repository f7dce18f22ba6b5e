import type * as tfc from '@tensorflow/tfjs-core';
import { bool, oneOf, pair, nullable } from './attrs';
import { defineOp, ShapeError } from './op';
import { channels, numel, positive, requirePositive, requireRank, windowOut, type Padding } from './tensor-math';

// Pooling: windowed (max, average) and global. FLOPs: one comparison or add per window element
// per output, plus one divide per output for averages.

interface Pool {
  poolSize: readonly [number, number];
  strides: readonly [number, number] | null;
  padding: Padding;
  dataFormat: 'channels_last' | 'channels_first';
}

const poolAttrs = {
  poolSize: pair(2),
  strides: nullable(pair()),
  padding: oneOf(['valid', 'same'] as const, 'valid'),
  dataFormat: oneOf(['channels_last', 'channels_first'] as const, 'channels_last'),
};

function poolShape(x: readonly (number | null)[], a: Pool, what: string) {
  if (a.dataFormat !== 'channels_last') throw new ShapeError(`${what}: data_format channels_first is not supported yet`);
  requireRank(x, 4, what);
  const strides = a.strides ?? a.poolSize; // Keras: strides default to the pool size
  a.poolSize.forEach((p) => positive(p, 'pool_size'));
  const out = [x[0], windowOut(x[1], a.poolSize[0], strides[0], 1, a.padding), windowOut(x[2], a.poolSize[1], strides[1], 1, a.padding), x[3]];
  requirePositive(out, x, `${what} window ${a.poolSize.join('×')}`);
  return out;
}

const poolLabel = (a: Pool): string => {
  const s = a.strides ?? a.poolSize;
  return `${a.poolSize.join('×')} / ${s[0] === s[1] ? s[0] : s.join('×')}`;
};

export const maxPooling2d = defineOp<Pool>({
  kind: 'MaxPooling2D',
  family: 'pool',
  summary: 'Maximum over each window.',
  attrs: poolAttrs,
  arity: { min: 1, max: 1 },
  label: (a) => `max ${poolLabel(a)}`,
  shape: ([x], a) => poolShape(x, a, 'MaxPooling2D'),
  flops: (_, out, a) => numel(out) * (a.poolSize[0] * a.poolSize[1] - 1),
  run: (tf, [x], _, a) => tf.maxPool(x as tfc.Tensor4D, a.poolSize as [number, number], (a.strides ?? a.poolSize) as [number, number], a.padding),
});

export const averagePooling2d = defineOp<Pool>({
  kind: 'AveragePooling2D',
  family: 'pool',
  summary: 'Mean over each window.',
  attrs: poolAttrs,
  arity: { min: 1, max: 1 },
  label: (a) => `avg ${poolLabel(a)}`,
  shape: ([x], a) => poolShape(x, a, 'AveragePooling2D'),
  flops: (_, out, a) => numel(out) * a.poolSize[0] * a.poolSize[1],
  // With 'same' padding the mean is over the window's positions inside the input, as TensorFlow's.
  run: (tf, [x], _, a) => tf.avgPool(x as tfc.Tensor4D, a.poolSize as [number, number], (a.strides ?? a.poolSize) as [number, number], a.padding),
});

interface GlobalPool {
  keepdims: boolean;
  dataFormat: 'channels_last' | 'channels_first';
}

const globalShape = (x: readonly (number | null)[], a: GlobalPool, what: string) => {
  if (a.dataFormat !== 'channels_last') throw new ShapeError(`${what}: data_format channels_first is not supported yet`);
  requireRank(x, 4, what);
  const c = channels(x, what);
  return a.keepdims ? [x[0], 1, 1, c] : [x[0], c];
};

const globalAttrs = { keepdims: bool(false), dataFormat: poolAttrs.dataFormat };

export const globalAveragePooling2d = defineOp<GlobalPool>({
  kind: 'GlobalAveragePooling2D',
  family: 'pool',
  summary: 'Mean over all spatial positions, per channel.',
  attrs: globalAttrs,
  arity: { min: 1, max: 1 },
  label: () => 'global avg',
  shape: ([x], a) => globalShape(x, a, 'GlobalAveragePooling2D'),
  flops: ([x], out) => numel(x) + numel(out),
  run: (tf, [x], _, a) => tf.mean(x, [1, 2], a.keepdims),
});

export const globalMaxPooling2d = defineOp<GlobalPool>({
  kind: 'GlobalMaxPooling2D',
  family: 'pool',
  summary: 'Maximum over all spatial positions, per channel.',
  attrs: globalAttrs,
  arity: { min: 1, max: 1 },
  label: () => 'global max',
  shape: ([x], a) => globalShape(x, a, 'GlobalMaxPooling2D'),
  flops: ([x], out) => numel(x) - numel(out),
  run: (tf, [x], _, a) => tf.max(x, [1, 2], a.keepdims),
});

export default [maxPooling2d, averagePooling2d, globalAveragePooling2d, globalMaxPooling2d];
