import { tfDType } from './attr-values';
import type { Mapped, TfNodeView } from './node-view';
import { CONV_OPS } from './ops-map-conv';
import { constValues, flag, list, num, one, positions, str, unknown, type Mapper } from './ops-map-attrs';

// GraphDef op names onto the op table. Only the mapping lives here; every shape and cost rule is
// the op's own (src/core/ops), so a TF.js graph model's figures follow the same conventions as a
// Keras model's. Operands TensorFlow passes as Const inputs (Reshape's shape, Pad's paddings,
// Mean's axes, ConcatV2's axis) become attributes where their values were read from the shards,
// and stay static inputs where not. 'Const', 'Placeholder' and 'Identity' over a Const are the
// reader's (constants, inputs and aliases).

const same = (kind: string): Mapper => (v) => one(kind, {}, positions(v));
const activation = (name: string): Mapper => () => one('Activation', { activation: name }, [0]);

/** Reductions: axes from input 1 (a Const), `keep_dims`. */
const reduction = (kind: string): Mapper => (v) => {
  const axes = constValues(v, 1);
  const keepdims = flag(v, 'keep_dims', false);
  return axes ? one(kind, { axes, keepdims }, [0]) : one(kind, { keepdims }, [0, 1]);
};

/** ConcatV2: the data inputs, then the axis as the last input. */
const concat: Mapper = (v) => {
  const axis = constValues(v, v.inputs.length - 1)?.[0];
  if (axis === undefined) return unknown('ConcatV2 whose axis is not a stored constant that was read');
  const data = positions(v).slice(0, -1);
  return data.length === 1 ? one('Identity', {}, data) : one('Concatenate', { axis }, data);
};

/** TensorFlow's Reshape has no "0 copies a dimension" rule: a 0 is a 0 (allowzero). */
const reshape: Mapper = (v) => {
  const shape = constValues(v, 1);
  return shape ? one('ReshapeTo', { shape, allowzero: true }, [0]) : one('ReshapeTo', { allowzero: true }, [0, 1]);
};

/** Pad over H and W only, with zeros, is ZeroPadding2D; anything else the N-D Pad (ONNX order: begins, then ends). */
const pad: Mapper = (v) => {
  const p = constValues(v, 1);
  const mode = v.op === 'MirrorPad' ? (str(v, 'mode', 'REFLECT') === 'SYMMETRIC' ? undefined : 'reflect') : 'constant';
  if (!mode) return unknown('MirrorPad in SYMMETRIC mode (CNN Lens knows REFLECT)');
  const value = v.op === 'PadV2' ? constValues(v, 2)?.[0] : 0;
  if (value === undefined) return unknown('PadV2 whose constant value was not read');
  if (!p) return one('Pad', { mode, value }, [0, 1]);
  if (p.length === 8 && mode === 'constant' && value === 0 && p[0] === 0 && p[1] === 0 && p[6] === 0 && p[7] === 0) {
    return one('ZeroPadding2D', { padding: [[p[2], p[3]], [p[4], p[5]]] }, [0]);
  }
  const pairs = Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]]);
  return one('Pad', { pads: [...pairs.map((q) => q[0]), ...pairs.map((q) => q[1])], mode, value }, [0]);
};

/** ResizeBilinear / ResizeNearestNeighbor: the new [height, width] from input 1, over the NHWC spatial axes. */
const resize = (mode: string): Mapper => (v) => {
  if (flag(v, 'align_corners', false)) return unknown(`${v.op} with align_corners (CNN Lens maps the half-pixel and asymmetric forms)`);
  const sizes = constValues(v, 1);
  const common = { mode, by: 'sizes', axes: [1, 2] };
  return sizes ? one('Resize', { ...common, sizes }, [0]) : one('Resize', common, [0, 1]);
};

const squeeze: Mapper = (v) => {
  const axes = list<number>(v, 'squeeze_dims') ?? list<number>(v, 'axis') ?? [];
  return one('Squeeze', { axes: axes.length ? axes : null }, [0]);
};

const expandDims: Mapper = (v) => {
  const axis = constValues(v, 1);
  return axis ? one('Unsqueeze', { axes: axis }, [0]) : one('Unsqueeze', {}, [0, 1]);
};

const transpose: Mapper = (v) => {
  const perm = constValues(v, 1);
  return perm ? one('Transpose', { perm }, [0]) : unknown('Transpose whose permutation was not read');
};

const cast: Mapper = (v) => {
  const to = tfDType(v.attrs.DstT);
  return to ? one('Cast', { to }, [0]) : unknown(`Cast to ${String(v.attrs.DstT)}, which CNN Lens does not know`);
};

/** Slice(x, begin, size): size -1 runs to the end of the axis. */
const slice: Mapper = (v) => {
  const [begin, size] = [constValues(v, 1), constValues(v, 2)];
  if (!begin || !size || begin.length !== size.length) return unknown('Slice whose begin and size were not read');
  return one('Slice', { starts: begin, ends: size.map((s, i) => (s === -1 ? 2 ** 31 - 1 : begin[i] + s)), axes: begin.map((_, i) => i), steps: begin.map(() => 1) }, [0]);
};

/** ArgMax / ArgMin(x, dimension): the axis from the Const, dropped from the output. */
const argReduction = (kind: string): Mapper => (v) => {
  const axis = constValues(v, 1)?.[0];
  return axis === undefined ? unknown(`${v.op} whose dimension was not read`) : one(kind, { axis, keepdims: false }, [0]);
};

const addN: Mapper = (v) => (v.inputs.length === 1 ? one('Identity', {}, [0]) : one('Add', {}, positions(v)));

const OTHER_OPS: Readonly<Record<string, Mapper>> = {
  Relu: () => one('ReLU', {}, [0]),
  Relu6: () => one('ReLU', { maxValue: 6 }, [0]),
  Elu: () => one('ELU', { alpha: 1 }, [0]),
  Selu: activation('selu'),
  LeakyRelu: (v) => one('LeakyReLU', { alpha: num(v, 'alpha', 0.2) }, [0]),
  Prelu: () => one('PReLU', {}, [0, 1]),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  Softplus: activation('softplus'),
  Softsign: activation('softsign'),
  Exp: activation('exponential'),
  Softmax: () => one('Softmax', { axis: [-1] }, [0]),
  LogSoftmax: activation('log_softmax'),
  Sqrt: same('Sqrt'),
  Neg: same('Neg'),
  Abs: same('Abs'),
  Log: same('Log'),
  Reciprocal: same('Reciprocal'),
  Floor: same('Floor'),
  Ceil: same('Ceil'),
  Add: same('Add'),
  AddV2: same('Add'),
  BiasAdd: same('Add'),
  AddN: addN,
  Sub: same('Subtract'),
  Mul: same('Multiply'),
  RealDiv: same('Divide'),
  Div: same('Divide'),
  Maximum: same('Maximum'),
  Minimum: same('Minimum'),
  Pow: same('Power'),
  Equal: same('Equal'),
  Less: same('Less'),
  Greater: same('Greater'),
  Mean: reduction('ReduceMean'),
  Sum: reduction('ReduceSum'),
  Max: reduction('ReduceMax'),
  Min: reduction('ReduceMin'),
  Prod: reduction('ReduceProd'),
  ArgMax: argReduction('ArgMax'),
  ArgMin: argReduction('ArgMin'),
  Slice: slice,
  ConcatV2: concat,
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  Transpose: transpose,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  ResizeBilinear: resize('linear'),
  ResizeNearestNeighbor: resize('nearest'),
  Cast: cast,
  Shape: () => one('Shape', {}, [0]),
  Identity: same('Identity'),
  StopGradient: same('Identity'),
  PreventGradient: same('Identity'),
  Snapshot: same('Identity'),
};

export const TFJS_GRAPH_OPS: Readonly<Record<string, Mapper>> = { ...CONV_OPS, ...OTHER_OPS };

/** The op-table nodes a GraphDef node becomes, or why it stays opaque. */
export function mapTfNode(view: TfNodeView): Mapped {
  const mapper = Object.prototype.hasOwnProperty.call(TFJS_GRAPH_OPS, view.op) ? TFJS_GRAPH_OPS[view.op] : undefined;
  return mapper ? mapper(view) : unknown(`CNN Lens does not know the TensorFlow op ${view.op} yet`);
}
