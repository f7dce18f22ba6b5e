// Writes the diagram as a page for a plain browser: dist/standalone/<name>.html next to copies of the
// webview bundle, the layout worker and the css, with the model embedded.
//
//   npx tsx scripts/standalone/write-standalone.ts <report.json | model file> [--out DIR] [--inline] [--no-build]
//
// A ModelReport JSON (`cnn-lens summary --json`, or test/browser/fixtures/*.json) is used as is; any other
// file is analysed by src/core (reportText). Serve the folder over http, or pass --inline for one file that
// also opens from disk (file:// pages cannot fetch the worker script).
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { reportText } from '../../src/core';
import type { ModelReport } from '../../src/core/analysis/report-types';
import { renderWebviewHtml } from '../../shared/html';

const ROOT = resolve(__dirname, '..', '..');

export interface StandaloneOptions {
  /** A ModelReport, or the path of a report JSON or model file. */
  readonly input: ModelReport | string;
  /** Output folder; default dist/standalone. */
  readonly outDir?: string;
  /** File name without extension; default from the input. */
  readonly name?: string;
  /** One self-contained HTML file (scripts, worker and css inline). */
  readonly inline?: boolean;
  /** Skip bundling the webview (use the dist/ files as they are). */
  readonly noBuild?: boolean;
}

/** Bundles webview/main.ts, webview/layout-worker.ts and webview/run/worker.ts into dist/, as scripts/build.mjs does. */
export async function buildWebview(): Promise<void> {
  const esbuild = await import('esbuild');
  const common = { bundle: true, sourcemap: true, minify: false, logLevel: 'warning' as const, target: 'es2022', platform: 'browser' as const, format: 'iife' as const };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(ROOT, 'webview/main.ts')], outfile: join(ROOT, 'dist/webview.js') }),
    esbuild.build({ ...common, entryPoints: [join(ROOT, 'webview/layout-worker.ts')], outfile: join(ROOT, 'dist/layout-worker.js') }),
    esbuild.build({ ...common, mainFields: ['module', 'main'], entryPoints: [join(ROOT, 'webview/run/worker.ts')], outfile: join(ROOT, 'dist/run-worker.js') }),
  ]);
}

const isReport = (v: unknown): v is ModelReport =>
  !!v && typeof v === 'object' && Array.isArray((v as ModelReport).layers) && !!(v as ModelReport).totals && !!(v as ModelReport).model;

async function loadReport(input: ModelReport | string): Promise<{ report: ModelReport; uri: string }> {
  if (typeof input !== 'string') return { report: input, uri: `standalone:${input.model.name}` };
  const path = resolve(input);
  const text = readFileSync(path, 'utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (isReport(parsed)) return { report: parsed, uri: `file://${path}` };
  } catch {
    // not JSON: a model format the core may read
  }
  return { report: reportText(text, path), uri: `file://${path}` };
}

export async function writeStandalone(o: StandaloneOptions): Promise<string> {
  if (!o.noBuild) await buildWebview();
  const { report, uri } = await loadReport(o.input);
  const outDir = resolve(o.outDir ?? join(ROOT, 'dist/standalone'));
  mkdirSync(outDir, { recursive: true });
  const name = (o.name ?? (typeof o.input === 'string' ? basename(o.input, extname(o.input)) : report.model.name) ?? 'model').replace(/[^\w.-]+/g, '_');
  const files = {
    script: join(ROOT, 'dist/webview.js'),
    worker: join(ROOT, 'dist/layout-worker.js'),
    runWorker: join(ROOT, 'dist/run-worker.js'),
    css: join(ROOT, 'media/webview.css'),
    theme: join(ROOT, 'media/standalone-theme.css'),
  };
  for (const f of Object.values(files)) if (!existsSync(f)) throw new Error(`missing ${f} (run npm run build)`);
  const nonce = randomBytes(16).toString('base64');
  let html: string;
  if (o.inline) {
    html = renderWebviewHtml({
      cspSource: "'self'", nonce, scriptUri: '', workerUri: '', cssUri: '', title: `${report.model.name} · CNN Lens`,
      initialReport: report, initialUri: uri,
      inline: {
        script: stripSourceMap(readFileSync(files.script, 'utf8')),
        worker: stripSourceMap(readFileSync(files.worker, 'utf8')),
        css: `${readFileSync(files.css, 'utf8')}\n${readFileSync(files.theme, 'utf8')}`,
      },
    });
  } else {
    copyFileSync(files.script, join(outDir, 'webview.js'));
    copyFileSync(files.worker, join(outDir, 'layout-worker.js'));
    copyFileSync(files.runWorker, join(outDir, 'run-worker.js'));
    for (const m of ['webview.js.map', 'layout-worker.js.map', 'run-worker.js.map']) if (existsSync(join(ROOT, 'dist', m))) copyFileSync(join(ROOT, 'dist', m), join(outDir, m));
    copyFileSync(files.css, join(outDir, 'webview.css'));
    copyFileSync(files.theme, join(outDir, 'theme.css'));
    html = renderWebviewHtml({
      cspSource: "'self'", nonce, scriptUri: 'webview.js', workerUri: 'layout-worker.js', runWorkerUri: 'run-worker.js', cssUri: 'webview.css', extraCssUris: ['theme.css'],
      title: `${report.model.name} · CNN Lens`, initialReport: report, initialUri: uri,
    });
  }
  const out = join(outDir, `${name}.html`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return out;
}

const stripSourceMap = (js: string): string => js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flag = (f: string): boolean => argv.includes(f);
  const outIdx = argv.indexOf('--out');
  const input = args.find((a, i) => argv[argv.indexOf(a) - 1] !== '--out' || i < 0);
  if (!input) {
    console.error('usage: npx tsx scripts/standalone/write-standalone.ts <report.json | model file> [--out DIR] [--inline] [--no-build]');
    process.exit(2);
  }
  const out = await writeStandalone({ input, outDir: outIdx >= 0 ? argv[outIdx + 1] : undefined, inline: flag('--inline'), noBuild: flag('--no-build') });
  console.log(out);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
