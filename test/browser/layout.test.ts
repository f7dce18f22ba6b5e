// The diagram's layout at every width (issue 11, sections 1 and 3), in a real browser: the inspector
// as a panel (hide, resize, bottom sheet), Fit at a readable zoom, whole layer names, the summary table
// in a narrow group, ▶ and the arrow keys, search by name or type, clean exports. Geometry is read
// from the page (bounding boxes), at 350, 540, 800 and 1400 px, light, dark and high contrast.
//
//   npx mocha --no-config --require tsx/cjs --timeout 120000 test/browser/layout.test.ts
//
// Needs /usr/bin/chromium; skipped without it. Screenshots go to test-results/screenshots/layout-*.png;
// the measured canvas shares and Fit zooms are printed.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
import { READABLE_ZOOM } from '../../webview/diagram';
import { NARROW_AT } from '../../webview/inspector-panel';
import { launchChromium, skipWithoutChromium } from '../support/chromium';
import { THEME_CSS } from './themes';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'test-results', 'standalone-layout');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
const WIDTHS = [350, 540, 800, 1400] as const;
const THEMES = ['light', 'dark', 'high-contrast'] as const;
type Theme = (typeof THEMES)[number];
type Box = { x: number; y: number; width: number; height: number };

interface Lens {
  selected: string | null;
  zoom: number;
  reveal(id: string): void;
}
const lens = (page: Page) => ({
  selected: () => page.evaluate(() => (window as unknown as { __cnnLens: Lens }).__cnnLens.selected),
  zoom: () => page.evaluate(() => (window as unknown as { __cnnLens: Lens }).__cnnLens.zoom),
  sent: () => page.evaluate(() => (window as unknown as { __cnnLensSent: { type: string; inspector?: unknown }[] }).__cnnLensSent),
});
const inside = (a: Box, b: Box, slack = 1): boolean => a.x >= b.x - slack && a.y >= b.y - slack && a.x + a.width <= b.x + b.width + slack && a.y + a.height <= b.y + b.height + slack;

describe('diagram layout at every width (Chromium)', function () {
  this.timeout(120_000);
  let server: Server;
  let base = '';
  let browser: Browser;
  let home = '';
  const problems: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    mkdirSync(SHOTS, { recursive: true });
    await writeStandalone({ input: join(ROOT, 'models', 'resnet50.json'), name: 'resnet50', outDir: OUT });
    await writeStandalone({ input: join(ROOT, 'models', 'googlenet.json'), name: 'googlenet', outDir: OUT, noBuild: true });
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      const file = join(OUT, path);
      if (!file.startsWith(OUT) || !existsSync(file)) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-layout-'));
    browser = await launchChromium(home);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function open(model: string, theme: Theme, width: number, height = 800): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, acceptDownloads: true });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.route('**/theme.css', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: THEME_CSS[theme] }));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`[${model} ${width} ${theme}] ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`[${model} ${width} ${theme}] pageerror: ${e.message}`));
    await page.goto(`${base}/${model}.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    await page.waitForTimeout(150);
    return { page, context };
  }

  async function done(context: BrowserContext): Promise<void> {
    await context.close();
    const logged = problems.splice(0);
    assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
  }

  const box = async (page: Page, sel: string): Promise<Box> => (await page.locator(sel).first().boundingBox())!;
  const nodeBox = (page: Page, id: string) => box(page, `svg.diagram .node[data-id="${id}"] .body`);
  const settle = (page: Page) => page.waitForTimeout(350); // a Fit or reveal animates for 220–260 ms
  const ready = (page: Page) => page.waitForSelector('body[data-state="ready"]');
  async function menuAction(page: Page, action: string): Promise<void> {
    await page.locator('[data-testid="overflow-button"]').click();
    await page.locator(`[data-testid="overflow-menu"] [data-action="${action}"]`).click();
  }
  async function clickNode(page: Page, id: string): Promise<void> {
    await page.evaluate((n) => (window as unknown as { __cnnLens: Lens }).__cnnLens.reveal(n), id);
    await page.locator(`svg.diagram .node[data-id="${id}"] .body`).click();
  }

  describe('the inspector panel', () => {
    const figures: string[] = [];
    after(() => figures.length && console.log(`      canvas share and Fit zoom, ResNet-50 (collapsed), 800 px tall:\n${figures.map((f) => `        ${f}`).join('\n')}`));

    for (const width of WIDTHS) {
      it(`${width} px: the canvas keeps ≥ 60% with the inspector shown and all of it hidden; Fit reads at ≥ ${READABLE_ZOOM * 100}%; the selected node stays uncovered`, async () => {
        for (const theme of THEMES) {
          const { page, context } = await open('resnet50', theme, width);
          const main = await box(page, '.main');
          const canvas = await box(page, 'svg.diagram');
          const panel = await box(page, '[data-testid="inspector-panel"]');
          const sheet = width < NARROW_AT;
          assert.equal(await page.locator('.main.inspector-sheet').count(), sheet ? 1 : 0, `${theme}: a bottom sheet below ${NARROW_AT} px`);
          if (sheet) assert.ok(panel.y >= canvas.y + canvas.height - 3 && Math.abs(panel.width - width) <= 1, `${theme}: the sheet lies under the drawing, full width`);
          else assert.ok(panel.x >= canvas.x + canvas.width - 3, `${theme}: the column lies beside the drawing`);
          const widthShare = canvas.width / width;
          const areaShare = (canvas.width * canvas.height) / (main.width * main.height);
          assert.ok(widthShare >= 0.6 && areaShare >= 0.6, `${theme} ${width}px: the canvas keeps ${(widthShare * 100).toFixed(0)}% of the width, ${(areaShare * 100).toFixed(0)}% of the area`);
          await page.locator('vscode-button[data-action="fit"]').click();
          await settle(page);
          const fitZoom = await lens(page).zoom();
          assert.ok(fitZoom >= READABLE_ZOOM - 1e-6, `${theme}: Fit at ${(fitZoom * 100).toFixed(0)}%`);
          // The opening block, drawn inside the canvas, its title text whole.
          const stem = await nodeBox(page, 'block:conv1');
          assert.ok(inside(stem, canvas), `${theme}: after Fit the graph's start is on screen`);
          await clickNode(page, 'block:conv2_block3');
          await settle(page);
          assert.ok(inside(await nodeBox(page, 'block:conv2_block3'), await box(page, 'svg.diagram')), `${theme}: the selected block is in the visible canvas`);
          if (theme === 'light') await page.screenshot({ path: join(SHOTS, `layout-${width}-resnet50-inspector.png`) });
          else await page.screenshot({ path: join(SHOTS, `layout-${width}-${theme}-resnet50-inspector.png`) });
          // Hidden: the whole room is the drawing's.
          await page.locator('[data-testid="inspector-toggle"]').click();
          await settle(page);
          const all = await box(page, 'svg.diagram');
          const mainNow = await box(page, '.main');
          assert.ok(Math.abs(all.width - mainNow.width) <= 1 && Math.abs(all.height + (await box(page, '.legend-bar')).height - mainNow.height) <= 2, `${theme}: hidden, the canvas takes all of the room (${all.width}×${all.height} of ${mainNow.width}×${mainNow.height})`);
          assert.equal(await page.locator('[data-testid="inspector-panel"]').isVisible(), false);
          // Brought back with the selected block in view.
          await page.locator('[data-testid="inspector-toggle"]').click();
          await settle(page);
          assert.ok(inside(await nodeBox(page, 'block:conv2_block3'), await box(page, 'svg.diagram')), `${theme}: shown again, the selected block is not covered`);
          if (theme === 'light') figures.push(`${width} px: canvas ${(widthShare * 100).toFixed(0)}% of the width, ${(areaShare * 100).toFixed(0)}% of the area with the inspector ${sheet ? 'as a bottom sheet' : 'as a column'}; 100% hidden; Fit ${(fitZoom * 100).toFixed(0)}%`);
          await done(context);
        }
      });
    }

    it('the splitter resizes by keyboard and mouse, is labelled, and the host hears each change; the host’s remembered layout is applied', async () => {
      const { page, context } = await open('resnet50', 'dark', 1000);
      const splitter = page.locator('[data-testid="inspector-splitter"]');
      assert.equal(await splitter.getAttribute('role'), 'separator');
      assert.equal(await splitter.getAttribute('aria-orientation'), 'vertical');
      assert.equal(await splitter.getAttribute('aria-controls'), 'cl-inspector');
      const panelWidth = async () => (await box(page, '[data-testid="inspector-panel"]')).width;
      const w0 = await panelWidth();
      assert.equal(Number(await splitter.getAttribute('aria-valuenow')), Math.round(w0));
      await splitter.focus();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      assert.equal(Math.round(await panelWidth()), Math.round(w0) + 32, 'two steps of 16 px wider');
      await page.keyboard.press('Shift+ArrowRight');
      assert.equal(Math.round(await panelWidth()), Math.round(w0) + 32 - 64, 'Shift: 64 px');
      await page.keyboard.press('Home');
      assert.equal(Math.round(await panelWidth()), Number(await splitter.getAttribute('aria-valuemin')));
      await page.keyboard.press('End');
      assert.equal(Math.round(await panelWidth()), 500, 'at most half the room');
      const last = (await lens(page).sent()).filter((m) => m.type === 'panelLayout').at(-1);
      assert.deepEqual(last, { type: 'panelLayout', inspector: { hidden: false, width: 500 } });
      // Drag 100 px to the right: 100 px narrower.
      const s = await box(page, '[data-testid="inspector-splitter"]');
      await page.mouse.move(s.x + s.width / 2, s.y + 200);
      await page.mouse.down();
      await page.mouse.move(s.x + s.width / 2 + 50, s.y + 200, { steps: 3 });
      await page.mouse.move(s.x + s.width / 2 + 100, s.y + 200, { steps: 3 });
      await page.mouse.up();
      assert.equal(Math.round(await panelWidth()), 400);
      assert.deepEqual((await lens(page).sent()).filter((m) => m.type === 'panelLayout').at(-1), { type: 'panelLayout', inspector: { hidden: false, width: 400 } });
      await page.screenshot({ path: join(SHOTS, 'layout-1000-dark-splitter.png') });
      // The keyboard hides it (i) and brings it back; the × in its bar hides it too.
      await page.locator('svg.diagram').focus();
      await page.keyboard.press('i');
      assert.equal(await page.locator('[data-testid="inspector-panel"]').isVisible(), false);
      assert.equal(await page.locator('[data-testid="inspector-toggle"]').getAttribute('aria-pressed'), 'false');
      await page.keyboard.press('i');
      assert.ok(await page.locator('[data-testid="inspector-panel"]').isVisible());
      await page.locator('[data-testid="inspector-hide"]').click();
      assert.equal(await page.locator('[data-testid="inspector-panel"]').isVisible(), false);
      assert.deepEqual((await lens(page).sent()).filter((m) => m.type === 'panelLayout').at(-1), { type: 'panelLayout', inspector: { hidden: true, width: 400 } });
      // What the host remembered for the workspace (sent after `ready`).
      await page.evaluate(() => window.postMessage({ type: 'panelLayout', inspector: { hidden: false, width: 260 } }, '*'));
      await page.waitForSelector('[data-testid="inspector-panel"]', { state: 'visible' });
      assert.equal(Math.round(await panelWidth()), 260);
      // Narrow: the same splitter sizes the bottom sheet, with the up and down arrows.
      await page.setViewportSize({ width: 540, height: 800 });
      await page.waitForSelector('.main.inspector-sheet');
      assert.equal(await splitter.getAttribute('aria-orientation'), 'horizontal');
      const sheetHeight = async () => (await box(page, '[data-testid="inspector-panel"]')).height;
      const h0 = await sheetHeight();
      await splitter.focus();
      await page.keyboard.press('ArrowUp');
      assert.equal(Math.round(await sheetHeight()), Math.round(h0) + 16);
      assert.deepEqual((await lens(page).sent()).filter((m) => m.type === 'panelLayout').at(-1), { type: 'panelLayout', inspector: { hidden: false, width: 260, sheetHeight: Math.round(h0) + 16 } }, 'the column width and the sheet height are kept apart');
      // Enter on the splitter hides the panel (the window-splitter pattern); focus goes to the toolbar's toggle.
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('[data-testid="inspector-panel"]').isVisible(), false);
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid), 'inspector-toggle');
      await done(context);
    });
  });
  it('after a run the toolbar still keeps one row in narrow groups (Activations moves into ⋯)', async () => {
    // A 1×1 grey PNG, as the host sends thumbnails.
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';
    for (const width of WIDTHS) {
      const { page, context } = await open('resnet50', 'dark', width);
      await page.evaluate((thumbnail) => window.postMessage({ type: 'activations', image: 'cat.png', random: true, previews: { conv1_conv: { thumbnail, min: 0, max: 1, channels: 64 } } }, '*'), png);
      await page.waitForSelector('svg.diagram .thumb');
      await ready(page);
      const bar = await box(page, '.toolbar');
      const overflow = await page.$eval('.toolbar', (t) => t.scrollWidth - t.clientWidth);
      assert.ok(bar.height <= 46 && overflow <= 1, `${width} px: one row, nothing cut off (${bar.height} px high, ${overflow} px more)`);
      assert.equal(await page.locator('[data-testid="thumbnail-toggle"]').isVisible(), width >= 600, `${width} px: the Activations toggle in the toolbar only where there is room`);
      await page.locator('[data-testid="overflow-button"]').click();
      assert.ok(await page.locator('[data-testid="overflow-menu"] [data-action="thumbnails"]').isVisible(), 'and in the ⋯ menu');
      await done(context);
    }
  });

  describe('Fit and names', () => {
    const figures: string[] = [];
    after(() => figures.length && console.log(`      ResNet-50 with every block expanded, inspector shown:\n${figures.map((f) => `        ${f}`).join('\n')}`));

    for (const width of WIDTHS) {
      it(`${width} px: Fit keeps a readable zoom on the expanded ResNet-50 and Fit all shows all of it; every layer name is whole on its node`, async () => {
        const { page, context } = await open('resnet50', 'light', width);
        await menuAction(page, 'expand-all');
        await ready(page);
        await settle(page);
        await page.locator('vscode-button[data-action="fit"]').click();
        await settle(page);
        const fit = await lens(page).zoom();
        assert.ok(fit >= READABLE_ZOOM - 1e-6 && fit <= 1.25, `Fit at ${(fit * 100).toFixed(0)}%`);
        const canvas = await box(page, 'svg.diagram');
        const drawing = await box(page, 'svg.diagram .viewport');
        assert.ok(drawing.height > canvas.height, 'the long axis scrolls');
        assert.ok(drawing.y >= canvas.y - 1 && drawing.y <= canvas.y + 40, 'from the graph’s start');
        await page.screenshot({ path: join(SHOTS, `layout-${width}-resnet50-expanded-fit.png`) });
        // Names: the face shows each layer's own name (the part after its block) whole, inside its box.
        const cut = await page.$$eval('svg.diagram .node.layer:not(.minor)', (els) => els.flatMap((el) => {
          const id = (el as SVGGElement).dataset.id!;
          const name = el.querySelector('text.name');
          const body = el.querySelector('.body')!.getBoundingClientRect();
          const r = name?.getBoundingClientRect();
          const whole = name?.textContent === id.slice(id.lastIndexOf('/') + 1);
          return whole && r && r.left >= body.left && r.right <= body.right ? [] : [`${id}: ${name?.textContent ?? 'no name'}`];
        }));
        assert.deepEqual(cut, [], 'names cut off or missing');
        // The tooltip says the full name.
        const some = 'conv4_block6_3_conv';
        await page.evaluate((n) => (window as unknown as { __cnnLens: Lens }).__cnnLens.reveal(n), some);
        await settle(page);
        await page.locator(`svg.diagram .node[data-id="${some}"] .body`).hover();
        assert.equal(await page.locator('.tooltip .tt-title span').first().textContent(), some);
        // The wheel scrolls along the graph; Ctrl with the wheel zooms.
        const before = await box(page, 'svg.diagram .viewport');
        await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
        await page.mouse.wheel(0, 400);
        await page.waitForTimeout(100);
        const scrolled = await box(page, 'svg.diagram .viewport');
        assert.ok(Math.abs(scrolled.y - (before.y - 400)) <= 1 && Math.abs(scrolled.x - before.x) <= 1, 'the wheel scrolled the drawing up by 400 px');
        assert.equal(await lens(page).zoom(), fit, 'at the same zoom');
        await page.keyboard.down('Control');
        await page.mouse.wheel(0, 100);
        await page.keyboard.up('Control');
        await page.waitForTimeout(100);
        assert.ok(await lens(page).zoom() < fit, 'Ctrl+wheel zoomed out');
        await page.keyboard.press('Shift+F');
        await settle(page);
        const all = await lens(page).zoom();
        const everything = await box(page, 'svg.diagram .viewport');
        const canvasNow = await box(page, 'svg.diagram');
        assert.ok(inside(everything, canvasNow, 2), 'Fit all: the whole graph in view');
        assert.ok(all < fit, 'Fit all goes smaller than Fit here');
        figures.push(`${width} px: Fit ${(fit * 100).toFixed(0)}%, Fit all ${(all * 100).toFixed(1)}%`);
        await done(context);
      });
    }
  });

  describe('the summary table in a narrow group', () => {
    for (const width of WIDTHS) {
      it(`${width} px: name, output shape, params and MACs come first and show; the name column stays while the rest scrolls`, async () => {
        for (const theme of THEMES) {
          const { page, context } = await open('resnet50', theme, width);
          await page.locator('[data-tab="table"]').click();
          const heads = await page.$$eval('table.table thead th', (ths) => ths.filter((th) => th.getClientRects().length > 0).map((th) => th.textContent!.replace(/[▲▼\s]+$/, '')));
          const first = heads.filter((t) => t !== '#').slice(0, 4);
          assert.deepEqual(first, ['Layer', 'Output shape', 'Params', 'MACs'], `${theme}: the columns that matter first`);
          if (width < 600) assert.ok(!heads.includes('#'), `${theme}: no # column in a narrow group`);
          const view = await box(page, '.table-view');
          for (const key of ['name', 'shape', 'params', 'macs']) {
            const th = await box(page, `table.table th[data-key="${key}"]`);
            assert.ok(th.x >= view.x - 1 && th.x + th.width <= view.x + view.width + 1, `${theme} ${width}px: the ${key} column shows without scrolling`);
          }
          // A long name is cut on the face of the table but whole in its title.
          const cell = page.locator('table.table tbody tr[data-id="conv5_block3_3_conv"] .lname');
          assert.equal(await cell.getAttribute('title'), 'conv5_block3_3_conv');
          await page.$eval('.table-view', (v) => (v.scrollLeft = 10_000));
          const scrolled = await page.$eval('.table-view', (v) => v.scrollLeft);
          const name = await box(page, 'table.table tbody tr[data-id="conv2_block1_1_conv"] td.col-name');
          if (scrolled > 0) assert.ok(Math.abs(name.x - view.x) <= 1, `${theme}: the name column stays at the left when the table scrolls (${scrolled}px)`);
          await page.$eval('.table-view', (v) => (v.scrollLeft = 0));
          await page.screenshot({ path: join(SHOTS, `layout-${width}-${theme}-table.png`) });
          await done(context);
        }
      });
    }
  });

  describe('interaction (issue 11, section 3)', () => {
    it('▶ on a block expands it; the arrow keys go on along the edges from inside it', async () => {
      const { page, context } = await open('resnet50', 'dark', 540);
      await page.evaluate(() => (window as unknown as { __cnnLens: Lens }).__cnnLens.reveal('block:conv2_block1'));
      await settle(page);
      await page.locator('svg.diagram .node[data-id="block:conv2_block1"] .twistie').click();
      await page.waitForSelector('svg.diagram .container[data-id="block:conv2_block1"]');
      await ready(page);
      assert.equal(await lens(page).selected(), 'block:conv2_block1', 'the opened block is selected');
      assert.equal(await page.locator('.tooltip').isVisible(), false, 'no tooltip left over from the closed block');
      await page.keyboard.press('ArrowDown');
      assert.equal(await lens(page).selected(), 'conv2_block1_0_conv', 'Down enters the block at its first layer');
      await page.keyboard.press('ArrowDown');
      assert.equal(await lens(page).selected(), 'conv2_block1_0_bn', 'and follows its edge');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      assert.equal(await lens(page).selected(), 'pool1_pool', 'Up leaves it along the input edge');
      await settle(page);
      assert.ok(inside(await nodeBox(page, 'pool1_pool'), await box(page, 'svg.diagram')), 'the selection is in view, above the sheet');
      // Enter on a selected collapsed block opens it too, and Down goes in.
      await page.evaluate(() => window.postMessage({ type: 'select', node: null }, '*'));
      await clickNode(page, 'block:conv2_block2');
      await page.keyboard.press('Enter');
      await page.waitForSelector('svg.diagram .container[data-id="block:conv2_block2"]');
      await ready(page);
      await page.keyboard.press('ArrowDown');
      assert.equal(await lens(page).selected(), 'conv2_block2_1_conv');
      await page.screenshot({ path: join(SHOTS, 'layout-540-dark-expanded-by-twistie.png') });
      await done(context);
    });

    it('search matches names first; type: filters by type ("add" finds the Add layers, not ZeroPadding2D)', async () => {
      const { page, context } = await open('resnet50', 'light', 800);
      const input = page.locator('vscode-textfield input');
      const matched = () => page.$$eval('svg.diagram .node.match', (els) => els.map((e) => (e as SVGGElement).dataset.id!));
      await input.fill('add');
      assert.equal(await page.locator('.match-count').textContent(), '16 found');
      assert.ok(!(await matched()).includes('pool1_pad'), 'the ZeroPadding2D layer is not a match');
      await input.press('Enter');
      await page.waitForFunction(() => (window as unknown as { __cnnLens: Lens }).__cnnLens.selected === 'conv2_block1_add');
      await input.fill('type:zero');
      assert.equal(await page.locator('.match-count').textContent(), '2 found');
      assert.ok((await matched()).includes('pool1_pad'));
      await input.fill('type:Conv2D conv5');
      assert.equal(await page.locator('.match-count').textContent(), '10 found', 'conv5: 3 blocks × 3 convolutions + the projection');
      await done(context);
    });

    it('exports are clean (no dimming, no halo, no handles) and carry the legend of the overlay on screen', async () => {
      const { page, context } = await open('resnet50', 'dark', 1400);
      const exported = async (format: 'svg'): Promise<string> => {
        const [dl] = await Promise.all([page.waitForEvent('download'), menuAction(page, `export-${format}`)]);
        return readFileSync((await dl.path())!, 'utf8');
      };
      await clickNode(page, 'block:conv3_block1');
      await page.locator('vscode-textfield input').fill('conv4');
      assert.ok(await page.locator('svg.diagram.searching').count(), 'dimmed on screen');
      const plain = await exported('svg');
      assert.ok(!/opacity="0\.35"/.test(plain), 'no search dimming in the picture');
      assert.ok(!/rx="9"/.test(plain), 'no selection halo (rx 9) in the picture');
      assert.ok(!/stroke-width="2"[^>]*rx="6"|rx="6"[^>]*stroke-width="2"/.test(plain), 'no selected or matched outline');
      for (const family of ['Conv', 'Dense', 'Pool', 'Norm', 'Activation', 'Merge', 'Other']) assert.ok(plain.includes(`>${family}</text>`), `the families legend names ${family}`);
      assert.ok(await page.locator('svg.diagram.searching').count(), 'dimming back on screen after the export');
      assert.ok(await page.locator('svg.diagram .node.selected[data-id="block:conv3_block1"]').count(), 'selection back on screen');
      await page.evaluate(() => {
        const sel = document.querySelector('vscode-single-select') as HTMLElement & { value: string };
        sel.value = 'macs';
        sel.dispatchEvent(new Event('change'));
      });
      const heat = await exported('svg');
      assert.ok(heat.includes('>MACs per node</text>') && heat.includes('<linearGradient'), 'the heat legend, with its ramp');
      assert.ok(!heat.includes('>Conv</text>'), 'and not the families');
      await done(context);
    });
  });
});
