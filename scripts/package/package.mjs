// `npm run package`: one .vsix per platform whose native engine differs, built with @vscode/vsce.
//
//   npm run package                         # linux-x64, darwin-arm64, win32-x64 into out/vsix/
//   npm run package -- linux-x64            # only these targets
//
// Everything but ONNX Runtime's Node binding is bundled into dist/ by esbuild (scripts/build.mjs).
// onnxruntime-node loads its native library by a computed path, so it ships as a package in
// node_modules, with its one runtime dependency (onnxruntime-common) and only the binaries of the
// target's platform. vsce cannot leave out other platforms' files per target from one folder, so
// each target is staged in its own folder (out/vsix/<target>/) and packaged from there.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeThirdPartyNotices, SHIPPED_PACKAGES } from './third-party-notices.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out', 'vsix');
// VS Code target → onnxruntime-node's bin/napi-v*/<platform>/<arch>.
const TARGETS = { 'linux-x64': ['linux', 'x64'], 'darwin-arm64': ['darwin', 'arm64'], 'win32-x64': ['win32', 'x64'] };
// Files of the extension itself; .vscodeignore then trims them (source maps, the standalone page's sources).
const EXTENSION_FILES = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'THIRD_PARTY_NOTICES.md', '.vscodeignore', 'dist', 'media', 'models'];

const wanted = process.argv.slice(2);
for (const t of wanted) if (!(t in TARGETS)) throw new Error(`unknown target ${t} (one of ${Object.keys(TARGETS).join(', ')})`);
const targets = wanted.length ? wanted : Object.keys(TARGETS);

execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production'], { cwd: ROOT, stdio: 'inherit' });
writeThirdPartyNotices(ROOT);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
for (const target of targets) {
  const stage = join(OUT, target);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const f of EXTENSION_FILES) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  // The shipped manifest names only what ships in node_modules: vsce packs the production
  // dependencies npm lists, and everything else is inside dist/.
  const shipped = { ...pkg, dependencies: { 'onnxruntime-node': pkg.dependencies['onnxruntime-node'] } };
  for (const k of ['devDependencies', 'optionalDependencies', 'scripts']) delete shipped[k];
  writeFileSync(join(stage, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
  stageEngine(stage, ...TARGETS[target]);

  const file = join(OUT, `${pkg.name}-${target}-${pkg.version}.vsix`);
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--out', file], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  report(file, stage);
}

/** onnxruntime-node (its JS and this platform's binaries) and onnxruntime-common into stage/node_modules. */
function stageEngine(stage, platform, arch) {
  const from = (p) => join(ROOT, 'node_modules', p);
  const to = (p) => join(stage, 'node_modules', p);
  const plain = (src) => !/\.(map|ts)$/.test(src) || !statSync(src).isFile();
  for (const name of SHIPPED_PACKAGES) {
    cpSync(from(name), to(name), {
      recursive: true,
      dereference: true,
      // lib/: TypeScript sources; script/: the install script (downloads CUDA binaries at npm install).
      filter: (src) => plain(src) && !['lib', 'script'].includes(relative(from(name), src).split(/[\\/]/)[0]),
    });
  }
  const bin = to('onnxruntime-node/bin');
  for (const napi of readdirSync(bin)) {
    for (const p of readdirSync(join(bin, napi))) {
      for (const a of readdirSync(join(bin, napi, p))) if (p !== platform || a !== arch) rmSync(join(bin, napi, p, a), { recursive: true });
      if (p !== platform) rmSync(join(bin, napi, p), { recursive: true });
    }
  }
  if (!existsSync(join(bin, 'napi-v6', platform, arch, 'onnxruntime_binding.node'))) throw new Error(`onnxruntime-node has no binding for ${platform}/${arch}`);
  // Its install-time dependencies (adm-zip, global-agent: the CUDA download of script/install) are
  // not shipped; at run time dist/ requires only onnxruntime-common.
  const manifest = JSON.parse(readFileSync(join(to('onnxruntime-node'), 'package.json'), 'utf8'));
  manifest.dependencies = { 'onnxruntime-common': manifest.dependencies['onnxruntime-common'] };
  delete manifest.scripts;
  writeFileSync(join(to('onnxruntime-node'), 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** The package's size and what dominates it. */
function report(file, stage) {
  const sizes = new Map();
  const listing = execFileSync('unzip', ['-Zl', file], { encoding: 'utf8' });
  for (const line of listing.split('\n')) {
    // -rw-r--r--  2.0 unx  8421302 b- 1234567 defN 24-Dec-04 21:40 extension/dist/extension.js
    const m = /^\S{10}\s+\S+\s+\S+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+extension\/(.+)$/.exec(line);
    if (!m) continue;
    const parts = m[2].split('/');
    const key = parts[0] === 'node_modules' ? parts.slice(0, parts[1].startsWith('@') ? 3 : 2).join('/') : parts[0] === 'dist' ? m[2] : parts[0];
    sizes.set(key, (sizes.get(key) ?? 0) + Number(m[1]));
  }
  const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
  const unpacked = Number(/(\d+) bytes uncompressed/.exec(listing)?.[1] ?? 0);
  console.log(`\n${relative(ROOT, file)}: ${mb(statSync(file).size)} (${mb(unpacked)} unpacked); largest parts, compressed:`);
  for (const [k, n] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${mb(n).padStart(8)}  ${k}`);
  rmSync(stage, { recursive: true });
}
