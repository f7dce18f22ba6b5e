import type { MappedOp, TfNodeView } from './node-view';
import { constShape, flag, list, nhwc, num, one, spatialPair, unknown, windowPadding, type Mapper } from './ops-map-attrs';

// GraphDef convolutions, matrix products, pools and batch norms onto the op table (NHWC). The
// converter fuses a convolution with its bias and activation (`_FusedConv2D` with
// `fused_ops: [BiasAdd, Relu6]`, `FusedDepthwiseConv2dNative`, `_FusedMatMul`): the bias becomes
// the op's bias weight, the activation its `activation` attribute; what no op holds (a fused
// FusedBatchNorm, a Prelu with its slope) follows as another link of the chain.

/** Fused activations that are a conv's or Dense's own `activation` attribute. */
const FUSED_ACTIVATIONS: Readonly<Record<string, string>> = { Relu: 'relu', Relu6: 'relu6', Elu: 'elu', Sigmoid: 'sigmoid', Tanh: 'tanh' };

interface Fusion {
  readonly bias: boolean;
  readonly activation: string;
  /** Links after the main op: a batch norm over the fused args, a Prelu or LeakyRelu that no attribute holds. */
  readonly after: readonly MappedOp[];
}

/** Reads `fused_ops` (and their extra args, inputs `first`…): what the main op holds and what follows it. */
function fusion(v: TfNodeView, first: number): Fusion | string {
  const ops = (list<string>(v, 'fused_ops') ?? []).filter((o) => o !== '');
  let bias = false;
  let activation = 'linear';
  const after: MappedOp[] = [];
  let arg = first;
  for (const [k, op] of ops.entries()) {
    if (op === 'BiasAdd' && k === 0) {
      bias = true;
      arg++;
    } else if ((op === 'FusedBatchNorm' || op === 'FusedBatchNormV3') && k === 0) {
      after.push({ op: 'BatchNormalization', attrs: { axis: [-1], epsilon: num(v, 'epsilon', 1e-4), center: true, scale: true }, inputs: [arg, arg + 1, arg + 2, arg + 3] });
      arg += 4;
    } else if (k === ops.length - 1 && FUSED_ACTIVATIONS[op] && !after.length) {
      activation = FUSED_ACTIVATIONS[op];
    } else if (k === ops.length - 1 && FUSED_ACTIVATIONS[op]) {
      after.push({ op: 'Activation', attrs: { activation: FUSED_ACTIVATIONS[op] } });
    } else if (k === ops.length - 1 && op === 'Prelu') {
      after.push({ op: 'PReLU', attrs: {}, inputs: [arg++] });
    } else if (k === ops.length - 1 && op === 'LeakyRelu') {
      after.push({ op: 'LeakyReLU', attrs: { alpha: num(v, 'leakyrelu_alpha', 0.2) } });
    } else {
      return `${v.op} with fused_ops [${ops.join(', ')}], a fusion CNN Lens does not know`;
    }
  }
  return { bias, activation, after };
}

/** The main op, its fused bias and activation, then whatever follows in the chain. */
function fused(v: TfNodeView, main: (f: Fusion) => MappedOp | string): ReturnType<Mapper> {
  const f = fusion(v, 2);
  if (typeof f === 'string') return unknown(f);
  const head = main(f);
  if (typeof head === 'string') return unknown(head);
  return { chain: [head, ...f.after] };
}

const window2d = (v: TfNodeView) => {
  const padding = windowPadding(v);
  if (typeof padding === 'string') return padding;
  return { strides: spatialPair(v, 'strides', 1), dilationRate: spatialPair(v, 'dilations', 1), ...padding, dataFormat: 'channels_last' };
};

const conv2d: Mapper = (v) => {
  const layout = nhwc(v);
  if (layout) return unknown(layout);
  const filter = constShape(v, 1);
  if (!filter || filter.length !== 4) return unknown(`${v.op} whose filter is not a stored 4-D constant`);
  return fused(v, (f) => {
    const w = window2d(v);
    if (typeof w === 'string') return w;
    const [kh, kw, , out] = filter;
    return { op: 'Conv2D', attrs: { filters: out, kernelSize: [kh, kw], ...w, useBias: f.bias, activation: f.activation }, inputs: f.bias ? [0, 1, 2] : [0, 1] };
  });
};

const depthwise: Mapper = (v) => {
  const layout = nhwc(v);
  if (layout) return unknown(layout);
  const filter = constShape(v, 1);
  if (!filter || filter.length !== 4) return unknown(`${v.op} whose filter is not a stored 4-D constant`);
  return fused(v, (f) => {
    const w = window2d(v);
    if (typeof w === 'string') return w;
    return { op: 'DepthwiseConv2D', attrs: { kernelSize: [filter[0], filter[1]], depthMultiplier: filter[3], ...w, useBias: f.bias, activation: f.activation }, inputs: f.bias ? [0, 1, 2] : [0, 1] };
  });
};

/** MatMul over a stored [K, N] matrix is a Dense layer; a transposed or computed operand is a plain matrix product. */
const matMul: Mapper = (v) => {
  const b = constShape(v, 1);
  const [ta, tb] = [flag(v, 'transpose_a', false), flag(v, 'transpose_b', false)];
  return fused(v, (f): MappedOp | string => {
    if (b?.length === 2 && !ta && !tb) return { op: 'Dense', attrs: { units: b[1], useBias: f.bias, activation: f.activation }, inputs: f.bias ? [0, 1, 2] : [0, 1] };
    if (f.bias || f.activation !== 'linear') return `${v.op} with transpose_a ${ta}, transpose_b ${tb} and fused ops`;
    if (ta || tb) return { op: 'Gemm', attrs: { transA: ta, transB: tb }, inputs: [0, 1] };
    return { op: 'MatMul', attrs: {}, inputs: [0, 1] };
  });
};

const pool = (kind: string): Mapper => (v) => {
  const layout = nhwc(v);
  if (layout) return unknown(layout);
  const padding = windowPadding(v);
  if (typeof padding === 'string') return unknown(padding);
  return one(kind, { poolSize: spatialPair(v, 'ksize', 1), strides: spatialPair(v, 'strides', 1), ...padding, dataFormat: 'channels_last' }, [0]);
};

/** FusedBatchNorm(V3): x, scale, offset, mean, variance; the extra outputs are training's. */
const batchNorm: Mapper = (v) => {
  const layout = nhwc(v);
  if (layout) return unknown(layout);
  if (flag(v, 'is_training', false)) return unknown(`${v.op} in training mode (CNN Lens analyses inference)`);
  return one('BatchNormalization', { axis: [-1], epsilon: num(v, 'epsilon', 1e-4), center: true, scale: true }, [0, 1, 2, 3, 4]);
};

export const CONV_OPS: Readonly<Record<string, Mapper>> = {
  Conv2D: conv2d,
  _FusedConv2D: conv2d,
  DepthwiseConv2dNative: depthwise,
  FusedDepthwiseConv2dNative: depthwise,
  MatMul: matMul,
  _FusedMatMul: matMul,
  MaxPool: pool('MaxPooling2D'),
  AvgPool: pool('AveragePooling2D'),
  FusedBatchNorm: batchNorm,
  FusedBatchNormV2: batchNorm,
  FusedBatchNormV3: batchNorm,
};
