// Bundles the products separately: the extension (Node, vscode external) and its analysis worker, the CLI (Node) and the
// webview (browser, plus its layout worker). `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// jsonc-parser's UMD entry hides its requires from bundlers; its ESM entry ('module') bundles cleanly.
const common = { mainFields: ['module', 'main'], bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', target: 'es2022' };
// tfjs-node(-gpu) are optional native packages: never bundled, required at run time when present.
// onnxruntime-node loads its native binding by a computed path: it is required from node_modules too.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'];

const builds = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: nodeExternals },
  // Parsing and analysis of open models, off the extension host's main thread (src/node/analysis).
  { entryPoints: ['src/node/analysis/worker.ts'], outfile: 'dist/analysis-worker.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['webview/layout-worker.ts'], outfile: 'dist/layout-worker.js', platform: 'browser', format: 'iife' },
  // TensorFlow.js (WebGPU, WebGL) and onnxruntime-web for running models in the diagram webview: its own bundle, loaded on the first run.
  { entryPoints: ['webview/run/worker.ts'], outfile: 'dist/run-worker.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['webview/profile/main.ts'], outfile: 'dist/profile.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['webview/style/main.ts'], outfile: 'dist/style.js', platform: 'browser', format: 'iife' },
].filter((b) => existsSync(b.entryPoints[0]));

if (watch) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b, metafile: true })));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
  writeBundledPackages(results.flatMap((r) => Object.keys(r.metafile.inputs)));
}

// The npm packages whose code the bundles contain, for the third-party notices of the .vsix
// (scripts/package/third-party-notices.mjs): the folder of each input under node_modules.
function writeBundledPackages(inputs) {
  const folders = new Set();
  for (const input of inputs.map((i) => i.replace(/\\/g, '/'))) {
    // the innermost node_modules/<name> (or @scope/name): a nested copy is a package of its own
    const at = input.lastIndexOf('node_modules/');
    const m = at < 0 ? null : /^node_modules\/(?:@[^/]+\/)?[^/]+/.exec(input.slice(at));
    if (m) folders.add(input.slice(input.indexOf('node_modules/'), at) + m[0]);
  }
  mkdirSync('out', { recursive: true });
  writeFileSync('out/bundled-packages.json', JSON.stringify([...folders].sort(), null, 1) + '\n');
}

// The wasm backend loads its binaries at run time from next to the bundle (src/node/backend.ts).
const wasmDist = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist', { recursive: true });
for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(`${wasmDist}/${f}`, `dist/${f}`);

// onnxruntime-web in the run worker (webview/run/ort-run.ts): its bundle build has the Emscripten glue
// inside dist/run-worker.js; the one binary it fetches (WebGPU EP and CPU kernels) lies next to it,
// loaded from the webview's own resource URIs (env.wasm.wasmPaths), never from a CDN.
copyFileSync('node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm', 'dist/ort-wasm-simd-threaded.jsep.wasm');
