// Very large graphs in the diagram webview, in Debian's Chromium: a flat 10,000-layer model (no
// hierarchy of its own) paints as automatic groups laid out level by level, a block opens with its
// members inside it and its edges drawn, and the document holds a bounded number of SVG elements
// (what lies far off screen is not in it, however few items are shown). Correctness only: the timings are bench:diagram's.
//
//   npx mocha --no-config --require tsx/cjs --timeout 120000 test/browser/big-graph.test.ts
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { largeModel } from '../../scripts/large-model';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
import { reportText } from '../../src/core';
import { AUTO_GROUP_LIMIT } from '../../src/core/analysis/auto-groups';
import { CULL_MIN } from '../../webview/diagram';
import { launchChromium, skipWithoutChromium } from '../support/chromium';

const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };
const LAYERS = 10_000;

interface Layout { nodes: number; edges: number; how: string; levels: number; levelsRun: number; levelsStretched: number }

describe('very large graphs (Chromium)', function () {
  this.timeout(240_000);
  let server: Server;
  let browser: Browser;
  let page: Page;
  let out = '';
  let home = '';
  const errors: string[] = [];

  const ready = async (): Promise<void> => void (await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 }));
  const lastLayout = (): Promise<Layout> => page.evaluate(() => (window as unknown as { __cnnLens: { lastLayout(): Layout } }).__cnnLens.lastLayout());
  const count = (selector: string): Promise<number> => page.evaluate((s) => document.querySelectorAll(s).length, selector);
  const toggle = (id: string): Promise<void> => page.evaluate((g) => (window as unknown as { __cnnLens: { toggle(id: string): Promise<void> } }).__cnnLens.toggle(g), id);

  before(async function () {
    skipWithoutChromium(this);
    out = mkdtempSync(join(tmpdir(), 'cnn-lens-big-graph-'));
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
    const report = reportText(JSON.stringify(largeModel(LAYERS, { flat: true })), `flat-${LAYERS}.json`);
    await writeStandalone({ input: report, name: 'flat', outDir: out });
    server = createServer((req, res) => {
      const file = join(out, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    browser = await launchChromium(home);
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/flat.html`);
    await ready();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    for (const dir of [out, home]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('paints a flat 10,000-layer model as automatic groups, one level laid out, every layer accounted for', async () => {
    const layout = await lastLayout();
    assert.equal(layout.how, 'levels');
    assert.equal(layout.levels, 1, 'only the top level is laid out');
    assert.ok(layout.nodes > 20 && layout.nodes <= AUTO_GROUP_LIMIT, `${layout.nodes} items at the top`);
    assert.equal(await page.evaluate(() => (window as unknown as { __cnnLens: { drawnLayerCount(): number } }).__cnnLens.drawnLayerCount()), LAYERS);
    // Big models cull whatever their size: the blocks in and near the viewport are in the document, the rest not.
    const blocks = await count('svg.diagram .node.group');
    assert.ok(blocks > 0 && blocks < layout.nodes, `${blocks} of ${layout.nodes} blocks in the document`);
    assert.equal(await count('svg.diagram .node.layer'), 0, 'every top item is a collapsed block');
    const edges = await count('svg.diagram .edge');
    assert.ok(edges > 0 && edges < layout.edges, `${edges} of ${layout.edges} edges in the document`);
    assert.deepEqual(errors, []);
  });

  it('opens a block: its inside alone is laid out, its members drawn inside its box, its edges drawn', async () => {
    const id = await page.evaluate(() => (document.querySelectorAll('svg.diagram .node.group')[2] as SVGGElement).dataset.id!);
    const members = Number(await page.getAttribute(`svg.diagram .node.group[data-id="${id}"]`, 'data-count'));
    await toggle(id);
    await ready();
    const layout = await lastLayout();
    assert.equal(layout.levels, 2);
    assert.equal(layout.levelsRun, 1, 'the block alone is laid out');
    assert.equal(layout.levelsStretched, 1, 'the top is stretched around it');
    assert.equal(await count(`svg.diagram .container[data-id="${id}"]`), 1);
    // A string body: tsx's keepNames would wrap a function declared in the callback in a `__name` the page lacks.
    const boxes = (await page.evaluate(`(() => {
      const box = (el) => { const b = el.getBoundingClientRect(); return { x: b.x, y: b.y, r: b.right, b: b.bottom }; };
      const frame = box(document.querySelector('svg.diagram .container[data-id="${id}"] rect'));
      return { frame, inner: [...document.querySelectorAll('svg.diagram .node.layer')].map(box) };
    })()`)) as { frame: { x: number; y: number; r: number; b: number }; inner: { x: number; y: number; r: number; b: number }[] };
    assert.ok(boxes.inner.length > 0 && boxes.inner.length <= members, `${boxes.inner.length} of the block's ${members} members in the document`);
    for (const b of boxes.inner) assert.ok(b.x >= boxes.frame.x - 1 && b.y >= boxes.frame.y - 1 && b.r <= boxes.frame.r + 1 && b.b <= boxes.frame.b + 1, 'a member inside its block');
    assert.ok(await count('svg.diagram .edge') <= layout.edges);
    const routes = await page.evaluate(() => [...document.querySelectorAll('svg.diagram .edge path')].filter((p) => (p.getAttribute('d') ?? '').length < 4).length);
    assert.equal(routes, 0, 'every edge has a route');
    // Closing it again comes from the cache: no level laid out.
    await toggle(id);
    await ready();
    assert.equal((await lastLayout()).levelsRun, 0);
    assert.deepEqual(errors, []);
  });

  it('keeps the document bounded: with several blocks open, what lies far off screen is not in the DOM', async () => {
    const ids = await page.evaluate(() => [...document.querySelectorAll('svg.diagram .node.group')].slice(0, 4).map((el) => (el as SVGGElement).dataset.id!));
    for (const id of ids) {
      await toggle(id);
      await ready();
    }
    const layout = await lastLayout();
    assert.ok(layout.nodes > CULL_MIN, `${layout.nodes} visible items`);
    const inDom = await count('svg.diagram .node');
    assert.ok(inDom < layout.nodes, `${inDom} of ${layout.nodes} nodes in the document`);
    const elements = await count('svg.diagram *');
    assert.ok(elements < 12 * layout.nodes, `${elements} SVG elements for ${layout.nodes} items`);
    assert.deepEqual(errors, []);
  });
});
