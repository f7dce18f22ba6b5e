// npm run bench:diagram: how fast the diagram webview opens and how smoothly it pans and zooms, in
// Debian's Chromium (headless, through playwright-core; never a downloaded browser).
//
// For each zoo model (models/*.json), generated 2,000- and 10,000-layer models (scripts/large-model.ts)
// and two TF.js graph models (MobileNet v1 from the zoo, BlazeFace as the converter wrote it)
// a standalone page is written (the report embedded, as the extension would post it) and opened, RUNS
// times in fresh contexts. The webview's performance marks give: model received, layout requested,
// layout done (ELK's own time in the worker reported apart), SVG rendered, painted (double rAF).
// "open→paint" runs from navigation start (the page's time origin) to the painted mark.
// Then, on the 10,000-layer model, ~60 wheel and drag events through real input, with the frame
// times taken from requestAnimationFrame deltas. Last, the same on ResNet-50 with every block expanded,
// without and with activation thumbnails on all 177 nodes (pictures of the host's size and encoding).
// Figures are printed, never asserted.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { analyze, buildReport, reportText } from '../src/core';
import { parseSourceWithFiles } from '../src/core/formats/registry';
import { fileSource } from '../src/node/file-source';
import { graphFixturePath, graphFixtures } from '../test/support/tfjs-graph-fixtures';
import type { ModelReport } from '../src/core/analysis/report-types';
import { largeModel } from '../scripts/large-model';
import { pngDataUrl } from '../src/core/runtime/image';
import { barsImage, featureGrid, topK } from '../src/core/runtime/preview-images';
import { buildWebview, writeStandalone } from '../scripts/standalone/write-standalone';

const ROOT = resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=regex: only the cases whose name matches (the zoo is read anyway). */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
const VIEWPORT = { width: 1440, height: 900 };
const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

interface Case { readonly name: string; readonly file: string; readonly layers: number; readonly target?: { ms: number; label: string } }
interface Run {
  visible: number; edges: number; elkMs: number; layoutMs: number; renderMs: number;
  received: number; requested: number; laidOut: number; rendered: number; painted: number;
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const f0 = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(0));
const f1 = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(1));

async function prepare(outDir: string): Promise<Case[]> {
  await buildWebview();
  const cases: Case[] = [];
  const add = async (name: string, report: ModelReport, target?: Case['target']): Promise<void> => {
    if (ONLY && !ONLY.test(name)) return;
    const file = `${name.replace(/[^\w.-]+/g, '_')}`;
    await writeStandalone({ input: report, name: file, outDir, noBuild: true });
    cases.push({ name, file, layers: report.layers.length, target });
  };
  const zoo = join(ROOT, 'models');
  const files = existsSync(zoo) ? readdirSync(zoo).filter((f) => f.endsWith('.json')).sort() : [];
  for (const f of files) {
    let report: ModelReport;
    try {
      report = reportText(readFileSync(join(zoo, f), 'utf8'), join(zoo, f));
    } catch (err) {
      console.warn(`  skipping models/${f}: ${err instanceof Error ? err.message : err}`);
      continue;
    }
    await add(f.replace(/\.json$/, ''), report, f === 'resnet152.json' ? { ms: 1000, label: 'painted < 1 s' } : undefined);
  }
  if (!files.includes('resnet152.json')) console.warn('  models/resnet152.json not present: its target is not measured');
  await add('generated-2000', reportText(JSON.stringify(largeModel(2000)), 'generated-2000.json'), { ms: 2000, label: '< 2 s' });
  await add('generated-10000', reportText(JSON.stringify(largeModel(10_000)), 'generated-10000.json'), { ms: 3000, label: 'opens (collapsed) < 3 s' });
  // TF.js graph models (scripts/tfjs-graph/export_fixtures.py): MobileNet v1 generated from the zoo, and real converter output.
  for (const f of graphFixtures().filter((g) => ['mobilenet_v1', 'blazeface'].includes(g.name))) {
    await add(`tfjs-graph-${f.name}`, buildReport(analyze(await parseSourceWithFiles(fileSource(graphFixturePath(f))))));
  }
  return cases;
}

async function openOnce(browser: Browser, base: string, c: Case): Promise<{ run: Run; page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); }); // (favicon.ico)
  await page.goto(`${base}/${c.file}.html`);
  await page.waitForFunction(() => performance.getEntriesByName('cnn-lens:painted').length > 0, undefined, { timeout: 300_000, polling: 50 });
  if (errors.length) throw new Error(`${c.name}: ${errors.join('; ')}`);
  // String bodies: tsx's keepNames would wrap functions declared inside a callback in a `__name` helper
  // the page does not have.
  const run = (await page.evaluate(`(() => {
    const at = (n) => performance.getEntriesByName('cnn-lens:' + n).at(0)?.startTime ?? NaN;
    const last = window.__cnnLens.lastLayout();
    return {
      visible: last.nodes, edges: last.edges, elkMs: last.elkMs, layoutMs: last.roundTripMs, renderMs: last.renderMs,
      received: at('model-received'), requested: at('layout-requested'), laidOut: at('layout-done'), rendered: at('rendered'), painted: at('painted'),
    };
  })()`)) as Run;
  return { run, page, close: () => context.close() };
}

const startFrames = `(() => {
  window.__frames = [];
  window.__stopFrames = false;
  let prev = performance.now();
  const tick = (now) => {
    window.__frames.push(now - prev);
    prev = now;
    if (!window.__stopFrames) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { prev = now; requestAnimationFrame(tick); });
})()`;
// String bodies, as above.
const stopFrames = `(async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.__stopFrames = true;
  return window.__frames;
})()`;

interface Frames { readonly frames: number[]; readonly events: number; readonly wallMs: number }

/** ~60 real input events (30 wheel steps, a 30-step drag) while recording requestAnimationFrame deltas. */
async function panZoom(page: Page): Promise<{ wheel: Frames; drag: Frames }> {
  const box = (await page.locator('svg.diagram').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  // Zoom out towards the whole model (ever more nodes in view), then back in a little.
  await page.evaluate(startFrames);
  let t0 = Date.now();
  for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 20 ? 120 : -120);
  const wheel = { frames: (await page.evaluate(stopFrames)) as number[], events: 30, wallMs: Date.now() - t0 };
  await page.evaluate(startFrames);
  t0 = Date.now();
  await page.mouse.down();
  for (let i = 1; i <= 30; i++) await page.mouse.move(cx + Math.sin(i / 5) * 200, cy - i * 12);
  await page.mouse.up();
  const drag = { frames: (await page.evaluate(stopFrames)) as number[], events: 32, wallMs: Date.now() - t0 };
  return { wheel, drag };
}

/**
 * An activations message as the host sends it for this model: per layer the same picture (grid of
 * the first 16 maps at 32 px, or top-5 bars) and encoding, of uniform noise, which compresses worst.
 */
function hostSizedActivations(report: ModelReport): { type: 'activations'; image: string; random: boolean; previews: Record<string, { thumbnail: string; min: number; max: number; channels: number }> } {
  const previews: Record<string, { thumbnail: string; min: number; max: number; channels: number }> = {};
  for (const l of report.layers) {
    const s = l.outputShape ?? [];
    const c = s[s.length - 1] ?? 1;
    let picture;
    if (s.length === 4) {
      const [, h, w] = s as number[];
      const n = Math.min(16, c);
      picture = featureGrid(Float32Array.from({ length: h * w * n }, Math.random), h, w, n);
    } else picture = barsImage(topK(Float32Array.from({ length: c }, Math.random), 5));
    previews[l.name] = { thumbnail: pngDataUrl(picture), min: 0, max: 1, channels: c };
  }
  return { type: 'activations', image: 'noise', random: true, previews };
}

/** Pan/zoom on ResNet-50 with every block expanded: without thumbnails, then with one on every node. */
async function thumbnailsPanZoom(browser: Browser, base: string, c: Case): Promise<void> {
  const o = await openOnce(browser, base, c);
  const page = o.page;
  const ready = () => page.waitForSelector('body[data-state="ready"]');
  await page.locator('vscode-button[data-action="expand-all"]').click();
  await ready();
  const report = reportText(readFileSync(join(ROOT, 'models', 'resnet50.json'), 'utf8'), 'resnet50.json');
  const message = hostSizedActivations(report);
  const kb = JSON.stringify(message).length / 1024;
  console.log(`\npan/zoom on resnet50, every block expanded (${report.layers.length} nodes), frame times from requestAnimationFrame deltas:`);
  const line = (what: string, r: { wheel: Frames; drag: Frames }): void => {
    const all = [...r.wheel.frames, ...r.drag.frames];
    console.log(`  ${what.padEnd(22)} ${String(all.length).padStart(4)} frames: median ${f1(median(all))} ms, p95 ${f1(pct(all, 95))} ms, max ${f1(Math.max(...all))} ms, over 50 ms: ${all.filter((f) => f > 50).length}`);
  };
  line('without thumbnails', await panZoom(page));
  await page.locator('vscode-button[data-action="fit"]').click();
  const t0 = Date.now();
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  await page.waitForFunction((n) => document.querySelectorAll('svg.diagram .thumb image').length === n, report.layers.length, { polling: 20 });
  await ready();
  const shownMs = Date.now() - t0;
  line('with 177 thumbnails', await panZoom(page));
  // The next run's pictures replace these in place (same node sizes: no layout).
  const next = hostSizedActivations(report);
  const t1 = Date.now();
  await page.evaluate((m) => window.postMessage(m, '*'), next);
  await page.waitForFunction((href) => document.querySelector('svg.diagram .node[data-id="conv1_conv"] .thumb image')?.getAttribute('href') === href, next.previews.conv1_conv.thumbnail, { polling: 20 });
  const replacedMs = Date.now() - t1;
  console.log(`  activations message ${f0(kb)} KB (noise: the worst case; a real ResNet-50 run's is ~1.1 MB)`);
  console.log(`  message → thumbnails drawn: first run ${shownMs} ms (a relayout: nodes grow), next run ${replacedMs} ms (pictures replaced in place)`);
  await o.close();
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} not found (apt-get install -y chromium)`);
    process.exit(2);
  }
  const outDir = mkdtempSync(join(tmpdir(), 'cnn-lens-bench-diagram-'));
  const home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
  const cases = await prepare(outDir);
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(outDir, path);
    if (!file.startsWith(outDir) || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home },
  });
  try {
    console.log(`diagram webview in ${CHROMIUM} (headless), ${VIEWPORT.width}×${VIEWPORT.height}, median of ${RUNS} runs`);
    console.log('times in ms from navigation start; ELK = ELK alone in the worker; layout = request → result back (ELK + transfer);');
    console.log('render = SVG building; open→paint = navigation start → first paint after the diagram (double rAF)\n');
    const head = ['model', 'layers', 'visible', 'edges', 'received', 'requested', 'ELK', 'layout', 'render', 'open→paint', 'target'];
    const widths = [22, 7, 8, 7, 9, 10, 8, 8, 8, 11, 0];
    const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : i === cells.length - 1 ? `  ${c}` : c.padStart(widths[i]))).join('');
    console.log(row(head));
    // Warm-up: the first page in a fresh browser pays for process start and code caches.
    await (await openOnce(browser, base, cases[0])).close();
    let big: Page | null = null;
    let closeBig: (() => Promise<void>) | null = null;
    for (const c of cases) {
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        const o = await openOnce(browser, base, c);
        runs.push(o.run);
        if (c.name === 'generated-10000' && i === RUNS - 1) {
          big = o.page;
          closeBig = o.close;
        } else await o.close();
      }
      const m = (k: keyof Run): number => median(runs.map((r) => r[k]));
      const paint = m('painted');
      const verdict = c.target ? `${c.target.label}: ${paint < c.target.ms ? 'met' : 'MISSED'}` : '';
      console.log(row([c.name, String(c.layers), f0(m('visible')), f0(m('edges')), f0(m('received')), f0(m('requested')), f0(m('elkMs')), f0(m('layoutMs')), f0(m('renderMs')), f0(paint), verdict]));
    }
    if (big) {
      const { wheel, drag } = await panZoom(big);
      const all = [...wheel.frames, ...drag.frames];
      console.log(`\npan/zoom on generated-10000 (opened collapsed), frame times from requestAnimationFrame deltas:`);
      for (const [what, r] of [['wheel zoom', wheel], ['drag pan', drag], ['all', { frames: all, events: wheel.events + drag.events, wallMs: wheel.wallMs + drag.wallMs }]] as const) {
        console.log(`  ${what.padEnd(10)} ${String(r.events).padStart(3)} events in ${String(r.wallMs).padStart(5)} ms, ${String(r.frames.length).padStart(4)} frames: median ${f1(median(r.frames))} ms, p95 ${f1(pct(r.frames, 95))} ms, max ${f1(Math.max(...r.frames))} ms, over 50 ms: ${r.frames.filter((f) => f > 50).length}`);
      }
      console.log(`  target: stays responsive (p95 frame < 50 ms): ${pct(all, 95) < 50 ? 'met' : 'MISSED'}`);
      await closeBig!();
    }
    const resnet = cases.find((c) => c.name === 'resnet50');
    if (resnet) await thumbnailsPanZoom(browser, base, resnet);
  } finally {
    await browser.close();
    server.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
