import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseBackend, describeBackend, findWasmDir, memoryLimit, BackendError, type BackendPreference } from '../../src/node/backend';

// Backend choice: what runs here (ONNX Runtime on the CPU for a model it can run; for one it cannot
// yet, no tfjs-node and no GPU: wasm), why the better ones did not, and that a convolution on the
// chosen tfjs backend equals the CPU backend's.

/** A 1×5×5×2 input through a 3×3 convolution with 4 filters (same padding, stride 1). */
function tinyConv(t: typeof tf): Float32Array {
  return t.tidy(() => {
    const x = t.tensor4d(Array.from({ length: 50 }, (_, i) => Math.sin(i)), [1, 5, 5, 2]);
    const k = t.tensor4d(Array.from({ length: 72 }, (_, i) => Math.cos(i * 0.3)), [3, 3, 2, 4]);
    return t.conv2d(x, k, 1, 'same').dataSync() as Float32Array;
  });
}

/** A model without an engine model (one the exporter cannot write: the reason as the chain reports it). */
const KERAS = { noEngine: 'keras3-json models run on ONNX Runtime once CNN Lens exports them to ONNX' };
const NO_CUDA_LIB = { bindingDir: '/nonexistent', cudaDevice: () => undefined };

const notFound = (id: string) => Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- x`), { code: 'MODULE_NOT_FOUND' });

describe('runtime backend choice', () => {
  after(async () => {
    // Leave the process on the CPU backend the other test files use.
    await tf.setBackend('cpu');
  });

  it('auto picks ONNX Runtime on the CPU here, every core unless told, and says why CUDA is not used', async () => {
    const chosen = await chooseBackend('auto', { providers: NO_CUDA_LIB });
    assert.equal(chosen.name, `onnxruntime (CPU, ${availableParallelism()} thread${availableParallelism() === 1 ? '' : 's'})`);
    assert.deepEqual(chosen.engine, { providers: ['cpu'], threads: availableParallelism() });
    assert.equal(tf.getBackend(), 'cpu', 'tfjs CPU prepares the inputs');
    assert.deepEqual(chosen.tried, [
      { name: 'onnxruntime CUDA', ok: false, reason: "onnxruntime's CUDA provider is not installed (install onnxruntime-node with npm's --onnxruntime-node-install=cuda12 flag to get it)" },
      { name: 'onnxruntime', ok: true },
    ]);
    const one = await chooseBackend('onnxruntime', { threads: 1, providers: NO_CUDA_LIB });
    assert.equal(one.name, 'onnxruntime (CPU, 1 thread)');
    assert.equal(memoryLimit(one).what, "this machine's memory");
  });

  it('CUDA is used where its provider library and a device are there, and says why not otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ort-bin-'));
    writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), '');
    const gpu = await chooseBackend('auto', { providers: { bindingDir: dir, cudaDevice: () => undefined } });
    assert.equal(gpu.name, 'onnxruntime (CUDA)');
    assert.deepEqual(gpu.engine!.providers, ['cuda', 'cpu']);
    assert.deepEqual(gpu.tried[0], { name: 'onnxruntime CUDA', ok: true });
    const noDevice = await chooseBackend('auto', { providers: { bindingDir: dir, cudaDevice: () => 'no NVIDIA driver is loaded' } });
    assert.deepEqual(noDevice.engine!.providers, ['cpu']);
    assert.deepEqual(noDevice.tried[0], { name: 'onnxruntime CUDA', ok: false, reason: 'no NVIDIA driver is loaded' });
  });

  it('a model without an engine model, or without onnxruntime-node, goes down the tfjs chain and says why', async () => {
    const keras = await chooseBackend('auto', KERAS);
    assert.match(keras.name, /^wasm( \(SIMD\))?$/);
    assert.equal(keras.engine, undefined);
    assert.deepEqual(keras.tried[0], { name: 'onnxruntime', ok: false, reason: KERAS.noEngine });
    const missing = await chooseBackend('auto', { require: (id) => { throw notFound(id); } });
    assert.deepEqual(missing.tried[0], { name: 'onnxruntime', ok: false, reason: 'onnxruntime-node not installed' });
    await assert.rejects(chooseBackend('onnxruntime', KERAS), /backend onnxruntime cannot run: keras3-json models run on ONNX Runtime once/);
  });

  it('prepareEngine runs once ONNX Runtime loads, on the tfjs CPU backend; the reason it gives goes down the chain', async () => {
    let ranOn: string | undefined;
    const ok = await chooseBackend('auto', { prepareEngine: async (t) => ((ranOn = t.getBackend()), undefined) });
    assert.equal(ranOn, 'cpu');
    assert.ok(ok.engine, ok.name);
    const why = 'ONNX Runtime cannot run it: cannot export x (Foo) to ONNX: the op Foo has no ONNX form';
    const fallback = await chooseBackend('auto', { prepareEngine: async () => why });
    assert.equal(fallback.engine, undefined);
    assert.deepEqual(fallback.tried[0], { name: 'onnxruntime', ok: false, reason: why });
    assert.match(describeBackend(fallback), /not used: ONNX Runtime cannot run it: cannot export x \(Foo\)/);
    let called = false;
    await chooseBackend('wasm', { prepareEngine: async () => ((called = true), undefined) });
    assert.equal(called, false, 'a named tfjs backend exports nothing');
  });

  it('auto picks wasm for a model ONNX Runtime cannot run and says tfjs-node-gpu and tfjs-node are not installed', async () => {
    const chosen = await chooseBackend('auto', KERAS);
    assert.match(chosen.name, /^wasm( \(SIMD\))?$/);
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(chosen.tried, [
      { name: 'onnxruntime', ok: false, reason: KERAS.noEngine },
      { name: 'tfjs-node-gpu', ok: false, reason: 'tfjs-node-gpu not installed' },
      { name: 'tfjs-node', ok: false, reason: 'tfjs-node not installed' },
      { name: 'wasm', ok: true },
    ]);
    assert.equal(describeBackend(chosen), `${chosen.name}; not used: ${KERAS.noEngine}, tfjs-node-gpu not installed, tfjs-node not installed`);
    assert.ok(findWasmDir(), 'the wasm binaries are found locally (nothing is fetched)');
  });

  it('a tiny convolution on the chosen backend equals the CPU backend’s result', async () => {
    const cpu = await chooseBackend('cpu');
    assert.equal(cpu.name, 'cpu');
    assert.deepEqual(cpu.tried, [{ name: 'cpu', ok: true }]);
    assert.equal(tf.getBackend(), 'cpu');
    const expected = tinyConv(cpu.tf);
    const chosen = await chooseBackend('auto', KERAS);
    assert.equal(chosen.tf.getBackend(), 'wasm');
    const got = tinyConv(chosen.tf);
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5, `[${i}] ${v} vs ${expected[i]}`));
  });

  it('an unknown backend name is a clear error', async () => {
    await assert.rejects(chooseBackend('tpu' as BackendPreference), (e: unknown) => e instanceof BackendError && /unknown backend "tpu": choose one of auto, onnxruntime, tfjs-node-gpu, tfjs-node, wasm, cpu/.test(e.message));
  });

  it('asking for a backend that is not installed says why, and does not fall back', async () => {
    await assert.rejects(chooseBackend('tfjs-node'), /backend tfjs-node cannot run: tfjs-node not installed/);
  });

  it('explains a GPU package without a CUDA device, and one that loads but cannot run', async () => {
    const chosen = await chooseBackend('auto', {
      ...KERAS,
      require: (id) => {
        if (id === '@tensorflow/tfjs-node-gpu') return {}; // "installed"
        if (id === '@tensorflow/tfjs-node') return {}; // loads, but registers no 'tensorflow' backend
        throw notFound(id);
      },
      cudaProbe: () => 'no NVIDIA driver is loaded',
    });
    assert.match(chosen.name, /^wasm/);
    assert.deepEqual(chosen.tried[1], { name: 'tfjs-node-gpu', ok: false, reason: 'no CUDA device: no NVIDIA driver is loaded' });
    assert.equal(chosen.tried[2].ok, false);
    assert.match(chosen.tried[2].reason!, /^@tensorflow\/tfjs-node loaded but its TensorFlow backend does not run/);
    const broken = await chooseBackend('auto', {
      ...KERAS,
      require: (id) => {
        if (id === '@tensorflow/tfjs-node-gpu') throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
        throw notFound(id);
      },
    });
    assert.match(broken.tried[1].reason!, /^no CUDA device: tfjs-node-gpu is installed but failed to load: libcudart\.so\.11\.0/);
  });

  it('finds the wasm binaries in an explicit folder, else next to the bundle or in node_modules', () => {
    const dist = findWasmDir();
    assert.ok(dist && dist.replace(/\\/g, '/').endsWith('@tensorflow/tfjs-backend-wasm/dist'), String(dist));
    assert.equal(findWasmDir(dist), dist);
    assert.equal(findWasmDir('/nonexistent'), dist, 'a folder without the binaries is skipped');
  });
});
