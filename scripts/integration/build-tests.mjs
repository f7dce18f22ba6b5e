// Compiles the integration tests (test/integration/**/*.ts, fixtures excepted) to CommonJS under
// out/integration/, one bundle per file (tsconfig has noEmit). `vscode` and npm packages (mocha,
// @vscode/test-electron) stay external; the repo's own modules (src/...) are bundled in.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const srcDir = 'test/integration';
const outDir = 'out/integration';
const entryPoints = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split(path.sep).includes('fixtures'))
  .map((f) => path.join(srcDir, f));

rmSync(outDir, { recursive: true, force: true }); // no stale *.test.js from deleted tests
await esbuild.build({
  entryPoints,
  outbase: srcDir,
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: true,
  packages: 'external',
  external: ['vscode'],
  logLevel: 'warning',
});
