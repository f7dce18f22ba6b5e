import { inputValues, intsAttr, numberAttr, op, present, stringAttr, unknown, type Mapper } from './ops-map-attrs';

// ONNX activations, element-wise math, matrix products and reductions onto the op table. Where an
// ONNX operator is a Keras layer with the same arithmetic it becomes that op (Relu → ReLU,
// Sigmoid → Activation sigmoid, Sub → Subtract); the rest have ops of their own.

const activation = (name: string): Mapper => () => op('Activation', { activation: name });
const same = (kind: string): Mapper => () => op(kind);

/** Variadic Sum / Max / Min / Mean: one input is the identity. */
const variadic = (kind: string): Mapper => (v) => (v.inputs.filter(Boolean).length === 1 ? op('Identity') : op(kind));

/** Clip's bounds: attributes before opset 11, inputs 1 and 2 after; a bound computed at run time leaves the node opaque. */
const clip: Mapper = (v) => {
  const bound = (input: number, attr: string, none: number): number | null | undefined => {
    if (v.opset < 11) {
      const value = numberAttr(v, attr, none);
      return Number.isFinite(value) && Math.abs(value) < 3.4e38 ? value : null;
    }
    if (!present(v, input)) return null;
    return inputValues(v, input)?.[0];
  };
  const [min, max] = [bound(1, 'min', -Infinity), bound(2, 'max', Infinity)];
  if (min === undefined || max === undefined) return unknown('Clip with a bound computed at run time');
  // Clip(0, max) is ReLU with a cap (MobileNet's ReLU6).
  return min === 0 ? op('ReLU', { maxValue: max }, [0]) : op('Clip', { min, max }, [0]);
};

const selu: Mapper = (v) => {
  const [alpha, gamma] = [numberAttr(v, 'alpha', 1.67326319217681884765625), numberAttr(v, 'gamma', 1.05070102214813232421875)];
  return Math.abs(alpha - 1.6732632) < 1e-6 && Math.abs(gamma - 1.050701) < 1e-6 ? op('Activation', { activation: 'selu' }) : unknown(`Selu with alpha ${alpha}, gamma ${gamma} (CNN Lens knows the standard constants)`);
};

const gelu: Mapper = (v) => (stringAttr(v, 'approximate', 'none') === 'none' ? op('Activation', { activation: 'gelu' }) : unknown('Gelu with the tanh approximation'));

/** Softmax's axes: one axis from opset 13 (default -1); before, the flattened tail from `axis` (default 1). */
function softmaxAxes(v: Parameters<Mapper>[0]): readonly number[] | undefined {
  const axis = numberAttr(v, 'axis', v.opset >= 13 ? -1 : 1);
  if (v.opset >= 13 || axis === -1) return [axis];
  const rank = v.inputs[0]?.shape?.length;
  if (rank === undefined) return undefined;
  const first = axis < 0 ? axis + rank : axis;
  return Array.from({ length: rank - first }, (_, i) => first + i);
}

const softmax: Mapper = (v) => {
  const axis = softmaxAxes(v);
  return axis ? op('Softmax', { axis }) : unknown('Softmax (opset < 13) with a positive axis on an input of unknown rank');
};

/** LogSoftmax maps onto the log_softmax activation, which acts on the last axis only. */
const logSoftmax: Mapper = (v) => {
  const axis = softmaxAxes(v);
  const rank = v.inputs[0]?.shape?.length;
  const last = axis?.length === 1 && (axis[0] === -1 || axis[0] === (rank ?? 0) - 1);
  return last ? op('Activation', { activation: 'log_softmax' }) : unknown('LogSoftmax over an axis other than the last');
};

/** Reductions take their axes as an attribute before `attrUntil` (ReduceSum: 13, the others: 18) and as input 1 from then on. */
const reduction = (kind: string, attrUntil = 18): Mapper => (v) => {
  const common = { keepdims: numberAttr(v, 'keepdims', 1) === 1, noopWithEmptyAxes: numberAttr(v, 'noop_with_empty_axes', 0) === 1 };
  if (v.opset < attrUntil) return op(kind, { ...common, axes: intsAttr(v, 'axes') ?? null }, [0]);
  return op(kind, common);
};

const argReduction = (kind: string): Mapper => (v) => op(kind, { axis: numberAttr(v, 'axis', 0), keepdims: numberAttr(v, 'keepdims', 1) === 1, selectLastIndex: numberAttr(v, 'select_last_index', 0) === 1 });

export const MATH_OPS: Readonly<Record<string, Mapper>> = {
  Relu: () => op('ReLU'),
  LeakyRelu: (v) => op('LeakyReLU', { alpha: numberAttr(v, 'alpha', 0.01) }),
  PRelu: same('PReLU'),
  Elu: (v) => op('ELU', { alpha: numberAttr(v, 'alpha', 1) }),
  Selu: selu,
  Clip: clip,
  Sigmoid: activation('sigmoid'),
  HardSigmoid: (v) => op('HardSigmoid', { alpha: numberAttr(v, 'alpha', 0.2), beta: numberAttr(v, 'beta', 0.5) }),
  // ONNX's HardSwish is x·max(0, min(1, x/6 + ½)): Keras's hard_swish, x·relu6(x + 3)/6.
  HardSwish: activation('hard_swish'),
  Tanh: activation('tanh'),
  Softplus: activation('softplus'),
  Softsign: activation('softsign'),
  Mish: activation('mish'),
  Exp: activation('exponential'),
  Gelu: gelu,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  Erf: same('Erf'),
  Sqrt: same('Sqrt'),
  Neg: same('Neg'),
  Abs: same('Abs'),
  Log: same('Log'),
  Reciprocal: same('Reciprocal'),
  Floor: same('Floor'),
  Ceil: same('Ceil'),
  Not: same('Not'),
  Add: same('Add'),
  Sub: same('Subtract'),
  Mul: same('Multiply'),
  Div: same('Divide'),
  Pow: same('Power'),
  Sum: variadic('Add'),
  Mean: variadic('Average'),
  Max: variadic('Maximum'),
  Min: variadic('Minimum'),
  Equal: same('Equal'),
  Less: same('Less'),
  Greater: same('Greater'),
  Where: same('Where'),
  Gemm: (v) => op('Gemm', { transA: numberAttr(v, 'transA', 0) === 1, transB: numberAttr(v, 'transB', 0) === 1, alpha: numberAttr(v, 'alpha', 1), beta: numberAttr(v, 'beta', 1) }),
  MatMul: same('MatMul'),
  ReduceMean: reduction('ReduceMean'),
  ReduceSum: reduction('ReduceSum', 13),
  ReduceMax: reduction('ReduceMax'),
  ReduceMin: reduction('ReduceMin'),
  ReduceProd: reduction('ReduceProd'),
  ArgMax: argReduction('ArgMax'),
  ArgMin: argReduction('ArgMin'),
};
