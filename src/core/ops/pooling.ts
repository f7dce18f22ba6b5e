import type * as tfc from '@tensorflow/tfjs-core';
import type { TensorShape } from '../ir';
import { identityPerm, OnnxExportError, physicalAxis, type OnnxEmitter, type OnnxValue } from '../engine/onnx-emitter';
import { bool, nullable, pair } from './attrs';
import { defineOp, ShapeError } from './op';
import { channels, numel, positive, requireRank } from './tensor-math';
import { ceilModeAttr, channelAxisOf, checkPads, layoutAttr, onnxWindow, paddingAttr, padsAttr, slideShape, spatialAxesOf, tfjsPadding, type Geometry, type Layout, type Padding } from './window';

// Pooling: windowed (max, average) and global, channels last or first. FLOPs: one comparison or
// add per window element per output, plus one divide per output for averages (whether the divisor
// counts the padding, ONNX's count_include_pad, changes no count).

interface Pool {
  poolSize: readonly [number, number];
  strides: readonly [number, number] | null;
  padding: Padding;
  pads: readonly number[];
  ceilMode: boolean;
  dilationRate: readonly [number, number];
  dataFormat: Layout;
}

const poolAttrs = {
  poolSize: pair(2),
  strides: nullable(pair()),
  padding: paddingAttr,
  pads: padsAttr,
  ceilMode: ceilModeAttr,
  dilationRate: pair(1),
  dataFormat: layoutAttr,
};

const geometry = (a: Pool): Geometry => ({
  kernel: a.poolSize,
  strides: a.strides ?? a.poolSize, // Keras: strides default to the pool size
  dilation: a.dilationRate,
  padding: a.padding,
  pads: a.pads,
  ceilMode: a.ceilMode,
});

function poolShape(x: TensorShape, a: Pool, what: string): TensorShape {
  requireRank(x, 4, what);
  a.poolSize.forEach((p) => positive(p, 'pool_size'));
  geometry(a).strides.forEach((s) => positive(s, 'strides'));
  checkPads(geometry(a), what);
  return slideShape(x, a.dataFormat, geometry(a), x[channelAxisOf(4, a.dataFormat)], `${what} window ${a.poolSize.join('×')}`);
}

const poolLabel = (a: Pool): string => {
  const s = a.strides ?? a.poolSize;
  return `${a.poolSize.join('×')} / ${s[0] === s[1] ? s[0] : s.join('×')}${a.ceilMode ? ' ceil' : ''}`;
};

/** The TF.js pooling arguments; only Keras's own forms (no dilation, no pads) run there. */
function tfjsPool(a: Pool, what: string): [[number, number], [number, number], 'valid' | 'same'] {
  const g = geometry(a);
  const padding = tfjsPadding(a.dataFormat, g, what);
  if (a.dilationRate[0] !== 1 || a.dilationRate[1] !== 1) throw new Error(`${what} with dilations has no TensorFlow.js kernel`);
  return [a.poolSize as [number, number], g.strides as [number, number], padding];
}

/** A windowed pool as ONNX's MaxPool or AveragePool, over the input stored channels first. */
function onnxPool(g: OnnxEmitter, opType: 'MaxPool' | 'AveragePool', x: OnnxValue, shape: TensorShape, a: Pool, extra: Record<string, { int: number } | { ints: readonly number[] }>): OnnxValue {
  const { name, perm } = g.channelsFirst(x, channelAxisOf(4, a.dataFormat));
  const size = spatialAxesOf(4, a.dataFormat).map((i) => shape[i] as number);
  return { name: g.node(opType, [name], { ...onnxWindow(geometry(a), size), ...extra }), perm };
}

/** A global pool as a Reduce over the spatial axes where they are stored: no layout is needed, none is forced. */
function onnxGlobalPool(g: OnnxEmitter, opType: 'ReduceMean' | 'ReduceMax', x: OnnxValue, a: GlobalPool): OnnxValue {
  const axes = spatialAxesOf(x.perm.length, a.dataFormat).map((d) => physicalAxis(x.perm, d));
  // Every stored layout keeps the batch first, so dropping the spatial axes leaves [N, C] in the IR's order.
  return { name: g.reduce(opType, x.name, axes, a.keepdims), perm: a.keepdims ? x.perm : identityPerm(2) };
}

export const maxPooling2d = defineOp<Pool>({
  kind: 'MaxPooling2D',
  family: 'pool',
  summary: 'Maximum over each window (ONNX MaxPool: explicit pads, ceil_mode, dilations).',
  attrs: poolAttrs,
  arity: { min: 1, max: 1 },
  label: (a) => `max ${poolLabel(a)}`,
  shape: ([x], a) => poolShape(x, a, 'MaxPooling2D'),
  flops: (_, out, a) => numel(out) * (a.poolSize[0] * a.poolSize[1] - 1),
  run: (tf, [x], _, a) => tf.maxPool(x as tfc.Tensor4D, ...tfjsPool(a, 'MaxPooling2D')),
  onnx: (g, [x], a, { inputShapes: [shape] }) => onnxPool(g, 'MaxPool', x, shape, a, a.dilationRate.some((d) => d !== 1) ? { dilations: { ints: a.dilationRate } } : {}),
});

export const averagePooling2d = defineOp<Pool & { countIncludePad: boolean }>({
  kind: 'AveragePooling2D',
  family: 'pool',
  summary: 'Mean over each window (ONNX AveragePool: explicit pads, ceil_mode; count_include_pad chooses the divisor).',
  attrs: { ...poolAttrs, countIncludePad: bool(false) },
  arity: { min: 1, max: 1 },
  label: (a) => `avg ${poolLabel(a)}`,
  shape: ([x], a) => poolShape(x, a, 'AveragePooling2D'),
  flops: (_, out, a) => numel(out) * a.poolSize[0] * a.poolSize[1],
  // With 'same' padding the mean is over the window's positions inside the input, as TensorFlow's.
  run: (tf, [x], _, a) => tf.avgPool(x as tfc.Tensor4D, ...tfjsPool(a, 'AveragePooling2D')),
  // count_include_pad 0 (ONNX's default) is TensorFlow's 'same': the mean over the window's positions inside the input.
  onnx: (g, [x], a, { inputShapes: [shape] }) => {
    if (a.dilationRate.some((d) => d !== 1)) throw new OnnxExportError(`AveragePooling2D with dilations ${a.dilationRate.join('×')} has no ONNX form before opset 19`);
    return onnxPool(g, 'AveragePool', x, shape, a, a.countIncludePad ? { count_include_pad: { int: 1 } } : {});
  },
});

interface GlobalPool {
  keepdims: boolean;
  dataFormat: Layout;
}

/** Pools every spatial axis (any number of them: ONNX's global pools take N-D inputs). */
const globalShape = (x: TensorShape, a: GlobalPool, what: string): TensorShape => {
  if (x.length < 3) throw new ShapeError(`${what} needs an input with spatial axes, got a ${x.length}-D input`);
  if (a.dataFormat === 'channels_last') requireRank(x, 4, what);
  const axis = channelAxisOf(x.length, a.dataFormat);
  const c = channels(x, what, axis);
  if (!a.keepdims) return [x[0], c];
  return x.map((d, i) => (i === 0 || i === axis ? d : 1));
};

const globalAttrs = { keepdims: bool(false), dataFormat: layoutAttr };

export const globalAveragePooling2d = defineOp<GlobalPool>({
  kind: 'GlobalAveragePooling2D',
  family: 'pool',
  summary: 'Mean over all spatial positions, per channel (ONNX GlobalAveragePool: keepdims, channels first).',
  attrs: globalAttrs,
  arity: { min: 1, max: 1 },
  label: () => 'global avg',
  shape: ([x], a) => globalShape(x, a, 'GlobalAveragePooling2D'),
  flops: ([x], out) => numel(x) + numel(out),
  run: (tf, [x], _, a) => tf.mean(x, spatialAxesOf(x.rank, a.dataFormat), a.keepdims),
  onnx: (g, [x], a) => onnxGlobalPool(g, 'ReduceMean', x, a),
});

export const globalMaxPooling2d = defineOp<GlobalPool>({
  kind: 'GlobalMaxPooling2D',
  family: 'pool',
  summary: 'Maximum over all spatial positions, per channel (ONNX GlobalMaxPool likewise).',
  attrs: globalAttrs,
  arity: { min: 1, max: 1 },
  label: () => 'global max',
  shape: ([x], a) => globalShape(x, a, 'GlobalMaxPooling2D'),
  flops: ([x], out) => numel(x) - numel(out),
  run: (tf, [x], _, a) => tf.max(x, spatialAxesOf(x.rank, a.dataFormat), a.keepdims),
  onnx: (g, [x], a) => onnxGlobalPool(g, 'ReduceMax', x, a),
});

export default [maxPooling2d, averagePooling2d, globalAveragePooling2d, globalMaxPooling2d];
