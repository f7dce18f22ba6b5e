import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { dataset, stringsAttribute, writeH5 } from '../../scripts/make-weight-fixtures';
import { runCliAsync } from '../../src/cli/main';
import { fans, mulberry32 } from '../../src/core/runtime/random-weights';
import { vggLossNetworkFile } from '../../src/node/style/loss-network-files';

// The VGG-16 loss network from the user's weights (`--vgg-weights`, setting cnnLens.style.vggWeights).
// There is no ImageNet file here (nothing may be downloaded), so the test writes one with Keras's
// exact layout of `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` (Keras 2 `save_weights`, as the
// released file lists under h5py): root attribute layer_names = input_1, block1_conv1 … block5_pool;
// each layer group has weight_names (empty for the input and pooling layers) and, for a
// convolution, the datasets `<layer>_W_1:0` [3, 3, Cin, Cout] and `<layer>_b_1:0` [Cout] directly
// in the group. Values: seeded He-uniform kernels, small biases (the full 14.7 M parameters, 59 MB).

const STYLES = join(__dirname, '..', '..', 'media', 'styles');
const BLOCKS: [number, number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];

async function writeVgg16Notop(path: string, wrongShape?: string): Promise<void> {
  const rand = mulberry32(16);
  await writeH5(path, (f) => {
    const layers = ['input_1'];
    f.create_group('input_1');
    let cin = 3;
    BLOCKS.forEach(([cout, convs], b) => {
      for (let c = 1; c <= convs; c++) {
        const name = `block${b + 1}_conv${c}`;
        layers.push(name);
        const g = f.create_group(name);
        const names = [`${name}_W_1:0`, `${name}_b_1:0`];
        stringsAttribute(g, 'weight_names', names);
        const shape = name === wrongShape ? [3, 3, cin / 2, cout] : [3, 3, cin, cout];
        const limit = Math.sqrt(6 / fans(shape).fanIn);
        dataset(g, names[0], Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (2 * rand() - 1) * limit), shape);
        dataset(g, names[1], Float32Array.from({ length: cout }, () => 0.01 * (2 * rand() - 1)), [cout]);
        cin = cout;
      }
      const pool = `block${b + 1}_pool`;
      layers.push(pool);
      f.create_group(pool);
    });
    for (const name of layers.filter((l) => !l.includes('conv'))) stringsAttribute(f.get(name) as never, 'weight_names', []);
    stringsAttribute(f, 'layer_names', layers);
  });
}

describe('style transfer: the VGG-16 loss network from a Keras notop .h5', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-vgg-'));
  const good = join(tmp, 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
  const bad = join(tmp, 'vgg16_wrong_block3.h5');

  before(async function () {
    this.timeout(120000);
    await tf.setBackend('cpu');
    await writeVgg16Notop(good);
    await writeVgg16Notop(bad, 'block3_conv1');
  });

  it('the file written has the released file\'s size (14,714,688 parameters)', () => {
    // 58,889,256 bytes released; ours differs only by HDF5 bookkeeping.
    const bytes = statSync(good).size;
    assert.ok(Math.abs(bytes - 14714688 * 4) < 200000, `${bytes} bytes`);
  });

  it('cnn-lens stylize --vgg-weights: optimise runs with VGG-16 from that file, says so, and the loss falls', async () => {
    const out = join(tmp, 'vgg-out.png');
    const r = await runCliAsync(['stylize', '--content', join(STYLES, 'content', 'house.png'), '--style', join(STYLES, 'waves.png'), '--out', out, '--vgg-weights', good, '--steps', '3', '--size', '32', '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`loss network: VGG-16 through relu4_3 (Keras 2 HDF5 weights vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5: ${good})`), r.stdout);
    const m = /optimise mode \(Adam, 3 steps\); loss ([\d.e+]+) → ([\d.e+]+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) < Number(m[1]), `loss ${m[1]} → ${m[2]}`);
  });

  it('the loss network taps relu1_2 … relu4_3 of that file and balances nothing', async () => {
    const net = await vggLossNetworkFile(tf, good);
    try {
      assert.equal(net.kind, 'vgg16');
      assert.deepEqual([net.contentLayer, ...net.styleLayers], ['block2_conv2', 'block1_conv2', 'block2_conv2', 'block3_conv3', 'block4_conv3']);
      assert.equal(net.balanceStyle, false);
      assert.deepEqual(net.weights.get('block4_conv3')!.kernel.shape, [3, 3, 512, 512]);
    } finally {
      net.dispose();
    }
  });

  it('a file with a wrongly shaped layer: a clear error naming the file and the layer (exit 2)', async () => {
    await assert.rejects(vggLossNetworkFile(tf, bad), (e: Error) => {
      assert.ok(e.message.includes(bad), e.message);
      assert.match(e.message, /layer block3_conv1 \(Conv2D\): weight "kernel" \("block3_conv1_W_1:0"\) has shape \(3, 3, 64, 256\) in the file, the model expects \(3, 3, 128, 256\)/);
      return true;
    });
    const r = await runCliAsync(['stylize', '--content', join(STYLES, 'content', 'house.png'), '--style', join(STYLES, 'waves.png'), '--out', join(tmp, 'o.png'), '--vgg-weights', bad, '--steps', '1', '--size', '16', '--backend', 'cpu']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(bad) && r.stderr.includes('block3_conv1'), r.stderr);
  });
});
