import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runCliAsync } from '../../src/cli/main';
import { stylizeFast, tfjsTileRunner, type TransformModel } from '../../src/core/style/fast';
import { resizeImage, type RgbImage } from '../../src/core/style/image-io';
import { readImage } from '../../src/node/image-files';
import { EngineTileRunner, releaseEngineSessions } from '../../src/node/style/fast-engine';
import { loadTransformModelFile } from '../../src/node/style/model-files';
import { findPreset, stylesDir } from '../../src/node/style/presets';

// Fast mode on ONNX Runtime: the exported transformation network equals the tfjs path (raw tile
// output within 1e-4 relative; the stylised image within one grey level), tiles are cut and blended
// as on tfjs (one code path, core's: style-fast.test.ts checks the tile layout),
// and `cnn-lens stylize` names the engine that ran it.

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const peak = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const toFloat = (img: RgbImage) => Float32Array.from(img.data);

describe('style transfer: fast mode on ONNX Runtime', () => {
  let model: TransformModel;
  let content: RgbImage;
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-lens-style-engine-'));

  before(async () => {
    await tf.setBackend('cpu');
    model = await loadTransformModelFile(tf, findPreset('swirls')!.modelPath);
    content = readImage(join(stylesDir(), 'content', 'house.png'), { size: 90 }).image; // 90×N: padded to a multiple of 4
  });
  after(async () => {
    model.dispose();
    await releaseEngineSessions();
  });

  it("the engine's raw tile output equals the tfjs executor's within 1e-4 relative", async () => {
    const h = 64, w = 96;
    const tile = toFloat(resizeImage(content, w, h));
    const ref = await tfjsTileRunner(tf, model).run(tile, h, w);
    const got = await new EngineTileRunner(model, { threads: 1 }).run(tile, h, w);
    const rel = maxAbs(got, ref) / peak(ref);
    assert.ok(rel <= 1e-4, `max difference ${rel.toExponential(2)} of the output's magnitude`);
  });

  it('the stylised image equals the tfjs path (one grey level for rounding), the engine named', async () => {
    const ref = await stylizeFast(tf, model, content);
    const got = await stylizeFast(tf, model, content, { runner: new EngineTileRunner(model, { threads: 1 }) });
    assert.deepEqual([got.image.width, got.image.height], [content.width, content.height]);
    assert.ok(maxAbs(got.image.data, ref.image.data) <= 1, `max difference ${maxAbs(got.image.data, ref.image.data)}`);
    assert.equal(got.engine, 'onnxruntime (CPU, 1 thread)');
    assert.equal(ref.engine, 'tfjs cpu');
  });

  it('tiles on the engine are cut, blended and reported as on tfjs', async () => {
    const img = resizeImage(content, 150, 120);
    const opts = { tile: 64, overlap: 24 };
    const progress: number[] = [];
    const tiled = await stylizeFast(tf, model, img, { ...opts, runner: new EngineTileRunner(model, { threads: 1 }), onTile: (done) => progress.push(done) });
    const tiledTfjs = await stylizeFast(tf, model, img, opts);
    assert.equal(tiled.tiles, 12);
    assert.equal(tiledTfjs.tiles, 12);
    assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1));
    assert.ok(maxAbs(tiled.image.data, tiledTfjs.image.data) <= 1, `engine tiles equal tfjs tiles: max difference ${maxAbs(tiled.image.data, tiledTfjs.image.data)}`);
  });

  it('a cancelled run stops before the next tile', async () => {
    const controller = new AbortController();
    const img = resizeImage(content, 150, 120);
    await assert.rejects(
      stylizeFast(tf, model, img, { tile: 64, overlap: 24, signal: controller.signal, runner: new EngineTileRunner(model, { threads: 1 }), onTile: (done) => done === 2 && controller.abort(new Error('cancelled by the test')) }),
      /cancelled by the test/,
    );
  });

  it('cnn-lens stylize --backend onnxruntime: exit 0, the image written, the engine named', async () => {
    const out = join(tmp, 'engine.png');
    const r = await runCliAsync(['stylize', '--content', join(stylesDir(), 'content', 'house.png'), '--style', 'swirls', '--out', out, '--size', '96', '--backend', 'onnxruntime', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.match(r.stdout, /fast mode \(preset swirls; 1 tile; on onnxruntime \(CPU, 1 thread\)\)/);
    assert.match(r.stdout, /backend: onnxruntime \(CPU, 1 thread\)/);
    const written = readImage(out).image;
    assert.equal(Math.max(written.width, written.height), 96);
  });

  it('cnn-lens stylize (auto): fast mode on ONNX Runtime; --backend wasm forces tfjs', async () => {
    const auto = await runCliAsync(['stylize', '--content', join(stylesDir(), 'content', 'house.png'), '--style', 'swirls', '--out', join(tmp, 'auto.png'), '--size', '64', '--threads', '1']);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stdout, /on onnxruntime \(CPU, 1 thread\)/);
    const wasm = await runCliAsync(['stylize', '--content', join(stylesDir(), 'content', 'house.png'), '--style', 'swirls', '--out', join(tmp, 'wasm.png'), '--size', '64', '--backend', 'wasm']);
    assert.equal(wasm.code, 0, wasm.stderr);
    assert.match(wasm.stdout, /on tfjs wasm/);
    assert.match(wasm.stdout, /backend: wasm/);
    assert.ok(maxAbs(readImage(join(tmp, 'auto.png')).image.data, readImage(join(tmp, 'wasm.png')).image.data) <= 1);
    await tf.setBackend('cpu');
  });

  it('optimise mode cannot be forced onto ONNX Runtime (exit 2, the reason); --threads is fast mode\u2019s only', async () => {
    const forced = await runCliAsync(['stylize', '--content', join(stylesDir(), 'content', 'house.png'), '--style', join(stylesDir(), 'waves.png'), '--out', join(tmp, 'o.png'), '--steps', '1', '--size', '32', '--backend', 'onnxruntime']);
    assert.equal(forced.code, 2);
    assert.match(forced.stderr, /backend onnxruntime cannot run: style transfer's gradients \(Optimise, Train\) run on TensorFlow\.js/);
    const threads = await runCliAsync(['stylize', '--content', join(stylesDir(), 'content', 'house.png'), '--style', join(stylesDir(), 'waves.png'), '--out', join(tmp, 'o.png'), '--threads', '2']);
    assert.equal(threads.code, 2);
    assert.match(threads.stderr, /--threads applies to fast mode/);
  });
});
