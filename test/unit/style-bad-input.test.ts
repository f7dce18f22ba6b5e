import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runCliAsync } from '../../src/cli/main';

// Bad input to `cnn-lens stylize`: clear errors, exit 2, the file named; huge images downscaled.

const STYLES = join(__dirname, '..', '..', 'media', 'styles');
const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-style-bad-'));

describe('cnn-lens stylize: bad input', () => {
  it('a non-image content file: exit 2 naming the file', async () => {
    const file = join(tmp, 'notes.png');
    writeFileSync(file, 'this is text, not a PNG');
    const r = await runCliAsync(['stylize', '--content', file, '--style', join(STYLES, 'waves.png'), '--out', join(tmp, 'o.png'), '--steps', '1', '--backend', 'cpu']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an image CNN Lens reads`));
  });

  it('an image whose header claims 20000×20000 is refused before decoding', async () => {
    const png = PNG.sync.write(new PNG({ width: 2, height: 2 }));
    png.writeUInt32BE(20000, 16);
    png.writeUInt32BE(20000, 20);
    const file = join(tmp, 'huge.png');
    writeFileSync(file, png);
    const r = await runCliAsync(['stylize', '--content', file, '--style', join(STYLES, 'waves.png'), '--out', join(tmp, 'o.png'), '--backend', 'cpu']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /huge\.png is 20000×20000 .*too large to decode/);
  });

  it('a large image is downscaled with a notice, not an out-of-memory crash', async () => {
    const big = new PNG({ width: 1200, height: 40 });
    for (let i = 0; i < big.data.length; i++) big.data[i] = (i * 7) % 256;
    const file = join(tmp, 'wide.png');
    writeFileSync(file, PNG.sync.write(big));
    const r = await runCliAsync(['stylize', '--content', file, '--style', join(STYLES, 'waves.png'), '--out', join(tmp, 'wide-out.png'), '--steps', '1', '--backend', 'cpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /notice: .*wide\.png is 1200×40: downscaled so that its longer side is 512 px/);
    assert.match(r.stdout, /512×17, optimise mode/);
    assert.match(r.stdout, /loss network: random multi-scale loss network/);
    assert.match(r.stdout, /backend: cpu/);
  });

  it('a style model with the wrong input shape: a clear error', async () => {
    const model = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'gray', layers: [{ class_name: 'Conv2D', config: { name: 'c', batch_input_shape: [null, 64, 64, 1], filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', use_bias: true } }] },
      },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'c/kernel', shape: [3, 3, 1, 3], dtype: 'float32' }, { name: 'c/bias', shape: [3], dtype: 'float32' }] }],
    };
    const file = join(tmp, 'model.json');
    writeFileSync(file, JSON.stringify(model));
    writeFileSync(join(tmp, 'w.bin'), Buffer.alloc(4 * 30));
    const content = join(STYLES, 'content', 'house.png');
    const r = await runCliAsync(['stylize', '--content', content, '--style', file, '--out', join(tmp, 'o.png'), '--backend', 'cpu']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the style model .*model\.json takes input \(1, 64, 64, 1\): a transformation network must take RGB images/);
  });

  it('fast mode with an image as the style: a usage error that says what to do', async () => {
    const r = await runCliAsync(['stylize', '--content', join(STYLES, 'content', 'house.png'), '--style', join(STYLES, 'waves.png'), '--mode', 'fast', '--out', join(tmp, 'o.png')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /fast mode needs a trained network/);
  });

  it('--list prints one preset per line, name first', async () => {
    const r = await runCliAsync(['stylize', '--list']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => l.split('\t')[0]), ['swirls', 'stained-glass', 'waves']);
  });
});
