// The diagram webview in a real browser: the standalone page served over http, opened in Debian's
// Chromium through playwright-core (never a downloaded browser).
//
//   npx mocha --import=tsx --timeout 120000 test/browser/diagram.test.ts
//
// Needs /usr/bin/chromium (apt-get install -y chromium); the suite is skipped when it is missing.
// Screenshots go to test-results/screenshots/.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
import { reportText } from '../../src/core';
import { opCatalog } from '../../src/core/edit/catalog';
import { KERAS_VOCABULARY } from '../../src/core/formats/keras/names';
import { planEdit } from '../../src/core/edit/plan';
import type { ModelEdit } from '../../src/core/edit/types';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { THUMB_ROOM } from '../../webview/thumbnails';
import { pngDataUrl } from '../../src/core/runtime/image';
import { FIXTURES } from './fixtures/make-fixtures';
import { launchChromium, skipWithoutChromium } from '../support/chromium';
import { dynamicBatchConv } from '../support/onnx-build';
import { analyze, buildReport } from '../../src/core';
import { parseSource, parseSourceWithFiles } from '../../src/core/formats/registry';
import { openModelFile } from '../../src/cli/files';
import { bytesSource } from '../../src/core/formats/source';
import type { AnalysisOptions } from '../../src/core/analysis/types';
import { THEME_CSS } from './themes';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'test-results', 'standalone');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.json': 'application/json' };

type Theme = 'light' | 'dark' | 'high-contrast';
/** Zoo models opened as the real core reports them (reportText on models/*.json). */
const ZOO = ['vgg16', 'resnet50', 'googlenet'] as const;

describe('diagram webview (Chromium)', function () {
  this.timeout(120_000);
  let server: Server;
  let base = '';
  let browser: Browser;
  let home = '';
  const problems: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    mkdirSync(SHOTS, { recursive: true });
    let build = true;
    for (const [name, make] of Object.entries(FIXTURES)) {
      await writeStandalone({ input: make(), name, outDir: OUT, noBuild: !build });
      build = false;
    }
    for (const file of ZOO) await writeStandalone({ input: join(ROOT, 'models', `${file}.json`), name: `zoo-${file}`, outDir: OUT, noBuild: true });
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      const file = join(OUT, path);
      if (!file.startsWith(OUT) || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-chromium-'));
    browser = await launchChromium(home);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Closes the page and fails on any console error or CSP violation it logged. */
  async function done(context: BrowserContext): Promise<void> {
    await context.close();
    const logged = problems.splice(0);
    assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
  }

  /** Clicks a node, panning it into view first (the SVG does not scroll, so off-screen nodes need it). */
  async function clickNode(page: Page, id: string, opts: { dbl?: boolean } = {}): Promise<void> {
    const node = page.locator(`svg.diagram .node[data-id="${id}"]`);
    // A relayout still under way (after an edit) can move the node out of sight again: reveal it again then.
    for (let attempt = 1; ; attempt++) {
      await page.evaluate((n) => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal(n), id);
      try {
        if (opts.dbl) await node.dblclick({ timeout: 5_000 });
        else await node.click({ timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 4) throw e;
      }
    }
  }

  async function open(fixture: string, theme: Theme = 'light', size = { width: 1440, height: 900 }): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: size, deviceScaleFactor: 1, acceptDownloads: true });
    context.setDefaultTimeout(20_000); // playwright-core waits forever by default: fail instead
    const page = await context.newPage();
    const css = THEME_CSS[theme];
    await page.route('**/theme.css', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: css }));
    page.on('console', (m) => {
      const t = m.text();
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(t)) problems.push(`[${fixture}] ${m.type()}: ${t}`);
    });
    page.on('pageerror', (e) => problems.push(`[${fixture}] pageerror: ${e.message}`));
    await page.goto(`${base}/${fixture}.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    await page.waitForTimeout(150);
    return { page, context };
  }

  const selected = (page: Page): Promise<string | null> => page.evaluate(() => (window as unknown as { __cnnLens: { selected: string | null } }).__cnnLens.selected);
  const sent = (page: Page): Promise<{ type: string; node?: string | null; version?: number }[]> =>
    page.evaluate(() => (window as unknown as { __cnnLensSent: { type: string }[] }).__cnnLensSent);
  const drawnCount = (page: Page): Promise<number> =>
    page.$$eval('svg.diagram .node', (els) => els.reduce((a, e) => a + Number((e as SVGGElement).dataset.count ?? 0), 0));
  const ready = (page: Page) => page.waitForSelector('body[data-state="ready"]');
  /** Runs a command of the toolbar's ⋯ menu by mouse. */
  async function menuAction(page: Page, action: string): Promise<void> {
    await page.locator('[data-testid="overflow-button"]').click();
    await page.locator(`[data-testid="overflow-menu"] [data-action="${action}"]`).click();
  }

  describe('layout at every width (issue 11)', () => {
    type Box = { x: number; y: number; width: number; height: number };
    const meets = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const visible = (page: Page, sel: string): Promise<string[]> => page.$$eval(sel, (els) => els.filter((e) => (e as HTMLElement).getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').map((e) => (e as HTMLElement).dataset.action ?? e.getAttribute('aria-label') ?? e.tagName));

    for (const width of [350, 540, 800, 1400]) {
      it(`${width} px: the toolbar is one row, the Summary tab shows no diagram control, the legend covers no node after Fit`, async () => {
        for (const theme of ['light', 'dark', 'high-contrast'] as const) {
          const { page, context } = await open('zoo-resnet50', theme, { width, height: 800 });
          const bar = (await page.locator('.toolbar').boundingBox())!;
          assert.ok(bar.height <= 46, `${theme}: one row at ${width}px (${bar.height}px)`);
          const scroll = await page.$eval('.toolbar', (t) => t.scrollWidth - t.clientWidth);
          assert.ok(scroll <= 1, `${theme}: nothing cut off at ${width}px (${scroll}px more)`);
          await page.locator('vscode-button[data-action="fit"]').click();
          await page.waitForTimeout(400);
          const svgBox = (await page.locator('svg.diagram').boundingBox())!;
          const fam = (await page.locator('[data-testid="families-legend"]').boundingBox())!;
          const totals = (await page.locator('footer.totals').boundingBox())!;
          assert.ok(!meets(fam, svgBox), `${theme}: the families legend lies outside the drawing at ${width}px`);
          assert.ok(!meets(fam, totals), `${theme}: nor over the totals`);
          const nodes = await page.$$eval('svg.diagram .node', (els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; }));
          // What shows of each node: its box cut to the drawing (Fit scrolls a tall graph; the svg clips it).
          const clipped = nodes.filter((n) => meets(n, svgBox)).map((n) => {
            const x = Math.max(n.x, svgBox.x);
            const y = Math.max(n.y, svgBox.y);
            return { x, y, width: Math.min(n.x + n.width, svgBox.x + svgBox.width) - x, height: Math.min(n.y + n.height, svgBox.y + svgBox.height) - y };
          });
          assert.ok(clipped.length > 0, 'nodes on screen after Fit');
          assert.ok(clipped.every((n) => !meets(n, fam)), `${theme}: no node under the legend`);
          await page.screenshot({ path: join(SHOTS, `layout-${width}-${theme}-diagram.png`) });
          await page.locator('[data-tab="table"]').click();
          assert.deepEqual(await visible(page, '.toolbar vscode-button, .toolbar vscode-single-select, .toolbar vscode-checkbox, .toolbar .overflow-button'), [], `${theme}: no diagram control on the Summary tab at ${width}px`);
          const barT = (await page.locator('.toolbar').boundingBox())!;
          assert.ok(barT.height <= 46, 'one row on the Summary tab too');
          await page.screenshot({ path: join(SHOTS, `layout-${width}-${theme}-summary.png`) });
          await done(context);
        }
      });
    }

    it('the ⋯ menu: keyboard reachable and labelled; Enter/Space open, arrows move, Escape closes, focus returns', async () => {
      const { page, context } = await open('resnet-mini', 'dark', { width: 540, height: 700 });
      const button = page.locator('[data-testid="overflow-button"]');
      const menu = page.locator('[data-testid="overflow-menu"]');
      assert.equal(await button.getAttribute('aria-haspopup'), 'menu');
      assert.equal(await button.getAttribute('aria-label'), 'More actions');
      assert.equal(await menu.getAttribute('role'), 'menu');
      assert.equal(await menu.getAttribute('aria-label'), 'More actions');
      const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.action ?? document.activeElement?.getAttribute('data-testid') ?? null);
      await button.focus();
      await page.keyboard.press('Enter');
      assert.ok(await menu.isVisible());
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      assert.equal(await focused(), 'heat-none', 'narrow: the heat overlay is in the menu, first');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), 'export-png', 'ArrowUp wraps to the last item');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), 'heat-none');
      await page.keyboard.press('Escape');
      assert.equal(await menu.isVisible(), false);
      assert.equal(await focused(), 'overflow-button', 'focus returns to the button');
      await page.keyboard.press('Space');
      assert.ok(await menu.isVisible());
      await page.keyboard.press('ArrowDown'); // heat-macs
      await page.keyboard.press('Enter');
      await page.waitForSelector('.legend:not([hidden])');
      assert.ok(await page.locator('svg.diagram.heat').count(), 'the menu chose the MACs overlay');
      assert.equal(await focused(), 'overflow-button');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.locator('[data-action="heat-macs"]').getAttribute('aria-checked'), 'true');
      await page.screenshot({ path: join(SHOTS, 'layout-540-dark-overflow-menu.png') });
      await page.keyboard.press('End');
      assert.equal(await focused(), 'export-png');
      await page.keyboard.press('Tab');
      assert.equal(await menu.isVisible(), false, 'Tab closes it');
      // Wide: the select is in the toolbar, so the menu has no heat items.
      await page.setViewportSize({ width: 1400, height: 700 });
      await button.click();
      assert.equal(await page.locator('[data-action="heat-none"]').isVisible(), false);
      assert.equal(await focused(), 'edge-shapes');
      await page.mouse.click(5, 300);
      assert.equal(await menu.isVisible(), false, 'a click elsewhere closes it');
      await done(context);
    });

    it('the legend folds and unfolds by mouse and keyboard and keeps its state in the webview state (setState/getState)', async () => {
      const { page, context } = await open('resnet-mini', 'light', { width: 800, height: 700 });
      const fold = page.locator('[data-testid="legend-fold"]');
      const fam = page.locator('[data-testid="families-legend"]');
      assert.equal(await fold.getAttribute('aria-expanded'), 'true');
      assert.equal(await fold.getAttribute('aria-controls'), 'cl-legend-body');
      assert.ok(await fam.isVisible());
      const svgBefore = (await page.locator('svg.diagram').boundingBox())!.height;
      await fold.click();
      assert.equal(await fam.isVisible(), false, 'folded by mouse');
      assert.equal(await fold.getAttribute('aria-expanded'), 'false');
      assert.ok((await page.locator('svg.diagram').boundingBox())!.height >= svgBefore, 'the drawing keeps (or gains) the room');
      const state = () => page.evaluate(() => ((window as unknown as { __cnnLensState(): { legendFolded?: boolean } }).__cnnLensState()).legendFolded);
      assert.equal(await state(), true, 'kept with setState');
      await page.screenshot({ path: join(SHOTS, 'layout-800-light-legend-folded.png') });
      await fold.focus();
      await page.keyboard.press('Enter');
      assert.ok(await fam.isVisible(), 'unfolded by Enter');
      await page.keyboard.press('Space');
      assert.equal(await fam.isVisible(), false, 'folded by Space');
      await page.keyboard.press('Space');
      assert.ok(await fam.isVisible());
      assert.equal(await state(), false);
      await done(context);
      // A webview opened again with the folded state (getState) starts folded.
      const again = await browser.newContext({ viewport: { width: 800, height: 700 }, deviceScaleFactor: 1 });
      await again.addInitScript(() => ((window as unknown as { __cnnLensInitialState: unknown }).__cnnLensInitialState = { legendFolded: true }));
      const p2 = await again.newPage();
      await p2.route('**/theme.css', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: THEME_CSS.light }));
      await p2.goto(`${base}/resnet-mini.html`);
      await p2.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
      assert.equal(await p2.locator('[data-testid="families-legend"]').isVisible(), false, 'folded from the saved state');
      assert.equal(await p2.locator('[data-testid="legend-fold"]').getAttribute('aria-expanded'), 'false');
      await again.close();
    });
  });

  for (const model of ZOO) {
    it(`zoo ${model}: one drawn node per layer (collapsed groups counted), the inspector shows the core’s shape`, async () => {
      const report = reportText(readFileSync(join(ROOT, 'models', `${model}.json`), 'utf8'), `${model}.json`);
      for (const theme of ['light', 'dark'] as const) {
        const { page, context } = await open(`zoo-${model}`, theme);
        assert.equal(await drawnCount(page), report.layers.length, `${model}: drawn layers`);
        const conv = report.layers.filter((l) => l.type === 'Conv2D')[1];
        // Search reaches the layer even inside a collapsed block.
        await page.locator('vscode-textfield input').fill(conv.name);
        await page.locator('vscode-textfield input').press('Enter');
        await page.waitForFunction((n) => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === n, conv.name);
        await page.waitForSelector(`[data-testid="inspector-name"]:text("${conv.name}")`);
        assert.equal(await page.locator('[data-testid="inspector-output"]').textContent(), `(${conv.outputShape!.join(', ')})`);
        await page.screenshot({ path: join(SHOTS, `zoo-${model}-${theme}.png`) });
        await done(context);
      }
    });
  }

  it('a TF.js graph model (read-only, as the host reports it with its shards read): one drawn node per layer, its name scopes as groups, the inspector shows the core’s shape', async () => {
    const report = buildReport(analyze(await parseSourceWithFiles(openModelFile(join(ROOT, 'test', 'fixtures', 'tfjs_graph_tiny', 'model.json')))));
    assert.equal(report.model.format, 'tfjs-graph');
    await writeStandalone({ input: report, name: 'tfjs-graph-tiny', outDir: OUT, noBuild: true });
    const { page, context } = await open('tfjs-graph-tiny');
    const uri = await page.evaluate(() => document.getElementById('cnn-lens-initial')?.dataset.uri ?? '');
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'model', version: PROTOCOL_VERSION, uri, report, readOnly: 'TF.js graph model (JSON)' } as object);
    await ready(page);
    assert.equal(await drawnCount(page), report.layers.length, 'drawn layers');
    assert.deepEqual(report.groups.map((g) => g.name).sort(), ['block', 'head', 'pw', 'stem']);
    const drawnText = (await page.locator('svg.diagram').textContent()) ?? '';
    for (const g of report.groups) assert.ok(drawnText.includes(g.name), `the group ${g.name} is drawn`);
    // Read-only models offer their input shape instead of editing: NHWC, so H and W are axes 1 and 2.
    assert.deepEqual(await page.locator('[data-testid="input-shape"] vscode-textfield input').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), ['Batch size (axis 0)', 'Input height (axis 1)', 'Input width (axis 2)']);
    const conv = report.layers.find((l) => l.name === 'stem/conv/Relu6')!;
    const search = page.locator('vscode-textfield input[type="search"]');
    await search.fill(conv.name);
    await search.press('Enter');
    await page.waitForSelector(`[data-testid="inspector-name"]:text("${conv.name}")`);
    assert.equal(await page.locator('[data-testid="inspector-output"]').textContent(), `(${conv.outputShape!.join(', ')})`);
    await page.screenshot({ path: join(SHOTS, 'tfjs-graph-tiny-light.png') });
    await done(context);
  });

  it('draws one node per layer of a sequential VGG, and says ready', async () => {
    const { page, context } = await open('vgg-mini');
    const layers = FIXTURES['vgg-mini']().layers.length;
    assert.equal(await page.locator('svg.diagram .node.layer').count(), layers);
    assert.equal(await drawnCount(page), layers);
    assert.equal(await page.locator('svg.diagram .container').count(), 5, 'block1..block5 drawn as expanded groups');
    const msgs = await sent(page);
    assert.deepEqual(msgs[0], { type: 'ready', version: PROTOCOL_VERSION });
    await page.screenshot({ path: join(SHOTS, 'vgg-mini-light.png') });
    await done(context);
  });

  it('counts collapsed groups by the layers they hold (ResNet50 opens collapsed)', async () => {
    const { page, context } = await open('resnet50', 'dark');
    const layers = FIXTURES.resnet50().layers.length;
    assert.ok(layers > 150);
    const groups = await page.locator('svg.diagram .node.group').count();
    assert.equal(groups, 17, 'stem + 16 bottleneck blocks collapsed');
    assert.equal(await drawnCount(page), layers);
    await page.screenshot({ path: join(SHOTS, 'resnet50-collapsed-dark.png') });
    // Expanding one block keeps the count right.
    await clickNode(page, 'block:conv3_block1', { dbl: true });
    await ready(page);
    await page.waitForSelector('svg.diagram .container[data-id="block:conv3_block1"]');
    assert.equal(await drawnCount(page), layers);
    await done(context);
  });

  it('clicking a node selects it, posts select and shows its inspector', async () => {
    const { page, context } = await open('resnet-mini');
    await clickNode(page, 'conv2_block1_2_conv');
    assert.equal(await selected(page), 'conv2_block1_2_conv');
    await assert.doesNotReject(page.waitForSelector('[data-testid="inspector-name"]:text("conv2_block1_2_conv")'));
    const layer = FIXTURES['resnet-mini']().layers.find((l) => l.name === 'conv2_block1_2_conv')!;
    assert.equal(await page.locator('[data-testid="inspector-output"]').textContent(), `(${layer.outputShape!.join(', ')})`);
    assert.ok((await page.locator('.inspector').textContent())!.includes('36,928'), 'params with thousands separators');
    assert.deepEqual((await sent(page)).at(-1), { type: 'select', node: 'conv2_block1_2_conv' });
    await page.locator('.inspector vscode-button[data-action="reveal"]').click();
    assert.deepEqual((await sent(page)).at(-1), { type: 'reveal', node: 'conv2_block1_2_conv' });
    // Shapes on edges: off by default, one checkbox away.
    assert.equal(await page.locator('svg.diagram .edge-label').first().isVisible(), false);
    await menuAction(page, 'edge-shapes');
    assert.equal(await page.locator('svg.diagram .edge-label').first().isVisible(), true);
    await page.screenshot({ path: join(SHOTS, 'resnet-mini-selected-light.png') });
    await done(context);
  });

  it('search finds a layer, and Enter jumps into a collapsed block', async () => {
    const { page, context } = await open('resnet50');
    const input = page.locator('vscode-textfield input');
    await input.fill('conv4_block3_2_conv');
    await input.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === 'conv4_block3_2_conv');
    await ready(page);
    await page.waitForSelector('svg.diagram .node.layer.selected[data-id="conv4_block3_2_conv"]');
    assert.equal(await drawnCount(page), FIXTURES.resnet50().layers.length);
    // A search matching many layers: Enter walks through them.
    await input.fill('_add');
    await input.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === 'conv2_block1_add');
    await input.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === 'conv2_block2_add');
    assert.match((await page.locator('.match-count').textContent())!, /^2 \/ 16$/);
    await done(context);
  });

  it('arrow keys move the selection along edges', async () => {
    const { page, context } = await open('inception-mini');
    await clickNode(page, 'input_1');
    await page.keyboard.press('ArrowDown');
    assert.equal(await selected(page), 'conv1_7x7_s2');
    await page.keyboard.press('ArrowDown');
    assert.equal(await selected(page), 'pool1_3x3_s2');
    await page.keyboard.press('ArrowUp');
    assert.equal(await selected(page), 'conv1_7x7_s2');
    // Across the branches of an inception module.
    await clickNode(page, 'inception_3a_3x3');
    await page.keyboard.press('ArrowRight');
    const right = await selected(page);
    assert.ok(right && right.startsWith('inception_3a_') && right !== 'inception_3a_3x3', `moved right to ${right}`);
    await page.keyboard.press('ArrowDown');
    assert.equal(await selected(page), 'inception_3a_output');
    await page.screenshot({ path: join(SHOTS, 'inception-mini-light.png') });
    await done(context);
  });

  it('shows the activation preview the host sends for the selected layer, labelled when the weights are random', async () => {
    const { page, context } = await open('vgg-mini');
    // A 2×2 PNG (red, green / blue, white) as the host would send: thumbnails, never tensors.
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';
    await page.evaluate((thumbnail) => window.postMessage({ type: 'activations', image: 'sample.png', random: true, previews: { fc1: { thumbnail, min: -1.5, max: 2.25, channels: 64 } } }, '*'), png);
    await page.evaluate(() => window.postMessage({ type: 'select', node: 'fc1' }, '*'));
    const section = page.locator('[data-testid="inspector-activation"]');
    await section.waitFor();
    assert.equal(await section.locator('img.activation').getAttribute('src'), png);
    assert.match((await section.textContent())!, /sample\.png · 64 channels · range -1\.50 … 2\.25/);
    assert.match((await section.textContent())!, /Random weights/);
    await page.evaluate(() => window.postMessage({ type: 'select', node: 'block1_conv1' }, '*'));
    await page.waitForSelector('[data-testid="inspector-name"]:text("block1_conv1")');
    assert.equal(await section.count(), 0, 'no preview for a layer the host sent none for');
    await done(context);
  });

  describe('activation thumbnails on the nodes', () => {
    const post = (page: Page, message: unknown): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message as object);
    /** A distinct little grey PNG per layer and run, as the host would send (pngjs, like the host). */
    const previewsFor = (names: readonly string[], run: number) =>
      Object.fromEntries(names.map((name, i) => {
        const data = new Uint8Array(4 * 4 * 4).fill(255);
        for (let p = 0; p < 16; p++) data.fill((i * 7 + p * 13 + run * 101) % 256, p * 4, p * 4 + 3);
        return [name, { thumbnail: pngDataUrl({ width: 4, height: 4, data }), min: 0, max: 1, channels: 1 }];
      }));
    /** Each drawn node's picture: the image href, or null for an empty frame. */
    const pictures = (page: Page, kind: 'layer' | 'group') =>
      page.$$eval(`svg.diagram .node[data-kind="${kind}"]`, (els) => Object.fromEntries(els.map((el) => [(el as SVGGElement).dataset.id!, el.querySelector('.thumb image')?.getAttribute('href') ?? (el.querySelector('.thumb') ? null : 'no thumb')])));
    const vgg = () => reportText(readFileSync(join(ROOT, 'models', 'vgg16.json'), 'utf8'), 'vgg16.json');

    it('after a run every layer shows its own thumbnail (nodes grown for it), a toggle hides them, the next run replaces them, and an edit drops the stale ones', async () => {
      const { page, context } = await open('zoo-vgg16');
      const toggle = page.locator('[data-testid="thumbnail-toggle"]');
      const badge = page.locator('[data-testid="activation-badge"]');
      assert.equal(await page.locator('svg.diagram .thumb').count(), 0, 'no pictures before a run');
      assert.equal(await toggle.isVisible(), false, 'nothing to toggle before a run');
      const bodyWidth = () => page.$eval('svg.diagram .node[data-id="block1_conv1"] .body', (r) => Number(r.getAttribute('width')));
      const narrow = await bodyWidth();
      const names = vgg().layers.map((l) => l.name);
      const first = previewsFor(names, 1);
      await post(page, { type: 'activations', image: 'shapes.png', random: true, previews: first });
      await page.waitForFunction((n) => document.querySelectorAll('svg.diagram .node.layer .thumb image').length === n, names.length);
      await ready(page);
      assert.deepEqual(await pictures(page, 'layer'), Object.fromEntries(names.map((n) => [n, first[n].thumbnail])));
      assert.equal(await bodyWidth(), narrow + THUMB_ROOM, 'the node grew by the thumbnail’s room, in the layout too');
      const inside = await page.$$eval('svg.diagram .node.layer', (els) => els.every((el) => {
        const img = el.querySelector('.thumb image')!;
        const body = el.querySelector('.body')!;
        const right = Number(img.getAttribute('x')) + Number(img.getAttribute('width'));
        const bottom = Number(img.getAttribute('y')) + Number(img.getAttribute('height'));
        return right <= Number(body.getAttribute('width')) - 2 && bottom <= Number(body.getAttribute('height')) - 2;
      }));
      assert.ok(inside, 'each picture lies inside its node');
      assert.match((await badge.textContent())!, /Activations shapes\.png.*Random weights \(seeded\)/);
      assert.ok(await badge.isVisible());
      await page.screenshot({ path: join(SHOTS, 'vgg16-thumbnails-light.png') });

      // The toggle: off by mouse, on by keyboard; the choice is kept in the webview state.
      await toggle.click();
      await page.waitForFunction(() => document.querySelectorAll('svg.diagram .thumb').length === 0);
      await ready(page);
      assert.equal(await bodyWidth(), narrow);
      assert.equal(await badge.isVisible(), false);
      await toggle.focus();
      await page.keyboard.press('Space');
      await page.waitForFunction((n) => document.querySelectorAll('svg.diagram .node.layer .thumb image').length === n, names.length);

      // The next run (another image): new pictures, in place; a layer it has none for shows an empty frame.
      const second = previewsFor(names.filter((n) => n !== 'fc1'), 2);
      await post(page, { type: 'activations', image: 'other.png', random: false, previews: second });
      await page.waitForFunction((href) => document.querySelector('svg.diagram .node[data-id="block1_conv1"] .thumb image')?.getAttribute('href') === href, second.block1_conv1.thumbnail);
      assert.deepEqual(await pictures(page, 'layer'), Object.fromEntries(names.map((n) => [n, n === 'fc1' ? null : second[n].thumbnail])));
      assert.equal(await page.locator('[data-testid="random-weights"]').count(), 0, 'trained weights: no warning');
      assert.match((await badge.textContent())!, /Activations other\.png/);

      // An edit: the new model arrives first (pictures dimmed as out of date, the deleted layer's gone), then the host's rerun.
      const source = readFileSync(join(ROOT, 'models', 'vgg16.json'), 'utf8');
      const edited = reportText(planEdit(source, 'vgg16.json', { kind: 'deleteLayer', layer: 'block5_conv3' }).text, 'vgg16.json');
      const uri = await page.evaluate(() => document.getElementById('cnn-lens-initial')?.dataset.uri ?? '');
      await post(page, { type: 'model', version: PROTOCOL_VERSION, uri, report: edited });
      await page.waitForSelector('svg.diagram.thumbs-stale');
      await page.waitForFunction(() => !document.querySelector('svg.diagram .node[data-id="block5_conv3"]'));
      await ready(page);
      assert.match((await badge.textContent())!, /from before the last edit/);
      const kept = edited.layers.map((l) => l.name);
      const third = previewsFor(kept, 3);
      await post(page, { type: 'activations', image: 'other.png', random: false, previews: third });
      await page.waitForFunction(() => !document.querySelector('svg.diagram.thumbs-stale'));
      assert.deepEqual(await pictures(page, 'layer'), Object.fromEntries(kept.map((n) => [n, third[n].thumbnail])));
      assert.equal(await page.locator('svg.diagram image').count(), kept.length, 'no picture left over from the deleted layer');
      await done(context);
    });

    it('a classifier’s preview lists its top classes by name in the inspector', async () => {
      const { page, context } = await open('zoo-vgg16');
      const previews = previewsFor(vgg().layers.map((l) => l.name), 1);
      // As the host sends it: top-5 with ImageNet names (src/core/runtime/labels.ts); fc1 has no label file of 4096 lines.
      const predictions = { ...previews.predictions, channels: 1000, top: [{ index: 281, value: 0.625, label: 'tabby, tabby cat' }, { index: 285, value: 0.25, label: 'Egyptian cat' }, { index: 7, value: 0.0625, label: 'cock' }] };
      const fc1 = { ...previews.fc1, channels: 4096, top: [{ index: 12, value: 3.5 }, { index: 7, value: -1.25 }] };
      await post(page, { type: 'activations', image: 'cat.png', random: false, previews: { ...previews, predictions, fc1 } });
      await post(page, { type: 'select', node: 'predictions' });
      const top = page.locator('[data-testid="inspector-top"]');
      await top.waitFor();
      assert.deepEqual(await top.locator('li .name').allTextContents(), ['tabby, tabby cat 281', 'Egyptian cat 285', 'cock 7']);
      assert.deepEqual(await top.locator('li .value').allTextContents(), ['0.625', '0.250', '0.0625']);
      const widths = await top.locator('li .bar').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.getPropertyValue('--w')));
      assert.deepEqual(widths, ['100.0%', '40.0%', '10.0%']);
      assert.equal(await page.locator('[data-testid="inspector-activation"] img.activation').count(), 0, 'the list replaces the bars picture');
      await post(page, { type: 'select', node: 'fc1' });
      await page.waitForSelector('[data-testid="inspector-name"]:text("fc1")');
      assert.deepEqual(await top.locator('li .name').allTextContents(), ['class 12', 'class 7']);
      assert.equal(await top.locator('li .bar.negative').count(), 1);
      await page.screenshot({ path: join(SHOTS, 'vgg16-top-classes-light.png') });
      await done(context);
    });

    it('a collapsed block shows its output layer’s thumbnail (ResNet-50 opens collapsed)', async () => {
      const { page, context } = await open('resnet50', 'dark');
      const names = FIXTURES.resnet50().layers.map((l) => l.name);
      const previews = previewsFor(names, 1);
      await post(page, { type: 'activations', image: 'shapes.png', random: true, previews });
      await page.waitForFunction(() => document.querySelectorAll('svg.diagram .node.group .thumb image').length === 17);
      await ready(page);
      const groups = await pictures(page, 'group');
      assert.equal(groups['block:conv2_block1'], previews.conv2_block1_out.thumbnail, 'a bottleneck block: its residual add + ReLU');
      assert.equal(groups['block:conv5_block3'], previews.conv5_block3_out.thumbnail);
      for (const [id, href] of Object.entries(await pictures(page, 'layer'))) assert.equal(href, previews[id].thumbnail, id);
      assert.ok(await page.locator('[data-testid="random-weights"]').isVisible(), 'random weights stay labelled over the diagram');
      await page.screenshot({ path: join(SHOTS, 'resnet50-thumbnails-dark.png') });
      await done(context);
    });
  });

  it('a profile from the host turns on the latency overlay, hottest layer brightest', async () => {
    const { page, context } = await open('vgg-mini');
    await page.evaluate(() => window.postMessage({ type: 'latency', backend: 'wasm', ms: { block1_conv1: 2, block1_conv2: 8, fc1: 0.5 } }, '*'));
    await page.waitForSelector('.legend:not([hidden]) .title:text("Latency per node (ms, last profile)")');
    const heatOf = (id: string) => page.$eval(`svg.diagram .node[data-id="${id}"]`, (el) => Number((el as SVGGElement).style.getPropertyValue('--h')));
    assert.equal(await heatOf('block1_conv2'), 1);
    assert.equal(await heatOf('block1_conv1'), 0.5, 'square-root scale: sqrt(2/8)');
    assert.equal(await heatOf('block2_conv1'), 0, 'layers the profile did not time are cold');
    await done(context);
  });

  it('the host can select a node, and Shift+F fits all of the graph in view', async () => {
    const { page, context } = await open('vgg-mini');
    await page.evaluate(() => window.postMessage({ type: 'select', node: 'fc1' }, '*'));
    await page.waitForSelector('svg.diagram .node.selected[data-id="fc1"]');
    assert.equal(await selected(page), 'fc1');
    const before = await page.locator('svg.diagram .viewport').getAttribute('transform');
    await page.locator('svg.diagram').focus();
    await page.keyboard.press('+');
    await page.waitForTimeout(50);
    const zoomed = await page.locator('svg.diagram .viewport').getAttribute('transform');
    assert.notEqual(zoomed, before);
    await page.keyboard.press('Shift+F');
    await page.waitForTimeout(300);
    const box = await page.locator('svg.diagram .viewport').boundingBox();
    const stage = await page.locator('svg.diagram').boundingBox();
    assert.ok(box && stage && box.height <= stage.height + 1 && box.y >= stage.y - 1, 'fit shows the whole graph');
    // The host may also send a new model.
    await done(context);
  });

  it('summary table lists every layer and sorts by a column', async () => {
    const { page, context } = await open('resnet-mini', 'dark');
    await page.locator('.view-tabs button[data-tab="table"]').click();
    const layers = FIXTURES['resnet-mini']().layers;
    assert.equal(await page.locator('table.table tbody tr').count(), layers.length);
    await page.locator('table.table th[data-key="macs"]').click();
    const first = await page.locator('table.table tbody tr').first().getAttribute('data-id');
    const maxMacs = [...layers].sort((a, b) => (b.macs ?? 0) - (a.macs ?? 0))[0].name;
    assert.equal(first, maxMacs);
    await page.locator(`table.table tbody tr[data-id="${maxMacs}"]`).click();
    assert.equal(await selected(page), maxMacs);
    await page.screenshot({ path: join(SHOTS, 'resnet-mini-table-dark.png') });
    await done(context);
  });

  it('heat overlay shows a legend; exports SVG and PNG', async () => {
    const { page, context } = await open('inception-mini', 'dark');
    await page.evaluate(() => {
      const s = document.querySelector('vscode-single-select') as HTMLElement & { value: string };
      s.value = 'macs';
      s.dispatchEvent(new Event('change'));
    });
    await page.waitForSelector('.legend:not([hidden])');
    assert.ok(await page.locator('svg.diagram.heat').count());
    await clickNode(page, 'inception_3b_3x3');
    await page.screenshot({ path: join(SHOTS, 'inception-mini-heat-dark.png') });
    const [svgDl] = await Promise.all([page.waitForEvent('download'), menuAction(page, 'export-svg')]);
    assert.equal(svgDl.suggestedFilename(), 'inception_mini.svg');
    const svgText = readFileSync((await svgDl.path())!, 'utf8');
    assert.match(svgText, /^<\?xml[^]*<svg[^]*inception_3a_1x1/);
    assert.ok(!svgText.includes('var(--'), 'colours resolved');
    const [pngDl] = await Promise.all([page.waitForEvent('download'), menuAction(page, 'export-png')]);
    assert.equal(pngDl.suggestedFilename(), 'inception_mini.png');
    const png = readFileSync((await pngDl.path())!);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    await done(context);
  });

  it('renders in the high-contrast theme too', async () => {
    const { page, context } = await open('resnet-mini', 'high-contrast');
    await clickNode(page, 'conv2_block1_add');
    await page.screenshot({ path: join(SHOTS, 'resnet-mini-selected-hc.png') });
    await done(context);
  });

  it('takes the reference screenshots', async () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const fixture of ['resnet-mini', 'inception-mini', 'resnet50']) {
        const { page, context } = await open(fixture, theme);
        await page.screenshot({ path: join(SHOTS, `${fixture}-${theme}.png`) });
        await done(context);
      }
    }
  });
  // ---------- editing: the webview side (the host is simulated: editResult and the new model are posted
  // to the page as the extension would, the new report built by planEdit + reportText on the edited text) ----------
  describe('editing', () => {
    type Sent = { type: string; id?: number; edit?: ModelEdit };
    const text = (model: string): string => readFileSync(join(ROOT, 'models', `${model}.json`), 'utf8');
    const post = (page: Page, message: unknown): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message as object);
    const edits = async (page: Page): Promise<Sent[]> => ((await sent(page)) as Sent[]).filter((m) => m.type === 'edit');
    const lastEdit = async (page: Page): Promise<Sent> => {
      const all = await edits(page);
      assert.ok(all.length, 'an edit was posted');
      return all[all.length - 1];
    };

    before(async () => {
      await writeStandalone({ input: join(ROOT, 'models', 'resnet18.json'), name: 'zoo-resnet18', outDir: OUT, noBuild: true });
      await writeStandalone({ input: join(ROOT, 'models', 'mobilenet_v1.json'), name: 'zoo-mobilenet_v1', outDir: OUT, noBuild: true });
    });

    /** Opens a zoo model in edit mode (the host sends the catalog after `ready`). */
    async function openEditable(model: string, theme: Theme = 'dark') {
      const o = await open(`zoo-${model}`, theme);
      await post(o.page, { type: 'catalog', ops: opCatalog(KERAS_VOCABULARY) });
      await o.page.waitForFunction(() => (window as unknown as { __cnnLens: { editable: boolean } }).__cnnLens.editable);
      await o.page.waitForSelector('body[data-state="ready"]');
      return o;
    }

    /** What the host does with an edit: plan it on the file's text, answer, and post the new model. */
    async function hostApplies(page: Page, model: string, message: Sent): Promise<{ before: ReturnType<typeof reportText>; after: ReturnType<typeof reportText>; focus?: string }> {
      const source = text(model);
      const planned = planEdit(source, `${model}.json`, message.edit!);
      const before = reportText(source, `${model}.json`);
      const after = reportText(planned.text, `${model}.json`);
      const uri = await page.evaluate(() => document.getElementById('cnn-lens-initial')?.dataset.uri ?? '');
      await post(page, { type: 'model', version: PROTOCOL_VERSION, uri, report: after });
      await post(page, { type: 'editResult', id: message.id, ok: true, focus: planned.focus, problems: planned.newProblems.map((p) => p.message) });
      return { before, after, focus: planned.focus };
    }

    const attrField = (page: Page, attr: string) => page.locator(`.inspector tr[data-attr="${attr}"] vscode-textfield input`);

    it('changing filters in the inspector posts setAttribute; the new model flashes the exact delta', async () => {
      const { page, context } = await openEditable('vgg16');
      await clickNode(page, 'block1_conv1');
      await page.waitForSelector('.inspector tr[data-attr="filters"] vscode-textfield');
      // Keras names, schema values.
      assert.deepEqual(await page.locator('.inspector tr.attr-edit > td:first-child > label').allTextContents(), ['filters', 'groups', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'use_bias', 'activation', 'data_format']);
      assert.equal(await attrField(page, 'filters').inputValue(), '64');
      await attrField(page, 'filters').fill('32');
      // The host echoes the selection when revealing it moves the text cursor: what the user typed stays.
      await post(page, { type: 'select', node: 'block1_conv1' });
      await page.waitForTimeout(50);
      assert.equal(await attrField(page, 'filters').inputValue(), '32');
      await page.screenshot({ path: join(SHOTS, 'edit-inspector-dark.png') });
      await attrField(page, 'filters').press('Enter');
      const msg = await lastEdit(page);
      assert.deepEqual(msg.edit, { kind: 'setAttribute', layer: 'block1_conv1', attr: 'filters', value: 32 });
      assert.equal(typeof msg.id, 'number');
      // Blur (change) after Enter does not post it twice.
      await page.locator('svg.diagram').focus();
      assert.equal((await edits(page)).length, 1);
      const vp = await page.evaluate(() => document.querySelector('svg.diagram .viewport')!.getAttribute('transform'));
      const { before, after } = await hostApplies(page, 'vgg16', msg);
      const delta = after.totals.params! - before.totals.params!;
      assert.ok(delta < 0);
      const chip = page.locator('.totals .delta[data-delta="params"]');
      await chip.waitFor();
      assert.equal(await chip.textContent(), `params −${Math.abs(delta).toLocaleString('en-US')}`);
      // The changed nodes flash with their own delta; the view neither jumps nor loses the selection.
      await page.waitForSelector('.delta-badge[data-id="block1_conv2"]');
      const own = after.layers.find((l) => l.name === 'block1_conv1')!.params - before.layers.find((l) => l.name === 'block1_conv1')!.params;
      assert.match((await page.locator('.delta-badge[data-id="block1_conv1"] text').textContent())!, new RegExp(`^params −${Math.abs(own).toLocaleString('en-US')}`));
      assert.equal(await selected(page), 'block1_conv1');
      assert.equal(await attrField(page, 'filters').inputValue(), '32');
      assert.equal(await page.evaluate(() => document.querySelector('svg.diagram .viewport')!.getAttribute('transform')), vp);
      await page.screenshot({ path: join(SHOTS, 'edit-delta-flash-dark.png') });
      await page.locator('.totals').screenshot({ path: join(SHOTS, 'edit-delta-totals-dark.png') });
      await done(context);
    });

    it('refuses invalid values inline without posting; a refused edit shows the banner and keeps the UI', async () => {
      const { page, context } = await openEditable('vgg16', 'light');
      await clickNode(page, 'block1_conv1');
      for (const bad of ['0', '-3', '2.5']) {
        await attrField(page, 'filters').fill(bad);
        await attrField(page, 'filters').press('Enter');
        await page.waitForSelector('.inspector tr[data-attr="filters"] .attr-error:not([hidden])');
      }
      assert.match((await page.locator('.inspector tr[data-attr="filters"] .attr-error').textContent())!, /filters must be a whole number/);
      // A kernel larger than the input (valid padding) is refused before it reaches the host.
      await clickNode(page, 'block5_pool');
      const ks = page.locator('.inspector tr[data-attr="poolSize"] vscode-textfield input');
      await ks.first().fill('30');
      await ks.first().press('Enter');
      await page.waitForSelector('.inspector tr[data-attr="poolSize"] .attr-error:not([hidden])');
      assert.match((await page.locator('.inspector tr[data-attr="poolSize"] .attr-error').textContent())!, /larger than the 14×14 input/);
      assert.deepEqual(await edits(page), [], 'nothing posted');
      await page.locator('.inspector').screenshot({ path: join(SHOTS, 'edit-invalid-inline-light.png') });
      await clickNode(page, 'block5_conv1');
      // A value the host refuses: the banner says why, the field shows the file's value again.
      await attrField(page, 'filters').fill('100000');
      await attrField(page, 'filters').press('Enter');
      const msg = await lastEdit(page);
      assert.deepEqual(msg.edit, { kind: 'setAttribute', layer: 'block5_conv1', attr: 'filters', value: 100000 });
      await post(page, { type: 'editResult', id: msg.id, ok: false, message: 'block5_conv1: filters: the model would not fit in memory' });
      const banner = page.locator('.banner[role="alert"]');
      await banner.waitFor();
      assert.match((await banner.textContent())!, /Could not change filters of block5_conv1: block5_conv1: filters: the model would not fit in memory/);
      assert.equal(await attrField(page, 'filters').inputValue(), '512');
      assert.equal(await selected(page), 'block5_conv1');
      await page.screenshot({ path: join(SHOTS, 'edit-refused-light.png') });
      await done(context);
    });

    it('Delete deletes the selected layer; F2 renames it inline', async () => {
      const { page, context } = await openEditable('vgg16');
      await clickNode(page, 'block2_conv2');
      await page.keyboard.press('Delete');
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'deleteLayer', layer: 'block2_conv2' });
      await page.keyboard.press('F2');
      const field = page.locator('[data-testid="rename-field"] input');
      await field.waitFor();
      await field.fill('block2_conv1');
      await field.press('Enter');
      await page.waitForSelector('.inspector .rename-wrap .attr-error:not([hidden])');
      await field.fill('second_conv');
      await field.press('Enter');
      const msg = await lastEdit(page);
      assert.deepEqual(msg.edit, { kind: 'renameLayer', layer: 'block2_conv2', newName: 'second_conv' });
      await hostApplies(page, 'vgg16', msg);
      await page.waitForFunction(() => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === 'second_conv');
      assert.equal(await page.locator('[data-testid="inspector-name"]').textContent(), 'second_conv');
      assert.equal(await page.locator('.delta-badge').count(), 0, 'a rename changes no numbers');
      await done(context);
    });

    it('the palette inserts after the selection, suggestions first; the new layer is selected', async () => {
      const { page, context } = await openEditable('vgg16');
      await clickNode(page, 'block3_conv1');
      await page.locator('.inspector vscode-button[data-action="insert-after"]').click();
      await page.waitForSelector('.quick-pick:not([hidden])');
      assert.deepEqual((await page.locator('.qp-item .qp-label').allTextContents()).slice(0, 3), ['BatchNormalization', 'ReLU', 'Activation']);
      await page.locator('.qp-input').fill('drop');
      await page.screenshot({ path: join(SHOTS, 'edit-palette-dark.png') });
      await page.locator('.qp-input').fill('batchn');
      await page.keyboard.press('Enter');
      const msg = await lastEdit(page);
      // Named after its anchor, so that it stays in the anchor's block.
      assert.deepEqual(msg.edit, { kind: 'insertLayer', anchor: 'block3_conv1', position: 'after', op: 'BatchNormalization', name: 'block3_conv1_bn' });
      assert.ok(await page.locator('.quick-pick[hidden]').count());
      const { focus } = await hostApplies(page, 'vgg16', msg);
      assert.equal(focus, 'block3_conv1_bn');
      await page.waitForFunction((f) => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === f, focus);
      const chip = page.locator('.totals .delta[data-delta="params"]');
      await chip.waitFor();
      assert.equal(await chip.textContent(), `params +${(4 * 256).toLocaleString('en-US')}`);
      await page.screenshot({ path: join(SHOTS, 'edit-inserted-dark.png') });
      await done(context);
    });

    it('connects from the keyboard: the context menu adds an input to an Add, and feeds a layer from another', async () => {
      const { page, context } = await openEditable('resnet18');
      await clickNode(page, 'conv2_block2_add');
      await page.keyboard.press('Shift+F10');
      await page.waitForSelector('.context-menu:not([hidden])');
      await page.screenshot({ path: join(SHOTS, 'edit-context-menu-dark.png') });
      await page.locator('.context-menu .item[data-id="add-input"]').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('.quick-pick:not([hidden])');
      // Layers downstream of the Add (a cycle) are not offered; same-shape layers come first.
      const offered = await page.locator('.qp-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
      assert.ok(!offered.includes('conv2_block2_out') && !offered.includes('conv2_block2_add'));
      assert.equal(offered[0], 'conv2_block2_2_conv', 'the nearest same-shape layer upstream comes first');
      assert.ok(offered.includes('pool1_pool'));
      await page.locator('.qp-input').fill('pool1_p');
      await page.keyboard.press('Enter');
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'connect', layer: 'conv2_block2_add', input: 2, from: 'pool1_pool' });
      // Single-input layers: "Connect input from…" replaces input 0.
      await clickNode(page, 'conv3_block1_0_conv');
      await page.locator('.inspector vscode-button[data-action="connect"]').click();
      await page.locator('.qp-input').fill('conv2_block1_out');
      await page.keyboard.press('Enter');
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'connect', layer: 'conv3_block1_0_conv', input: 0, from: 'conv2_block1_out' });
      await done(context);
    });

    it('drags from a node’s output dot onto another node to connect, with the host’s verdict shown before the drop', async () => {
      const { page, context } = await openEditable('resnet18');
      const stop = answerChecks(page, 'resnet18');
      await clickNode(page, 'conv2_block2_1_relu');
      const dot = page.locator('svg.diagram .node[data-id="conv2_block2_1_relu"] .port-out');
      const target = page.locator('svg.diagram .node[data-id="conv2_block2_add"]');
      await page.evaluate(() => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal('conv2_block2_add'));
      const a = (await dot.boundingBox())!;
      const b = (await target.boundingBox())!;
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
      try {
        // An Add takes one more input: allowed (the host plans it), and said so by the pointer.
        await page.waitForSelector('svg.diagram .node.drop-ok[data-id="conv2_block2_add"]');
        assert.equal(await page.locator('.rewire-tag text').textContent(), 'Add an input to conv2_block2_add from conv2_block2_1_relu');
      } finally {
        stop();
      }
      await page.screenshot({ path: join(SHOTS, 'edit-drag-connect-dark.png') });
      await page.mouse.up();
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'connect', layer: 'conv2_block2_add', input: 2, from: 'conv2_block2_1_relu' });
      await done(context);
    });

    /**
     * Answers the page's dry runs (`checkEdit`) as the extension does: planEdit on the file's text, nothing
     * applied. Returns a function that stops answering.
     */
    function answerChecks(page: Page, model: string): () => void {
      const source = text(model);
      let seen = 0;
      let busy = false;
      const timer = setInterval(async () => {
        if (busy || page.isClosed()) return;
        busy = true;
        try {
          const all = (await sent(page).catch(() => [])) as Sent[];
          for (const m of all.slice(seen)) {
            if (m.type !== 'checkEdit') continue;
            try {
              const planned = planEdit(source, `${model}.json`, m.edit!);
              await post(page, { type: 'editCheck', id: m.id, ok: true, problems: planned.newProblems.map((p) => p.message) });
            } catch (e) {
              await post(page, { type: 'editCheck', id: m.id, ok: false, message: (e as Error).message });
            }
          }
          seen = all.length;
        } finally {
          busy = false;
        }
      }, 40);
      return () => clearInterval(timer);
    }

    /** Presses on an edge's handle (source or target end) and moves onto a node, in steps, without releasing. */
    async function dragEdge(page: Page, source: string, target: string, end: 'source' | 'target', onto: string): Promise<void> {
      await page.evaluate((n) => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal(n), target);
      const handle = page.locator(`svg.diagram .edge[data-source="${source}"][data-target="${target}"] .edge-handle[data-end="${end}"]`);
      const a = (await handle.boundingBox())!;
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      const b = (await page.locator(`svg.diagram .node[data-id="${onto}"]`).boundingBox())!;
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
    }

    it('drags an edge’s end onto another layer: the host’s dry run marks the candidate, a refused drop posts nothing, Escape cancels', async () => {
      const { page, context } = await openEditable('resnet18');
      const stop = answerChecks(page, 'resnet18');
      try {
        // The edge shows its handles when hovered.
        await page.evaluate(() => (window as unknown as { __cnnLens: { reveal(id: string): void } }).__cnnLens.reveal('conv2_block2_2_conv'));
        const edge = 'svg.diagram .edge[data-source="conv2_block2_1_relu"][data-target="conv2_block2_2_conv"]';
        const handle = page.locator(`${edge} .edge-handle[data-end="target"]`);
        assert.equal(await handle.evaluate((el) => getComputedStyle(el).opacity), '0');
        const hb = (await handle.boundingBox())!;
        await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
        await page.waitForFunction((sel) => getComputedStyle(document.querySelector(sel)!).opacity === '1', `${edge} .edge-handle[data-end="target"]`);
        // Allowed: feed conv2_block2_2_conv from an upstream layer of the same shape (over three other candidates on the way).
        await dragEdge(page, 'conv2_block2_1_relu', 'conv2_block2_2_conv', 'target', 'conv2_block2_1_conv');
        await page.waitForSelector('svg.diagram .node.drop-ok[data-id="conv2_block2_1_conv"]');
        assert.equal(await page.locator('.rewire-tag text').textContent(), 'Feed conv2_block2_2_conv from conv2_block2_1_conv');
        assert.equal(await page.locator(`${edge}.rewiring`).count(), 1, 'the old edge is shown detached');
        await page.screenshot({ path: join(SHOTS, 'edit-drag-edge-ok-dark.png') });
        await page.mouse.up();
        const checked = ((await sent(page)) as Sent[]).filter((m) => m.type === 'checkEdit').map((m) => m.edit as Extract<ModelEdit, { kind: 'connect' }>);
        assert.ok(checked.every((c) => c.kind === 'connect' && c.layer === 'conv2_block2_2_conv' && c.input === 0), 'dry runs of the drop under the pointer');
        assert.equal(checked.filter((c) => c.from === 'conv2_block2_1_conv').length, 1, 'one dry run per candidate');
        assert.ok(!checked.some((c) => c.from === 'conv2_block2_1_relu' || c.from === 'conv2_block2_2_conv'), 'its own source and target are no candidates');
        assert.deepEqual((await lastEdit(page)).edit, { kind: 'connect', layer: 'conv2_block2_2_conv', input: 0, from: 'conv2_block2_1_conv' });
        assert.equal(await page.locator('.rewire-line').count(), 0);
        // Refused (the host's own reason): the Add's shortcut input from a layer of another shape (58×58×64), grabbed by its source end.
        const before = (await edits(page)).length;
        await dragEdge(page, 'conv3_block1_0_bn', 'conv3_block1_add', 'source', 'conv3_block1_1_pad');
        await page.waitForSelector('svg.diagram .node.drop-bad[data-id="conv3_block1_1_pad"]');
        assert.match((await page.locator('.rewire-tag text').textContent())!, /^✕ conv3_block1_add \(Add\): /);
        await page.screenshot({ path: join(SHOTS, 'edit-drag-edge-refused-dark.png') });
        await page.mouse.up();
        const banner = page.locator('.banner[role="alert"]');
        await banner.waitFor();
        assert.match((await banner.textContent())!, /Cannot feed input 1 of conv3_block1_add from conv3_block1_1_pad: conv3_block1_add \(Add\)/);
        // A cycle is refused too: the Add fed from the layer it feeds.
        await dragEdge(page, 'conv3_block1_0_bn', 'conv3_block1_add', 'target', 'conv3_block1_out');
        await page.waitForSelector('svg.diagram .node.drop-bad[data-id="conv3_block1_out"]');
        assert.match((await page.locator('.rewire-tag text').textContent())!, /cycle/);
        // Escape cancels: nothing is posted when the button is released.
        await page.keyboard.press('Escape');
        assert.equal(await page.locator('.rewire-line').count(), 0);
        assert.equal(await page.locator('svg.diagram .node.drop-target').count(), 0);
        await page.mouse.up();
        assert.equal((await edits(page)).length, before, 'no edit posted for the refused drop nor the cancelled one');
      } finally {
        stop(); // the answering timer must not keep mocha alive when an assertion fails
      }
      await done(context);
    });

    /** Every visible node's top-left corner on screen. */
    const screenBoxes = (page: Page): Promise<Record<string, { x: number; y: number; w: number }>> =>
      page.$$eval('svg.diagram .node', (els) => Object.fromEntries(els.map((el) => {
        const r = el.querySelector('.body')!.getBoundingClientRect();
        return [(el as SVGGElement).dataset.id!, { x: Math.round(r.x * 10) / 10, y: Math.round(r.y * 10) / 10, w: Math.round(r.width * 10) / 10 }];
      })));

    it('the layout keeps still across edits (ResNet-18): an attribute edit moves no node; an insertion leaves the nodes upstream in place and moves the rest only down', async () => {
      const { page, context } = await openEditable('resnet18');
      const how = (): Promise<string> => page.evaluate(() => (window as unknown as { __cnnLens: { lastLayout(): { how: string } } }).__cnnLens.lastLayout().how);
      await clickNode(page, 'conv3_block1_1_conv');
      await page.waitForSelector('.inspector tr[data-attr="filters"] vscode-textfield');
      const start = await screenBoxes(page);
      await attrField(page, 'filters').fill('96');
      await attrField(page, 'filters').press('Enter');
      await hostApplies(page, 'resnet18', await lastEdit(page));
      await page.waitForSelector('.delta-badge[data-id="conv3_block1_1_conv"]');
      await ready(page);
      assert.equal(await how(), 'reused', 'no topology or size change: the last layout is reused');
      assert.deepEqual(await screenBoxes(page), start, 'every node keeps its exact place');
      // Insert after conv3_block1_0_bn (the projection shortcut): as the host applies it on the edited text.
      await clickNode(page, 'conv3_block1_0_bn');
      const before = await screenBoxes(page);
      const source = planEdit(text('resnet18'), 'resnet18.json', { kind: 'setAttribute', layer: 'conv3_block1_1_conv', attr: 'filters', value: 96 }).text;
      const insert: ModelEdit = { kind: 'insertLayer', anchor: 'conv3_block1_0_bn', position: 'after', op: 'ReLU', name: 'conv3_block1_0_relu' };
      const planned = planEdit(source, 'resnet18.json', insert);
      const uri = await page.evaluate(() => document.getElementById('cnn-lens-initial')?.dataset.uri ?? '');
      await post(page, { type: 'model', version: PROTOCOL_VERSION, uri, report: reportText(planned.text, 'resnet18.json') });
      await page.waitForSelector('svg.diagram .node[data-id="conv3_block1_0_relu"]');
      await ready(page);
      assert.equal(await how(), 'seeded');
      const after = await screenBoxes(page);
      const report = reportText(source, 'resnet18.json');
      const inputs = new Map(report.layers.map((l) => [l.name, l.inputs]));
      const upstream = new Set<string>();
      const stack = ['conv3_block1_0_bn'];
      while (stack.length) {
        const id = stack.pop()!;
        if (upstream.has(id)) continue;
        upstream.add(id);
        stack.push(...(inputs.get(id) ?? []));
      }
      const centre = (b: { x: number; w: number }): number => Math.round((b.x + b.w / 2) * 10) / 10;
      let column = 0;
      for (const [id, b] of Object.entries(before)) {
        const a = after[id];
        assert.ok(a, `${id} still drawn`);
        if (upstream.has(id)) assert.deepEqual(a, b, `${id} (upstream of the insertion) stays`);
        else assert.ok(a.y >= b.y - 0.1, `${id} moves down the flow, never up (${b.y} → ${a.y})`);
        if (Math.abs(centre(a) - centre(b)) < 0.15) column++;
      }
      assert.equal(column, Object.keys(before).length, 'every node keeps its column');
      await page.screenshot({ path: join(SHOTS, 'edit-layout-kept-dark.png') });
      await done(context);
    });

    it('duplicates a block from its context menu (keyboard) or inspector; a projection block is refused with the host’s reason', async () => {
      const { page, context } = await openEditable('resnet18');
      await menuAction(page, 'collapse-all');
      await clickNode(page, 'block:conv2_block2');
      assert.equal(await selected(page), 'block:conv2_block2');
      await page.keyboard.press('Shift+F10');
      await page.waitForSelector('.context-menu:not([hidden])');
      await page.locator('.context-menu .item[data-id="duplicate-block"]').focus();
      await page.keyboard.press('Enter');
      const msg = await lastEdit(page);
      assert.deepEqual(msg.edit, { kind: 'duplicateBlock', block: 'conv2_block2' });
      const { before, after, focus } = await hostApplies(page, 'resnet18', msg);
      assert.equal(focus, 'conv2_block3_out', 'ResNet-18 has conv2_block1 and 2: the copy is the next free block');
      // Two 3×3 64→64 convolutions (no bias: a BN follows each) and two BNs of 64 channels.
      const own = before.layers.filter((l) => l.name.startsWith('conv2_block2_')).reduce((s, l) => s + l.params, 0);
      assert.equal(own, 2 * 9 * 64 * 64 + 2 * 4 * 64);
      assert.equal(after.totals.params! - before.totals.params!, own);
      const chip = page.locator('.totals .delta[data-delta="params"]');
      await chip.waitFor();
      assert.equal(await chip.textContent(), `params +${own.toLocaleString('en-US')}`);
      await page.waitForFunction(() => (window as unknown as { __cnnLens: { selected: string } }).__cnnLens.selected === 'conv2_block3_out');
      // The inspector of a block offers the same action; the host's refusal is shown with its reason.
      await clickNode(page, 'block:conv3_block1');
      await page.locator('.inspector vscode-button[data-action="duplicate-block"]').click();
      const refused = await lastEdit(page);
      assert.deepEqual(refused.edit, { kind: 'duplicateBlock', block: 'conv3_block1' });
      const reason = (() => {
        try {
          planEdit(text('resnet18'), 'resnet18.json', refused.edit!);
        } catch (e) {
          return (e as Error).message;
        }
        return 'accepted';
      })();
      assert.match(reason, /^conv3_block1 cannot be duplicated: it turns 1×56×56×64 into 1×28×28×128/);
      await post(page, { type: 'editResult', id: refused.id, ok: false, message: reason });
      const banner = page.locator('.banner[role="alert"]');
      await banner.waitFor();
      assert.equal(await banner.locator('.banner-title').textContent(), `Could not duplicate conv3_block1: ${reason}`);
      await page.screenshot({ path: join(SHOTS, 'edit-duplicate-block-dark.png') });
      await done(context);
    });

    it('the toolbar width multiplier α posts scaleWidth (presets and free entry); α = 0.5 on MobileNet v1 totals 1,342,536 params', async () => {
      const { page, context } = await openEditable('mobilenet_v1', 'light');
      const knob = page.locator('[data-testid="width-alpha"]');
      await knob.waitFor();
      assert.match((await knob.getAttribute('title'))!, /every Conv and Dense layer’s width .* except the last weighted layer \(the classifier\)/);
      // From the keyboard: open the drop-down, two down from 1.0 is 0.5.
      await knob.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const msg = await lastEdit(page);
      assert.deepEqual(msg.edit, { kind: 'scaleWidth', factor: 0.5 });
      await hostApplies(page, 'mobilenet_v1', msg);
      await page.waitForFunction(() => document.querySelector('.totals [data-total="params"]')?.getAttribute('title') === '1,342,536 parameters');
      assert.equal(await knob.evaluate((el) => (el as HTMLElement & { value: string }).value), '1.0', 'the file now holds the scaled widths: α reads 1.0 again');
      // Any α: "Other…" opens a number field; Enter applies, a value out of (0, 16] is refused in place.
      await knob.evaluate((el) => {
        (el as HTMLElement & { value: string }).value = 'other';
        el.dispatchEvent(new Event('change'));
      });
      const other = page.locator('[data-testid="width-alpha-other"] input');
      await other.waitFor();
      await page.locator('.toolbar').screenshot({ path: join(SHOTS, 'edit-width-alpha-light.png') });
      await other.fill('20');
      await other.press('Enter');
      await page.locator('.banner[role="alert"]').waitFor();
      assert.match((await page.locator('.banner-title').textContent())!, /width multiplier α must be a number in \(0, 16\], not “20”/);
      const posted = (await edits(page)).length;
      await other.fill('0.35');
      await other.press('Enter');
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'scaleWidth', factor: 0.35 });
      assert.equal((await edits(page)).length, posted + 1);
      assert.ok(await page.locator('[data-testid="width-alpha-other"][hidden]').count(), 'the field closes once applied');
      await done(context);
    });

    it('the toolbar input size posts setInputShape', async () => {
      const { page, context } = await openEditable('vgg16');
      const hField = page.locator('[data-testid="input-h"] input');
      assert.equal(await hField.inputValue(), '224');
      await hField.fill('160');
      await hField.press('Enter');
      assert.deepEqual((await lastEdit(page)).edit, { kind: 'setInputShape', layer: 'input_1', shape: [null, 160, 224, 3] });
      await done(context);
    });
  });

  // ---------- read-only models (ONNX): the input shape the panel is analysed at (the host is simulated:
  // it answers analyzeAt with the report of analyze(graph, { inputShape }), as diagram-webview.ts does) ----------
  describe('input shape of a read-only model', () => {
    const post = (page: Page, message: unknown): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message as object);
    const reportAt = (options: AnalysisOptions = {}) => buildReport(analyze(parseSource(bytesSource('dyn.onnx', dynamicBatchConv())), options));
    const analyzeAts = async (page: Page) => ((await sent(page)) as { type: string; inputShape?: unknown }[]).filter((m) => m.type === 'analyzeAt');
    const field = (page: Page, axis: number) => page.locator(`[data-testid="input-shape"] vscode-textfield[data-axis="${axis}"] input`);

    before(async () => {
      await writeStandalone({ input: reportAt(), name: 'onnx-dynamic-batch', outDir: OUT, noBuild: true });
    });

    /** Opens the page as the binary editor shows it: the model message says the format is read-only, and no catalog comes. */
    async function openReadOnly(theme: Theme = 'light', size?: { width: number; height: number }) {
      const o = await open('onnx-dynamic-batch', theme, size);
      const uri = await o.page.evaluate(() => document.getElementById('cnn-lens-initial')?.dataset.uri ?? '');
      const answer = async (inputShape: AnalysisOptions['inputShape'], report = reportAt({ inputShape })) => {
        await post(o.page, { type: 'model', version: PROTOCOL_VERSION, uri, report, readOnly: 'ONNX', ...(inputShape ? { analyzedAt: inputShape } : {}) });
        await ready(o.page);
      };
      await answer(undefined);
      await o.page.locator('[data-testid="input-shape"]:not([hidden])').waitFor();
      return { ...o, answer };
    }

    it('edits the symbolic batch and H × W (NCHW axes 0, 2, 3) and posts analyzeAt with the whole shape; the answer drops the Assumed row', async () => {
      const { page, context, answer } = await openReadOnly();
      assert.deepEqual(await page.locator('[data-testid="input-shape"] .dim-name').allTextContents(), ['batch', 'H', 'W']);
      assert.deepEqual(await page.locator('[data-testid="input-shape"] .fixed').allTextContents(), ['3'], 'the channels are the weights’: shown, not offered');
      assert.deepEqual(await page.locator('[data-testid="input-shape"] vscode-textfield input').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), ['batch (symbolic, axis 0)', 'Input height (axis 2)', 'Input width (axis 3)'], 'screen readers hear what each field is');
      assert.equal(await field(page, 0).inputValue(), '1');
      await clickNode(page, 'x');
      assert.equal(await page.locator('[data-testid="inspector-assumed"]').textContent(), 'batch = 1 (axis 0)');
      // Keyboard: the fields follow each other in tab order; Enter applies.
      await field(page, 0).fill('8');
      await field(page, 0).press('Tab');
      assert.ok(await field(page, 2).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement), 'Tab goes from batch to H');
      await field(page, 2).fill('64');
      await field(page, 2).press('Tab');
      await field(page, 3).fill('64');
      await field(page, 3).press('Enter');
      assert.deepEqual(await analyzeAts(page), [{ type: 'analyzeAt', inputShape: { x: [8, 3, 64, 64] } }], 'moving between the fields does not apply; Enter does, once');
      await page.locator('svg.diagram').focus();
      assert.equal((await analyzeAts(page)).length, 1, 'the blur after Enter does not ask twice');
      await answer({ x: [8, 3, 64, 64] });
      await page.waitForSelector('[data-testid="input-shape-reset"]:not([hidden])');
      assert.equal(await page.locator('[data-testid="inspector-output"]').textContent(), '(8, 3, 64, 64)');
      assert.equal(await page.locator('[data-testid="inspector-assumed"]').count(), 0, 'the batch is the user’s now, not assumed');
      assert.equal(await field(page, 0).inputValue(), '8');
      // Reset: back to the file's own shape.
      await page.locator('[data-testid="input-shape-reset"]').click();
      assert.deepEqual((await analyzeAts(page)).at(-1), { type: 'analyzeAt', inputShape: null });
      await done(context);
    });

    it('a shape the model cannot take comes back as the analysis’s diagnostic, shown in the banner; the fields keep what was typed', async () => {
      const { page, context, answer } = await openReadOnly('dark');
      await field(page, 2).press('Enter');
      assert.equal((await analyzeAts(page)).length, 0, 'nothing changed: nothing asked');
      await field(page, 2).fill('0');
      await field(page, 2).press('Enter');
      assert.deepEqual((await analyzeAts(page)).at(-1), { type: 'analyzeAt', inputShape: { x: [1, 3, 0, 32] } });
      await answer({ x: [1, 3, 0, 32] });
      await page.waitForFunction(() => /not a positive integer/.test(document.querySelector('.banner li')?.textContent ?? ''));
      assert.equal(await field(page, 2).inputValue(), '0', 'the fields keep what was typed');
      await page.screenshot({ path: join(SHOTS, 'onnx-input-shape-refused-dark.png') });
      await done(context);
    });

    it('fits the toolbar at 400 and 1200 px, light and dark; editable models keep their own input size', async () => {
      for (const theme of ['light', 'dark'] as const) {
        for (const width of [400, 1200]) {
          const { page, context } = await openReadOnly(theme, { width, height: 700 });
          const box = (await page.locator('[data-testid="input-shape"]').boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= width, `inside the window at ${width}px`);
          assert.ok(box.height < 40, `one line at ${width}px (${box.height}px)`);
          await page.locator('.toolbar').screenshot({ path: join(SHOTS, `onnx-input-shape-toolbar-${width}-${theme}.png`) });
          await done(context);
        }
      }
      const { page, context } = await open('zoo-vgg16');
      assert.equal(await page.locator('[data-testid="input-shape"]:not([hidden])').count(), 0);
      await done(context);
    });
  });
});
