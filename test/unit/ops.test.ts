import { strict as assert } from 'node:assert';
import type { TensorShape } from '../../src/core';
import { getOp, OPS } from '../../src/core';
import { ACTIVATIONS } from '../../src/core/ops/activation';

// Each op's rules on small cases worked out by hand (and, for the layers tfjs-layers has, also
// checked through the oracle test). Attributes go through the op's own schema, as a parser would.

function run(kind: string, inputs: TensorShape[], raw: Record<string, unknown>) {
  const op = getOp(kind)!;
  const attrs = Object.fromEntries(Object.entries(op.attrs).map(([k, spec]) => [k, k in raw ? spec.parse(raw[k]) : spec.default]));
  const out = op.shape(inputs, attrs, []);
  const weights = op.weights?.(inputs, attrs) ?? [];
  return {
    out,
    params: weights.reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0),
    trainable: weights.filter((w) => w.trainable).reduce((s, w) => s + w.shape.reduce((p, d) => p * d, 1), 0),
    macs: op.macs?.(inputs, out, attrs) ?? 0,
    flops: op.flops(inputs, out, attrs),
    label: op.label(attrs),
  };
}

describe('op rules', () => {
  it('Conv2D: AlexNet conv1 (96 11×11 / 4 on 227², valid)', () => {
    const r = run('Conv2D', [[1, 227, 227, 3]], { filters: 96, kernelSize: 11, strides: 4, activation: 'relu' });
    assert.deepEqual(r.out, [1, 55, 55, 96]);
    assert.equal(r.params, 34_944);
    assert.equal(r.macs, 105_415_200); // published-figures.md §8.1
    assert.equal(r.flops, 2 * 105_415_200 + 55 * 55 * 96 * 2); // + bias + relu per output
    assert.equal(r.label, '11×11 / 4, 96');
  });

  it('Conv2D groups=2: AlexNet conv2 (256 5×5, two towers)', () => {
    const r = run('Conv2D', [[1, 27, 27, 96]], { filters: 256, kernelSize: 5, padding: 'same', groups: 2 });
    assert.deepEqual(r.out, [1, 27, 27, 256]);
    assert.equal(r.params, 307_456);
    assert.equal(r.macs, 223_948_800);
    assert.throws(() => run('Conv2D', [[1, 27, 27, 95]], { filters: 256, kernelSize: 5, groups: 2 }), /groups=2 does not divide the 95 input channels/);
  });

  it('Conv2D dilation and same padding with stride', () => {
    assert.deepEqual(run('Conv2D', [[1, 20, 20, 1]], { filters: 1, kernelSize: 3, dilationRate: 2 }).out, [1, 16, 16, 1]);
    assert.deepEqual(run('Conv2D', [[1, 7, 7, 1]], { filters: 1, kernelSize: 3, strides: 2, padding: 'same' }).out, [1, 4, 4, 1]);
  });

  it('DepthwiseConv2D with a depth multiplier', () => {
    const r = run('DepthwiseConv2D', [[1, 112, 112, 32]], { kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false });
    assert.deepEqual(r.out, [1, 112, 112, 64]);
    assert.equal(r.params, 3 * 3 * 32 * 2);
    assert.equal(r.macs, 112 * 112 * 64 * 9);
  });

  it('SeparableConv2D = depthwise + pointwise', () => {
    const r = run('SeparableConv2D', [[1, 10, 10, 8]], { filters: 16, kernelSize: 3 });
    assert.deepEqual(r.out, [1, 8, 8, 16]);
    assert.equal(r.params, 3 * 3 * 8 + 8 * 16 + 16);
    assert.equal(r.macs, 8 * 8 * 8 * 9 + 8 * 8 * 8 * 16);
  });

  it('Conv2DTranspose: Johnson’s u64 (stride ½), MACs on the input grid', () => {
    const r = run('Conv2DTranspose', [[1, 64, 64, 128]], { filters: 64, kernelSize: 3, strides: 2, padding: 'same' });
    assert.deepEqual(r.out, [1, 128, 128, 64]);
    assert.equal(r.params, 3 * 3 * 128 * 64 + 64);
    assert.equal(r.macs, 301_989_888); // published-figures.md §8.7 row 9
    assert.equal(r.label, '3×3 / ½, 64');
    assert.deepEqual(run('Conv2DTranspose', [[1, 5, 5, 1]], { filters: 1, kernelSize: 3, strides: 2, padding: 'valid' }).out, [1, 11, 11, 1]);
    assert.deepEqual(run('Conv2DTranspose', [[1, 5, 5, 1]], { filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 }).out, [1, 9, 9, 1]);
  });

  it('Dense: VGG fc6', () => {
    const r = run('Dense', [[1, 25088]], { units: 4096 });
    assert.equal(r.params, 102_764_544);
    assert.equal(r.macs, 102_760_448);
  });

  it('pooling: max, average, global; strides default to the pool size', () => {
    assert.deepEqual(run('MaxPooling2D', [[1, 55, 55, 96]], { poolSize: 3, strides: 2 }).out, [1, 27, 27, 96]);
    assert.deepEqual(run('AveragePooling2D', [[1, 8, 8, 4]], { poolSize: 2 }).out, [1, 4, 4, 4]);
    assert.deepEqual(run('MaxPooling2D', [[1, 7, 7, 4]], { poolSize: 2, padding: 'same' }).out, [1, 4, 4, 4]);
    assert.deepEqual(run('GlobalAveragePooling2D', [[1, 7, 7, 1024]], {}).out, [1, 1024]);
    assert.deepEqual(run('GlobalMaxPooling2D', [[1, 7, 7, 1024]], { keepdims: true }).out, [1, 1, 1, 1024]);
  });

  it('BatchNormalization: γ, β trainable; moving mean and variance not', () => {
    const r = run('BatchNormalization', [[1, 56, 56, 64]], { axis: 3 });
    assert.equal(r.params, 256);
    assert.equal(r.trainable, 128);
    const noScale = run('BatchNormalization', [[1, 8, 8, 10]], { scale: false });
    assert.deepEqual([noScale.params, noScale.trainable], [30, 10]);
  });

  it('LocalResponseNormalization and InstanceNormalization', () => {
    const lrn = run('LocalResponseNormalization', [[1, 55, 55, 96]], { depthRadius: 2 });
    assert.deepEqual([lrn.params, lrn.macs, lrn.label], [0, 0, 'LRN 5']);
    const inorm = run('InstanceNormalization', [[1, 64, 64, 32]], {});
    assert.deepEqual([inorm.params, inorm.trainable], [64, 64]);
  });

  it('merges: Add, Multiply broadcast; Concatenate sums the axis', () => {
    assert.deepEqual(run('Add', [[1, 4, 4, 8], [1, 4, 4, 8], [1, 4, 4, 8]], {}).out, [1, 4, 4, 8]);
    assert.deepEqual(run('Multiply', [[1, 4, 4, 8], [1, 1, 1, 8]], {}).out, [1, 4, 4, 8]);
    assert.throws(() => run('Add', [[1, 4, 4, 8], [1, 4, 4, 16]], {}), /differ at axis 3 \(8 vs 16\)/);
    assert.deepEqual(run('Concatenate', [[1, 28, 28, 64], [1, 28, 28, 128], [1, 28, 28, 32]], {}).out, [1, 28, 28, 224]);
  });

  it('reshaping: Flatten, Reshape with -1, padding and cropping', () => {
    assert.deepEqual(run('Flatten', [[1, 6, 6, 256]], {}).out, [1, 9216]);
    assert.deepEqual(run('Reshape', [[1, 1, 1, 1000]], { targetShape: [-1] }).out, [1, 1000]);
    assert.throws(() => run('Reshape', [[1, 10]], { targetShape: [3, -1] }), /cannot reshape \(1, 10\)/);
    assert.deepEqual(run('ZeroPadding2D', [[1, 224, 224, 3]], { padding: [[0, 1], [0, 1]] }).out, [1, 225, 225, 3]);
    assert.deepEqual(run('ReflectionPadding2D', [[1, 256, 256, 3]], { padding: 40 }).out, [1, 336, 336, 3]);
    assert.deepEqual(run('Cropping2D', [[1, 82, 82, 128]], { cropping: 2 }).out, [1, 78, 78, 128]);
    assert.deepEqual(run('UpSampling2D', [[1, 64, 64, 128]], {}).out, [1, 128, 128, 128]);
  });

  it('activations: PReLU owns a slope per element unless shared', () => {
    assert.equal(run('PReLU', [[1, 8, 8, 4]], {}).params, 256);
    assert.equal(run('PReLU', [[1, 8, 8, 4]], { sharedAxes: [1, 2] }).params, 4);
    assert.equal(run('ReLU', [[1, 10]], { maxValue: 6 }).label, 'relu6');
    for (const a of ACTIVATIONS) assert.doesNotThrow(() => run('Activation', [[1, 10]], { activation: a }), a);
    assert.throws(() => run('Activation', [[1, 10]], { activation: 'sparkle' }), /expected one of/);
  });

  it('every registered op has a kind, a family, a summary and a label for its defaults', () => {
    for (const op of OPS.values()) {
      assert.ok(op.summary.length > 10, op.kind);
      assert.ok(op.family, op.kind);
    }
    assert.ok(OPS.size >= 30, `${OPS.size} ops`);
  });
});
