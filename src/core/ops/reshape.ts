import { float, ints } from './attrs';
import { defineOp, ShapeError } from './op';
import { formatShape, perItem } from './tensor-math';

// Ops that move data without computing on it: Flatten, Reshape, and the training-only layers
// (Dropout and friends) that are the identity at inference.

export const flatten = defineOp<Record<string, never>>({
  kind: 'Flatten',
  family: 'reshape',
  summary: 'Flattens everything but the batch axis.',
  attrs: {},
  arity: { min: 1, max: 1 },
  label: () => 'flatten',
  shape: ([x]) => {
    const n = perItem(x);
    return [x[0], Number.isNaN(n) ? null : n];
  },
  flops: () => 0,
  run: (tf, [x]) => tf.reshape(x, [x.shape[0], -1]),
});

export const reshape = defineOp<{ targetShape: readonly number[] }>({
  kind: 'Reshape',
  family: 'reshape',
  summary: 'Reshapes each batch item to `target_shape` (one -1 is inferred).',
  attrs: { targetShape: ints() },
  arity: { min: 1, max: 1 },
  label: (a) => `→ ${a.targetShape.join('×')}`,
  shape: ([x], a) => {
    const target = a.targetShape;
    const holes = target.filter((d) => d === -1).length;
    if (holes > 1) throw new ShapeError(`target_shape ${JSON.stringify(target)} has more than one -1`);
    if (target.some((d) => d < -1 || d === 0)) throw new ShapeError(`target_shape ${JSON.stringify(target)} has a dimension that is not positive`);
    const size = perItem(x);
    const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    if (Number.isNaN(size)) return [x[0], ...target.map((d) => (d === -1 ? null : d))];
    if (holes === 1) {
      if (size % known !== 0) throw new ShapeError(`cannot reshape ${formatShape(x)} (${size} values per item) to ${JSON.stringify(target)}`);
      return [x[0], ...target.map((d) => (d === -1 ? size / known : d))];
    }
    if (known !== size) throw new ShapeError(`cannot reshape ${formatShape(x)} (${size} values per item) to ${JSON.stringify(target)} (${known} values)`);
    return [x[0], ...target];
  },
  flops: () => 0,
  run: (tf, [x], _, a) => tf.reshape(x, [x.shape[0], ...a.targetShape]),
});

export const dropout = defineOp<{ rate: number }>({
  kind: 'Dropout',
  family: 'regularization',
  summary: 'Randomly zeroes inputs while training; the identity at inference.',
  attrs: { rate: float(0.5) },
  arity: { min: 1, max: 1 },
  label: (a) => `dropout ${a.rate}`,
  shape: ([x], a) => {
    if (a.rate < 0 || a.rate >= 1) throw new ShapeError(`rate must be in [0, 1), got ${a.rate}`);
    return x;
  },
  flops: () => 0,
  run: (_tf, [x]) => x,
});

export const identity = defineOp<Record<string, never>>({
  kind: 'Identity',
  family: 'other',
  summary: 'Passes its input through unchanged (noise and regularisation layers at inference).',
  attrs: {},
  arity: { min: 1, max: 1 },
  label: () => 'identity',
  shape: ([x]) => x,
  flops: () => 0,
  run: (_tf, [x]) => x,
});

export default [flatten, reshape, dropout, identity];
