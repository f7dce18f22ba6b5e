import { strict as assert } from 'node:assert';
import { runCliAsync } from '../../src/cli/main';
import { assertWithinBudget, runCliChild } from '../support/cli-child';
import * as hostile from '../support/hostile-files';
import { onnxModel } from '../support/onnx-build';

// Issue 12, class 3: models no framework would run are errors naming the layer (exit 1), never
// figures with Infinity or NaN in them and exit 0: zero strides, dilations and pool sizes,
// garbage quantisation parameters, absurd sizes; and an empty --input-shape is a usage error.

const keras = (layer: object, input?: (number | null)[]) => hostile.writeHostile('model.json', hostile.kerasModel([layer], input));
const float32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

async function modelError(file: string, message: RegExp): Promise<void> {
  const r = await runCliAsync(['summary', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stdout, /Infinity|NaN/);
}

describe('hardening: analysis refuses what no framework runs', () => {
  it('zero and negative strides, dilations and pool sizes are errors naming the layer', async () => {
    await modelError(keras({ class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: 2, strides: 0 } }), /error: pool \(MaxPooling2D\): strides must be positive, got 0/);
    await modelError(keras({ class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: 0 } }), /error: pool \(MaxPooling2D\): pool_size must be positive, got 0/);
    await modelError(keras({ class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: 3, dilation_rate: 0 } }), /error: conv \(Conv2D\): dilation_rate must be positive, got 0/);
    await modelError(keras({ class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: 3, padding: 'same', dilation_rate: -1 } }), /error: conv \(Conv2D\): dilation_rate must be positive, got -1/);
    const onnxConv = (attrs: { name: string; type: number; ints: number[] }[]) =>
      hostile.writeHostile('conv.onnx', onnxModel({ nodes: [{ name: 'conv', op: 'Conv', inputs: ['x', 'W'], outputs: ['y'], attrs }], inits: [{ name: 'W', dims: [4, 3, 3, 3] }], outputs: ['y'] }));
    await modelError(onnxConv([{ name: 'strides', type: 7, ints: [0, 0] }]), /error: conv \(Conv\): strides must be positive, got 0/);
    await modelError(onnxConv([{ name: 'dilations', type: 7, ints: [0, 1] }]), /error: conv \(Conv\): dilation_rate must be positive, got 0/);
  });

  it('a quantisation scale that is NaN, infinite or zero is an error naming the layer', async () => {
    for (const scale of [NaN, Infinity, 0]) {
      const file = hostile.writeHostile(
        'qdq.onnx',
        onnxModel({
          nodes: [
            { name: 'quant', op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'] },
            { name: 'dequant', op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['y'] },
          ],
          inits: [{ name: 's', dims: [], raw: float32(scale) }, { name: 'z', dims: [], dataType: 3, raw: new Uint8Array([0]) }],
          outputs: ['y'],
        }),
      );
      await modelError(file, new RegExp(`error: quant \\(QuantizeLinear\\): scale ${scale} is not a finite non-zero number`));
    }
  });

  it('a tensor over 2^31 elements is an error naming the layer, not a warning', async () => {
    await modelError(keras({ class_name: 'Conv2D', config: { name: 'wide', filters: 100_000, kernel_size: 1 } }, [null, 1000, 1000, 3]), /error: wide \(Conv2D\): output \(1, 1000, 1000, 100000\) has 1\.00e\+11 elements, more than one tensor can hold/);
  });

  it('garbage TF.js quantisation parameters are refused before the shards are read (exit 2)', async () => {
    const { model } = hostile.tfjsWithManifest((m: { weights: object[] }[]) => m.map((g) => ({ ...g, weights: g.weights.map((w) => ({ ...w, quantization: { dtype: 'uint8', scale: 'abc', min: 0 } })) })));
    const r = await runCliAsync(['run', model]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /model\.json: weightsManifest\[0\]\.weights\[0\] \("f_conv\/kernel"\) has quantization scale "abc", not a finite number/);
  });

  it('an empty --input-shape is a usage error, not silently ignored', async () => {
    const r = await runCliAsync(['summary', keras({ class_name: 'Flatten', config: { name: 'f' } }), '--input-shape', '']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--input-shape "" is not a shape/);
  });

  it('within the budget in a child process (a zero stride once made shapes of Infinity)', () => {
    const r = runCliChild(['summary', keras({ class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: 2, strides: 0 } })]);
    assertWithinBudget(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pool \(MaxPooling2D\): strides must be positive/);
  });
});
