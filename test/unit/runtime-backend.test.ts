import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { chooseBackend, describeBackend, findWasmDir, BackendError, type BackendPreference } from '../../src/node/backend';

// Backend choice: what runs here (no tfjs-node, no GPU: wasm), why the better ones did not, and
// that a convolution on the chosen backend equals the CPU backend's.

/** A 1×5×5×2 input through a 3×3 convolution with 4 filters (same padding, stride 1). */
function tinyConv(t: typeof tf): Float32Array {
  return t.tidy(() => {
    const x = t.tensor4d(Array.from({ length: 50 }, (_, i) => Math.sin(i)), [1, 5, 5, 2]);
    const k = t.tensor4d(Array.from({ length: 72 }, (_, i) => Math.cos(i * 0.3)), [3, 3, 2, 4]);
    return t.conv2d(x, k, 1, 'same').dataSync() as Float32Array;
  });
}

const notFound = (id: string) => Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- x`), { code: 'MODULE_NOT_FOUND' });

describe('runtime backend choice', () => {
  after(async () => {
    // Leave the process on the CPU backend the other test files use.
    await tf.setBackend('cpu');
  });

  it('auto picks wasm here and says tfjs-node-gpu and tfjs-node are not installed', async () => {
    const chosen = await chooseBackend('auto');
    assert.match(chosen.name, /^wasm( \(SIMD\))?$/);
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(chosen.tried, [
      { name: 'tfjs-node-gpu', ok: false, reason: 'tfjs-node-gpu not installed' },
      { name: 'tfjs-node', ok: false, reason: 'tfjs-node not installed' },
      { name: 'wasm', ok: true },
    ]);
    assert.equal(describeBackend(chosen), `${chosen.name}; not used: tfjs-node-gpu not installed, tfjs-node not installed`);
    assert.ok(findWasmDir(), 'the wasm binaries are found locally (nothing is fetched)');
  });

  it('a tiny convolution on the chosen backend equals the CPU backend’s result', async () => {
    const cpu = await chooseBackend('cpu');
    assert.equal(cpu.name, 'cpu');
    assert.deepEqual(cpu.tried, [{ name: 'cpu', ok: true }]);
    assert.equal(tf.getBackend(), 'cpu');
    const expected = tinyConv(cpu.tf);
    const chosen = await chooseBackend('auto');
    assert.equal(chosen.tf.getBackend(), 'wasm');
    const got = tinyConv(chosen.tf);
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5, `[${i}] ${v} vs ${expected[i]}`));
  });

  it('an unknown backend name is a clear error', async () => {
    await assert.rejects(chooseBackend('tpu' as BackendPreference), (e: unknown) => e instanceof BackendError && /unknown backend "tpu": choose one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu/.test(e.message));
  });

  it('asking for a backend that is not installed says why, and does not fall back', async () => {
    await assert.rejects(chooseBackend('tfjs-node'), /backend tfjs-node cannot run: tfjs-node not installed/);
  });

  it('explains a GPU package without a CUDA device, and one that loads but cannot run', async () => {
    const chosen = await chooseBackend('auto', {
      require: (id) => {
        if (id === '@tensorflow/tfjs-node-gpu') return {}; // "installed"
        if (id === '@tensorflow/tfjs-node') return {}; // loads, but registers no 'tensorflow' backend
        throw notFound(id);
      },
      cudaProbe: () => 'no NVIDIA driver is loaded',
    });
    assert.match(chosen.name, /^wasm/);
    assert.deepEqual(chosen.tried[0], { name: 'tfjs-node-gpu', ok: false, reason: 'no CUDA device: no NVIDIA driver is loaded' });
    assert.equal(chosen.tried[1].ok, false);
    assert.match(chosen.tried[1].reason!, /^@tensorflow\/tfjs-node loaded but its TensorFlow backend does not run/);
    const broken = await chooseBackend('auto', {
      require: (id) => {
        if (id === '@tensorflow/tfjs-node-gpu') throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
        throw notFound(id);
      },
    });
    assert.match(broken.tried[0].reason!, /^no CUDA device: tfjs-node-gpu is installed but failed to load: libcudart\.so\.11\.0/);
  });

  it('finds the wasm binaries in an explicit folder, else next to the bundle or in node_modules', () => {
    const dist = findWasmDir();
    assert.ok(dist && dist.replace(/\\/g, '/').endsWith('@tensorflow/tfjs-backend-wasm/dist'), String(dist));
    assert.equal(findWasmDir(dist), dist);
    assert.equal(findWasmDir('/nonexistent'), dist, 'a folder without the binaries is skipped');
  });
});
