import type * as tfc from '@tensorflow/tfjs-core';
import type { Dim, TensorShape } from '../ir';
import { bool, float, int } from './attrs';
import { identityPerm } from '../engine/onnx-emitter';
import { activationAttr, activationCost, applyActivation, fusedActivation, onnxActivation, type ActivationName } from './activation';
import { defineOp, ShapeError } from './op';
import { broadcastShapes, channels, formatShape, numel, positive } from './tensor-math';

export const dense = defineOp<{ units: number; useBias: boolean; activation: ActivationName }>({
  kind: 'Dense',
  family: 'dense',
  summary: 'Fully connected layer over the last axis.',
  attrs: { units: int(), useBias: bool(true), activation: activationAttr('linear') },
  // Graph formats pass the kernel and the bias as inputs 1 and 2 (TFLite's FULLY_CONNECTED; a TF.js graph's MatMul over a stored matrix).
  arity: { min: 1, max: 3 },
  operands: ['data', { weight: 'kernel' }, { weight: 'bias' }],
  label: (a) => `${a.units}${a.activation !== 'linear' ? `, ${a.activation}` : ''}`,
  shape: ([x], a) => {
    if (x.length < 2) throw new ShapeError(`Dense needs an input with a batch and a feature axis, got ${formatShape(x)}`);
    channels(x, 'Dense');
    return [...x.slice(0, -1), positive(a.units, 'units')];
  },
  // Keras applies Dense to the last axis of any tensor; on an image that is almost always a missing Flatten.
  warn: ([x]) =>
    x.length > 2
      ? `Dense on a ${x.length}-D input ${formatShape(x)} acts on the last axis only (${x[x.length - 1]} features per position); did you mean to Flatten or pool first?`
      : undefined,
  weights: ([x], a) => [
    { name: 'kernel', shape: [channels(x, 'Dense'), a.units], trainable: true },
    ...(a.useBias ? [{ name: 'bias', shape: [a.units], trainable: true }] : []),
  ],
  macs: ([x], out) => numel(out) * channels(x, 'Dense'),
  flops: ([x], out, a) => 2 * numel(out) * channels(x, 'Dense') + (a.useBias ? numel(out) : 0) + activationCost(a.activation, numel(out)),
  // On the last axis of any rank: fold the leading axes into one, multiply, unfold.
  run: (tf, [x], w, a) => {
    const cin = x.shape[x.rank - 1];
    const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, cin])) as tfc.Tensor2D;
    const bias = a.useBias ? w.bias : undefined;
    const fused = fusedActivation(a.activation);
    let y: tfc.Tensor = fused ? tf.fused.matMul({ a: x2, b: w.kernel as tfc.Tensor2D, bias, activation: fused }) : tf.matMul(x2, w.kernel as tfc.Tensor2D);
    if (!fused) y = applyActivation(tf, a.activation, bias ? tf.add(y, bias) : y);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), a.units]);
  },
  // On the IR's own last axis: Gemm (bias fused) for a batch of vectors, MatMul and Add for higher ranks.
  onnx: (g, [x], a, { weights: w, inputShapes: [shape] }) => {
    const input = g.logical(x);
    const kernel = g.weight(w.kernel, 'kernel');
    const bias = a.useBias ? [g.weight(w.bias, 'bias')] : [];
    let y: string;
    if (shape.length === 2) y = g.node('Gemm', [input, kernel, ...bias]);
    else {
      y = g.node('MatMul', [input, kernel]);
      if (a.useBias) y = g.node('Add', [y, ...bias]);
    }
    return onnxActivation(g, a.activation, { name: y, perm: identityPerm(shape.length) });
  },
});

type GemmAttrs = { transA: boolean; transB: boolean; alpha: number; beta: number };

/** Gemm's [M, K] and [K, N] after its transposes; a ShapeError where the inner dimensions differ. */
function gemmDims([x, b]: readonly TensorShape[], a: GemmAttrs): { m: Dim; k: Dim; n: Dim } {
  if (x.length !== 2 || b?.length !== 2) throw new ShapeError(`Gemm needs two 2-D inputs, got ${formatShape(x)} and ${b ? formatShape(b) : 'none'}`);
  const [m, k] = a.transA ? [x[1], x[0]] : [x[0], x[1]];
  const [k2, n] = a.transB ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== null && k2 !== null && k !== k2) throw new ShapeError(`Gemm: A's ${k} columns do not meet B's ${k2} rows (${formatShape(x)} × ${formatShape(b)})`);
  return { m, k: k ?? k2, n };
}

export const gemm = defineOp<GemmAttrs>({
  kind: 'Gemm',
  family: 'dense',
  // ONNX's fully connected layer (torchvision's Linear exports Gemm with transB = 1).
  summary: 'alpha·A·B + beta·C with optional transposes: MACs M·N·K; FLOPs 2·MACs + M·N for C.',
  attrs: { transA: bool(false), transB: bool(false), alpha: float(1), beta: float(1) },
  arity: { min: 2, max: 3 },
  operands: ['data', { weight: 'kernel' }, { weight: 'bias' }],
  label: (a) => (a.transB ? 'gemm Bᵀ' : 'gemm'),
  shape: (inputs, a) => {
    const { m, n } = gemmDims(inputs, a);
    if (inputs[2]) broadcastShapes([inputs[2], [m, n]], 'Gemm bias');
    return [m, n];
  },
  // The file's B and C as they are stored (B is [N, K] when transB); a B or C computed to an unknown shape stores nothing.
  weights: ([, b, c]) =>
    [{ name: 'kernel', shape: b, trainable: true }, ...(c ? [{ name: 'bias', shape: c, trainable: true }] : [])].filter((w): w is { name: string; shape: number[]; trainable: boolean } => w.shape.every((d) => d !== null)),
  macs: (inputs, out, a) => numel(out) * (gemmDims(inputs, a).k ?? NaN),
  flops: (inputs, out, a) => 2 * numel(out) * (gemmDims(inputs, a).k ?? NaN) + (inputs[2] ? numel(out) : 0),
});

/** numpy.matmul's shape: 1-D operands gain (and lose) an axis, leading axes broadcast. */
function matmulShape(p: TensorShape, q: TensorShape): { out: TensorShape; k: Dim } {
  if (p.length === 0 || q.length === 0) throw new ShapeError('MatMul of a scalar');
  const a = p.length === 1 ? [1, p[0]] : p;
  const b = q.length === 1 ? [q[0], 1] : q;
  const [k, k2] = [a[a.length - 1], b[b.length - 2]];
  if (k !== null && k2 !== null && k !== k2) throw new ShapeError(`MatMul: ${formatShape(p)} × ${formatShape(q)}: inner dimensions ${k} and ${k2} differ`);
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)], 'MatMul');
  const out = [...batch, ...(p.length === 1 ? [] : [a[a.length - 2]]), ...(q.length === 1 ? [] : [b[b.length - 1]])];
  return { out, k: k ?? k2 };
}

export const matMul = defineOp<Record<string, never>>({
  kind: 'MatMul',
  family: 'dense',
  // A constant B (a Linear layer without bias, an attention projection) is the node's parameter, as the analysis counts data constants.
  summary: 'Matrix product with numpy broadcasting: MACs = output elements × K; FLOPs 2·MACs.',
  attrs: {},
  arity: { min: 2, max: 2 },
  label: () => 'matmul',
  shape: ([p, q]) => matmulShape(p, q).out,
  macs: ([p, q], out) => numel(out) * (matmulShape(p, q).k ?? NaN),
  flops: ([p, q], out) => 2 * numel(out) * (matmulShape(p, q).k ?? NaN),
  run: (tf, [p, q]) => tf.matMul(p, q),
});

export default [dense, gemm, matMul];
