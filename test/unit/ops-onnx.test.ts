import { strict as assert } from 'node:assert';
import type { TensorShape } from '../../src/core';
import { getOp } from '../../src/core';
import type { Values } from '../../src/core/ops/op';

// The layout-neutral rules and the ONNX ops on small cases worked out by hand: NCHW windows with
// explicit and automatic padding, ceil_mode, transposed convolutions, broadcasting, and the folding
// of exporters' shape arithmetic. Attributes go through each op's schema, as the parser does.

function rules(kind: string, raw: Record<string, unknown>) {
  const op = getOp(kind)!;
  const attrs = Object.fromEntries(Object.entries(op.attrs).map(([k, spec]) => [k, k in raw ? spec.parse(raw[k]) : spec.default]));
  return { op, attrs };
}

function run(kind: string, inputs: TensorShape[], raw: Record<string, unknown> = {}, values: Values = []) {
  const { op, attrs } = rules(kind, raw);
  const out = op.shape(inputs, attrs, values);
  const weights = op.weights?.(inputs, attrs) ?? [];
  return {
    out,
    outs: op.shapes?.(inputs, attrs, values),
    value: op.fold?.(values, inputs, out, attrs),
    params: weights.reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0),
    weights: weights.map((w) => [w.name, w.shape, w.trainable]),
    macs: op.macs?.(inputs, out, attrs) ?? 0,
    flops: op.flops(inputs, out, attrs),
  };
}

const NCHW = { dataFormat: 'channels_first' };

describe('op rules in NCHW and with explicit padding (ONNX)', () => {
  it('Conv2D NCHW with asymmetric pads [h_begin, w_begin, h_end, w_end]', () => {
    // H: 5 + 1 + 0 − 3 = 3 → 3/2 + 1 = 2; W: 6 + 2 + 1 − 3 = 6 → 6/2 + 1 = 4.
    const r = run('Conv2D', [[1, 4, 5, 6], [8, 4, 3, 3], [8]], { ...NCHW, filters: 8, kernelSize: 3, strides: 2, padding: 'explicit', pads: [1, 2, 0, 1] });
    assert.deepEqual(r.out, [1, 8, 2, 4]);
    assert.deepEqual(r.weights, [['kernel', [8, 4, 3, 3], true], ['bias', [8], true]]);
    assert.equal(r.macs, 8 * 2 * 4 * 9 * 4);
    assert.equal(r.flops, 2 * r.macs + 8 * 2 * 4);
  });

  it('Conv2D NCHW grouped and dilated; SAME_LOWER gives ceil(in / stride) like SAME', () => {
    const r = run('Conv2D', [[2, 6, 9, 9]], { ...NCHW, filters: 4, kernelSize: 3, dilationRate: 2, groups: 2, useBias: false });
    assert.deepEqual(r.out, [2, 4, 5, 5]); // 9 − (2·2 + 1) + 1 = 5
    assert.equal(r.params, 4 * 3 * 3 * 3);
    assert.deepEqual(run('Conv2D', [[1, 1, 7, 8]], { ...NCHW, filters: 1, kernelSize: 3, strides: 2, padding: 'same_lower' }).out, [1, 1, 4, 4]);
    assert.throws(() => run('Conv2D', [[1, 1, 2, 2]], { ...NCHW, filters: 1, kernelSize: 3, padding: 'explicit', pads: [0, 0, 0, 0] }), /does not fit the input/);
    assert.throws(() => run('Conv2D', [[1, 1, 8, 8]], { ...NCHW, filters: 1, kernelSize: 3, padding: 'explicit', pads: [1, 1] }), /pads must be \[h_begin, w_begin, h_end, w_end\]/);
  });

  it('Conv2DTranspose NCHW: explicit pads with output_padding, output_shape, groups', () => {
    // (4 − 1)·2 + 3 − 1 − 1 + 1 = 8; weights [cin, filters / groups, kh, kw].
    const r = run('Conv2DTranspose', [[1, 4, 4, 4]], { ...NCHW, filters: 6, groups: 2, kernelSize: 3, strides: 2, padding: 'explicit', pads: [1, 1, 1, 1], outputPadding: 1 });
    assert.deepEqual(r.out, [1, 6, 8, 8]);
    assert.deepEqual(r.weights[0], ['kernel', [4, 3, 3, 3], true]);
    assert.equal(r.macs, 4 * 4 * 4 * 9 * 3); // input grid × k² × filters / groups
    assert.deepEqual(run('Conv2DTranspose', [[1, 1, 3, 3]], { ...NCHW, filters: 2, kernelSize: 3, strides: 3, outputShape: [10, 8] }).out, [1, 2, 10, 8]);
    assert.deepEqual(run('Conv2DTranspose', [[1, 1, 3, 3]], { ...NCHW, filters: 1, kernelSize: 3, strides: 2, padding: 'same' }).out, [1, 1, 6, 6]);
  });

  it('pooling: ceil_mode keeps only windows that start inside the input or the leading pad', () => {
    // 5 wide, window 2, stride 2: floor → 2, ceil → 3 (the third window starts at 4, inside).
    assert.deepEqual(run('MaxPooling2D', [[1, 3, 5, 5]], { ...NCHW, poolSize: 2, strides: 2, padding: 'explicit', ceilMode: true }).out, [1, 3, 3, 3]);
    assert.deepEqual(run('MaxPooling2D', [[1, 3, 5, 5]], { ...NCHW, poolSize: 2, strides: 2, padding: 'explicit' }).out, [1, 3, 2, 2]);
    // 4 wide, pads 1 and 1, window 2, stride 2: ceil((4 + 2 − 2) / 2) + 1 = 3, the last window starts at
    // 4 < 4 + 1 (inside the leading pad's frame): kept. Pads 0 and 1: ceil(3 / 2) + 1 = 3, but its start
    // 4 ≥ 4 + 0 lies in the trailing pad only: dropped, 2.
    assert.deepEqual(run('AveragePooling2D', [[1, 1, 4, 4]], { ...NCHW, poolSize: 2, strides: 2, padding: 'explicit', pads: [1, 1, 1, 1], ceilMode: true }).out, [1, 1, 3, 3]);
    assert.deepEqual(run('AveragePooling2D', [[1, 1, 4, 4]], { ...NCHW, poolSize: 2, strides: 2, padding: 'explicit', pads: [0, 0, 1, 1], ceilMode: true }).out, [1, 1, 2, 2]);
    const r = run('MaxPooling2D', [[1, 64, 112, 112]], { ...NCHW, poolSize: 3, strides: 2, padding: 'explicit', pads: [1, 1, 1, 1] });
    assert.deepEqual(r.out, [1, 64, 56, 56]); // ResNet's stem pool
    assert.equal(r.flops, 64 * 56 * 56 * 8);
  });

  it('global pooling NCHW keeps dims; BatchNormalization, InstanceNormalization on channel axis 1', () => {
    assert.deepEqual(run('GlobalAveragePooling2D', [[1, 512, 7, 7]], { ...NCHW, keepdims: true }).out, [1, 512, 1, 1]);
    const bn = run('BatchNormalization', [[1, 64, 56, 56], [64], [64], [64], [64]], { axis: [1] });
    assert.deepEqual([bn.out, bn.params, bn.weights.filter((w) => w[2]).length], [[1, 64, 56, 56], 256, 2]);
    assert.equal(run('InstanceNormalization', [[1, 32, 8, 8]], { axis: [1] }).params, 64);
    const ln = run('LayerNormalization', [[2, 3, 4]], { axis: [-2, -1] });
    assert.deepEqual(ln.weights, [['gamma', [3, 4], true], ['beta', [3, 4], true]]);
  });

  it('Flatten with an axis (output 2-D); Concat on the channel axis', () => {
    assert.deepEqual(run('Flatten', [[2, 3, 4, 5]], { axis: 2 }).out, [6, 20]);
    assert.deepEqual(run('Flatten', [[2, 3, 4, 5]], { axis: 0 }).out, [1, 120]);
    assert.deepEqual(run('Flatten', [[null, 512, 7, 7]], {}).out, [null, 25088]);
    assert.deepEqual(run('Concatenate', [[1, 64, 28, 28], [1, 32, 28, 28]], { axis: 1 }).out, [1, 96, 28, 28]);
  });

  it('numpy broadcasting: different ranks align at the last axis; unknown against 1 stays unknown', () => {
    assert.deepEqual(run('Add', [[2, 1, 4], [3, 1]]).out, [2, 3, 4]);
    assert.deepEqual(run('Divide', [[1, 8, 1, 1], [8, 5, 5]]).out, [1, 8, 5, 5]);
    assert.deepEqual(run('Multiply', [[null, 4], [1]]).out, [null, 4]);
    assert.deepEqual(run('Where', [[3, 1], [1, 4], [3, 4]]).out, [3, 4]);
    assert.throws(() => run('Add', [[2, 3], [4, 3]]), /differ at axis 0 \(2 vs 4\)/);
  });

  it('Gemm (transB) and MatMul with broadcast batch: MACs M·N·K', () => {
    const g = run('Gemm', [[1, 512], [1000, 512], [1000]], { transB: true });
    assert.deepEqual([g.out, g.params, g.macs, g.flops], [[1, 1000], 513_000, 512_000, 2 * 512_000 + 1000]);
    const m = run('MatMul', [[2, 1, 5, 3], [4, 3, 7]]);
    assert.deepEqual([m.out, m.macs], [[2, 4, 5, 7], 2 * 4 * 5 * 7 * 3]);
    assert.deepEqual(run('MatMul', [[3], [3, 6]]).out, [6]);
  });

  it('Reshape to a full shape: 0 copies, -1 infers (even past an unknown copied batch), allowzero keeps 0', () => {
    assert.deepEqual(run('ReshapeTo', [[2, 3, 4], [3]], {}, [undefined, [0, -1, 2]]).out, [2, 6, 2]);
    assert.deepEqual(run('ReshapeTo', [[null, 512, 1, 1], [2]], {}, [undefined, [0, -1]]).out, [null, 512]);
    assert.deepEqual(run('ReshapeTo', [[0, 3, 4], [3]], { allowzero: true }, [undefined, [3, 4, 0]]).out, [3, 4, 0]);
    assert.deepEqual(run('ReshapeTo', [[2, 3, 4], [3]], {}, [undefined, undefined]).out, [null, null, null]);
    assert.throws(() => run('ReshapeTo', [[2, 3, 4], [2]], {}, [undefined, [5, -1]]), /cannot reshape \(2, 3, 4\)/);
  });

  it('Resize by scales and by sizes; Pad with ONNX pads [begins…, ends…]; Split by parts and into equal parts', () => {
    assert.deepEqual(run('Resize', [[1, 3, 7, 8], [4]], { by: 'scales' }, [undefined, [1, 1, 2, 0.5]]).out, [1, 3, 14, 4]);
    const r = run('Resize', [[1, 3, 7, 8], [4]], { by: 'sizes', mode: 'linear' }, [undefined, [1, 3, 14, 16]]);
    assert.deepEqual([r.out, r.flops], [[1, 3, 14, 16], 1 * 3 * 14 * 16 * 6]);
    assert.deepEqual(run('Pad', [[1, 3, 4, 5], [8]], {}, [undefined, [0, 0, 1, 2, 0, 0, 3, -1]]).out, [1, 3, 8, 6]);
    assert.deepEqual(run('Split', [[2, 10], [2]], { axis: 1 }, [undefined, [3, 7]]).outs, [[2, 3], [2, 7]]);
    assert.deepEqual(run('Split', [[7, 2]], { numOutputs: 3 }).outs, [[3, 2], [3, 2], [1, 2]]);
  });
});

describe('folding exporters’ shape arithmetic', () => {
  it('Shape → Gather → Unsqueeze → Concat: the Reshape target of a torchvision flatten', () => {
    const shape = run('Shape', [[1, 512, 7, 7]]);
    assert.deepEqual([shape.out, shape.value], [[4], [1, 512, 7, 7]]);
    const batch = run('Gather', [[4], []], { axis: 0 }, [[1, 512, 7, 7], [0]]);
    assert.deepEqual([batch.out, batch.value], [[], [1]]);
    const unsqueezed = run('Unsqueeze', [[]], { axes: [0] }, [[1]]);
    assert.deepEqual([unsqueezed.out, unsqueezed.value], [[1], [1]]);
    const target = run('Concatenate', [[1], [1]], { axis: 0 }, [[1], [-1]]);
    assert.deepEqual([target.out, target.value], [[2], [1, -1]]);
    assert.deepEqual(run('ReshapeTo', [[1, 512, 7, 7], [2]], {}, [undefined, target.value]).out, [1, 25088]);
  });

  it('Gather of several indices (negative ones count from the end) and of a 2-D table', () => {
    assert.deepEqual(run('Gather', [[4], [2]], {}, [[1, 3, 224, 224], [-2, -1]]).value, [224, 224]);
    assert.deepEqual(run('Gather', [[2, 3], [2]], { axis: 1 }, [[1, 2, 3, 4, 5, 6], [2, 0]]).value, [3, 1, 6, 4]);
  });

  it('Slice of a shape, Cast truncating, Mul / Div of shape values (inexact integer division stays unknown)', () => {
    assert.deepEqual(run('Slice', [[4], [1], [1]], {}, [[1, 3, 224, 224], [2], [9.2e18]]).value, [224, 224]);
    assert.deepEqual(run('Slice', [[4], [1], [1], [1], [1]], {}, [[1, 2, 3, 4], [-1], [-9.2e18], [0], [-2]]).value, [4, 2]);
    assert.deepEqual(run('Cast', [[2]], { to: 'int64' }, [[2.7, -2.7]]).value, [2, -2]);
    assert.deepEqual(run('Multiply', [[2], []], {}, [[7, 7], [2]]).value, [14, 14]);
    assert.deepEqual(run('Divide', [[2], []], {}, [[14, 8], [2]]).value, [7, 4]);
    assert.equal(run('Divide', [[1], []], {}, [[7], [2]]).value, undefined);
    assert.deepEqual(run('Divide', [[1], []], {}, [[7.5], [2.5]]).value, [3]);
  });

  it('ConstantOfShape, Range, Equal and Where, Expand, ReduceProd', () => {
    const filled = run('ConstantOfShape', [[2]], { value: 1 }, [[2, 3]]);
    assert.deepEqual([filled.out, filled.value], [[2, 3], [1, 1, 1, 1, 1, 1]]);
    const range = run('Range', [[], [], []], {}, [[0], [10], [3]]);
    assert.deepEqual([range.out, range.value], [[4], [0, 3, 6, 9]]);
    const eq = run('Equal', [[3], [3]], {}, [[1, -1, 4], [-1, -1, -1]]);
    assert.deepEqual(eq.value, [0, 1, 0]);
    assert.deepEqual(run('Where', [[3], [3], [3]], {}, [eq.value, [5, 5, 5], [1, -1, 4]]).value, [1, 5, 4]);
    assert.deepEqual(run('Expand', [[3, 1], [2]], {}, [undefined, [2, 1, 4]]).out, [2, 3, 4]);
    assert.deepEqual(run('ReduceProd', [[3]], { axes: null, keepdims: false }, [[2, 3, 4]]).value, [24]);
  });

  it('an unknown operand leaves the shape unknown, never guessed', () => {
    assert.deepEqual(run('Slice', [[1, 3, 8, 8], [1], [1], [1]], {}, [undefined, undefined, undefined, [2]]).out, [1, 3, null, 8]);
    assert.deepEqual(run('Resize', [[1, 3, 8, 8], [4]], {}, [undefined, undefined]).out, [null, null, null, null]);
    assert.equal(run('Shape', [[null, 3]]).value, undefined);
    assert.throws(() => run('Squeeze', [[1, 3, 1], [1]], {}, [undefined, undefined]), /axes input is computed/);
  });
});
