// The style-transfer side panel's page (dist/style.js) in Debian's Chromium through playwright-core,
// with a simulated host: the test plays StylePanelProvider (src/extension/style-panel.ts, which needs
// VS Code) and answers the page's messages with the real core in Node — presets, images,
// stylizeOptimise and trainTransformNet on tfjs's wasm backend — so that the panel's Optimise and
// Train modes, its progress, result, loss-network line and Cancel are exercised end to end, VS Code
// aside. (test/e2e/ui.test.ts step 7b/7c runs the real host inside code-server.)
//
//   npm run build --silent && npx mocha --no-config --require tsx/cjs --timeout 120000 test/browser/style-panel.test.ts
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chooseBackend, describeBackend } from '../../src/node/backend';
import { encodePng, findPreset, fitLongerSide, listPresets, loadTransformModelFile, lossNetwork, readImage, stylesDir, stylizeFast, stylizeOptimise, trainTransformNet, type RgbImage } from '../../src/node/style';
import { panelHtml } from '../../shared/panel-html';
import type { StyleHostMessage, StylePanelMessage } from '../../shared/protocol';
import { launchChromium, skipWithoutChromium } from '../support/chromium';
import { THEME_CSS } from './themes';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'dist', 'style.js');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const NONCE = 'c3R5bGUtcGFuZWwtdGVzdA';

const dataUrl = (img: RgbImage): string => `data:image/png;base64,${encodePng(img).toString('base64')}`;

/** The host's side of the conversation, as StylePanelProvider does it, recording what the page sent. */
class SimulatedHost {
  readonly received: StylePanelMessage[] = [];
  readonly progress: Extract<StyleHostMessage, { type: 'progress' }>[] = [];
  private content?: RgbImage;
  private style?: { image: RgbImage; preset?: string };
  private running?: AbortController;

  constructor(private readonly post: (m: StyleHostMessage) => Promise<void>, private readonly trainDir: string) {}

  async handle(m: StylePanelMessage): Promise<void> {
    this.received.push(m);
    try {
      await this.dispatch(m);
    } catch (e) {
      await this.post({ type: 'failed', message: (e as Error).message });
    }
  }

  private async dispatch(m: StylePanelMessage): Promise<void> {
    const contentDir = join(stylesDir(), 'content');
    switch (m.type) {
      case 'ready':
        return this.post({
          type: 'init',
          presets: listPresets().map((p) => ({ name: p.name, description: p.description, thumbnail: dataUrl(fitLongerSide(readImage(p.styleImagePath).image, 64)) })),
          samples: readdirSync(contentDir).filter((f) => f.endsWith('.png')),
          backends: ['auto', 'wasm', 'cpu'],
        });
      case 'pick': {
        const image = readImage(m.role === 'content' ? join(contentDir, m.sample!) : findPreset(m.sample!)!.styleImagePath).image;
        if (m.role === 'content') this.content = image;
        else this.style = { image, preset: m.sample };
        return this.post({ type: 'picked', role: m.role, name: m.sample!, preview: dataUrl(fitLongerSide(image, 64)) });
      }
      case 'cancel':
        this.running?.abort(new Error('cancelled'));
        return;
      case 'save':
        return;
      case 'run':
        return this.run(m);
    }
  }

  /** Stops whatever is running (a failed test must not leave work behind for the next). */
  stop(): void {
    this.running?.abort(new Error('test over'));
  }

  private async run(m: Extract<StylePanelMessage, { type: 'run' }>): Promise<void> {
    const controller = (this.running = new AbortController());
    const started = Date.now();
    const backend = await chooseBackend('wasm');
    const { tf } = backend;
    const content = fitLongerSide(this.content!, m.size);
    const net = await lossNetwork(tf);
    const onProgress = (p: Extract<StyleHostMessage, { type: 'progress' }>) => {
      this.progress.push(p);
      void this.post(p);
    };
    let image: RgbImage;
    let lossNetworkName = net.description;
    try {
      if (m.mode === 'optimise') {
        const out = await stylizeOptimise(tf, net, content, fitLongerSide(this.style!.image, m.size), {
          steps: m.steps, optimizer: m.optimizer, weights: { style: 10 * m.strength }, signal: controller.signal,
          onStep: (step, l) => onProgress({ type: 'progress', step, total: m.steps, message: `Step ${step} / ${m.steps}: loss ${l.total.toPrecision(4)} (content ${l.content.toPrecision(3)}, style ${l.style.toPrecision(3)})` }),
        });
        image = out.image;
      } else {
        // The real host asks for the two folders in dialogs; here they are a copy of two bundled samples and a temp folder.
        // Training crops are 96 px (the host's default is 128; the network's reflection padding needs more than 80) to keep the test short.
        const folder = join(this.trainDir, 'content');
        mkdirSync(folder, { recursive: true });
        for (const f of ['house.png', 'hills.png']) copyFileSync(join(stylesDir(), 'content', f), join(folder, f));
        const trained = await trainTransformNet(tf, net, {
          content: folder, style: this.style!.image, styleName: this.style!.preset ?? 'style', outDir: join(this.trainDir, 'model'), steps: m.steps, size: 96, resume: false,
          weights: { style: 10 * m.strength }, signal: controller.signal,
          onStep: (step, l) => onProgress({ type: 'progress', step, total: m.steps, message: `Training step ${step} / ${m.steps}: loss ${l.total.toPrecision(4)}` }),
        });
        const model = await loadTransformModelFile(tf, trained.modelJson);
        image = (await stylizeFast(tf, model, content, { signal: controller.signal })).image;
        model.dispose();
        lossNetworkName += ` · network saved to ${trained.modelJson}`;
      }
    } finally {
      net.dispose();
    }
    await this.post({ type: 'result', before: dataUrl(content), after: dataUrl(image), ms: Date.now() - started, backend: describeBackend(backend), lossNetwork: lossNetworkName });
  }
}

describe('style transfer side panel (Chromium, simulated host)', function () {
  this.timeout(180_000);
  let server: Server;
  let base = '';
  let browser: Browser;
  let home = '';
  const problems: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    assert.ok(existsSync(SCRIPT), `${SCRIPT} is missing: run npm run build first`);
    mkdirSync(SHOTS, { recursive: true });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = path === '/' ? panelHtml({ cspSource: base, nonce: NONCE, scriptUri: `${base}/style.js`, cssUri: `${base}/style-panel.css`, title: 'CNN Lens: Style Transfer' })
        : path === '/style.js' ? readFileSync(SCRIPT)
        // VS Code injects its theme's variables into a webview; here the light theme comes first in the one stylesheet.
        : path === '/style-panel.css' ? THEME_CSS.light + readFileSync(join(ROOT, 'media', 'style-panel.css'), 'utf8')
        : undefined;
      if (body === undefined) {
        res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
        return;
      }
      res.writeHead(200, { 'content-type': path === '/' ? 'text/html; charset=utf-8' : path.endsWith('.js') ? 'text/javascript' : 'text/css', 'cache-control': 'no-store' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    home = mkdtempSync(join(tmpdir(), 'cnn-lens-style-chromium-'));
    browser = await launchChromium(home);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  let current: SimulatedHost | undefined;
  afterEach(() => current?.stop());

  /** The panel page wired to a fresh simulated host, with both images picked (a bundled sample, the swirls preset). */
  async function open(): Promise<{ page: Page; context: BrowserContext; host: SimulatedHost }> {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const host = new SimulatedHost((m) => page.evaluate((msg) => window.postMessage(msg, '*'), m as never).catch(() => undefined), mkdtempSync(join(home, 'train-')));
    // acquireVsCodeApi, as VS Code provides it: postMessage reaches the host.
    await page.exposeFunction('__toHost', (m: StylePanelMessage) => void host.handle(m));
    // (A string: tsx would wrap a function's inner arrows in its __name helper, which the page lacks.)
    await page.addInitScript({ content: 'window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m) });' });
    current = host;
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.querySelectorAll('#style-preset option').length === 4);
    await page.selectOption('#content-sample', 'house.png');
    await page.selectOption('#style-preset', 'swirls');
    await page.waitForFunction(() => [...document.querySelectorAll('img.thumb')].every((i) => (i as HTMLImageElement).src.startsWith('data:image/png')));
    return { page, context, host };
  }

  async function done(context: BrowserContext): Promise<void> {
    await context.close();
    const logged = problems.splice(0);
    assert.deepEqual(logged, [], `console problems:\n${logged.join('\n')}`);
  }

  /** Waits for the result to show; fails at once with the panel's status when the run failed instead. */
  async function result(page: Page): Promise<void> {
    await page.waitForFunction(() => !document.querySelector('section.compare')!.hasAttribute('hidden') || !(document.querySelector('button.primary') as HTMLButtonElement).disabled, undefined, { timeout: 150_000 });
    assert.equal(await page.isVisible('section.compare'), true, `no result: the panel says "${await page.textContent('.status')}"`);
  }

  const runMessages = (host: SimulatedHost) => host.received.filter((m): m is Extract<StylePanelMessage, { type: 'run' }> => m.type === 'run');

  it('shows the optimizer only in Optimise mode and the steps only outside Fast mode', async () => {
    const { page, context } = await open();
    assert.equal(await page.inputValue('#mode'), 'fast', 'a preset selects Fast mode');
    assert.equal(await page.isVisible('#optimizer'), false);
    assert.equal(await page.isVisible('#steps'), false);
    await page.selectOption('#mode', 'optimise');
    assert.equal(await page.isVisible('#optimizer'), true);
    assert.equal(await page.isVisible('#steps'), true);
    assert.deepEqual(await page.$$eval('#optimizer option', (os) => os.map((o) => (o as HTMLOptionElement).value)), ['adam', 'lbfgs']);
    await page.selectOption('#mode', 'train');
    assert.equal(await page.isVisible('#optimizer'), false);
    assert.equal(await page.isVisible('#steps'), true);
    await done(context);
  });

  it('Optimise with L-BFGS: sends the settings, shows each step, then the result with the backend and the loss network', async () => {
    const { page, context, host } = await open();
    await page.selectOption('#mode', 'optimise');
    await page.selectOption('#optimizer', 'lbfgs');
    await page.fill('#steps', '3');
    await page.selectOption('#size', '256');
    // Clicked and read in one page task: the simulated host answers in this process and may finish before a second round trip.
    const disabledOnClick = await page.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>('button.primary')!;
      button.click();
      return button.disabled;
    });
    assert.equal(disabledOnClick, true, 'Stylize is disabled while it runs');
    await result(page);
    const [run] = runMessages(host);
    assert.deepEqual({ ...run }, { type: 'run', mode: 'optimise', preset: 'swirls', strength: 1, size: 256, steps: 3, backend: 'auto', optimizer: 'lbfgs' });
    assert.deepEqual(host.progress.map((p) => p.step), [1, 2, 3]);
    assert.match(host.progress[2].message, /^Step 3 \/ 3: loss /);
    const info = (await page.textContent('.info')) ?? '';
    assert.match(info, /^\d+\.\d s on wasm.* · loss network: random multi-scale loss network \(untrained, He-uniform filters, seed 20170301/);
    const [before, after] = await page.$$eval('img.before, img.after', (imgs) => imgs.map((i) => ({ src: (i as HTMLImageElement).src.slice(0, 22), w: (i as HTMLImageElement).naturalWidth })));
    assert.deepEqual([before, after], [{ src: 'data:image/png;base64,', w: 256 }, { src: 'data:image/png;base64,', w: 256 }]);
    assert.equal(await page.isDisabled('button.primary'), false);
    assert.equal(await page.isVisible('progress'), false);
    await page.screenshot({ path: join(SHOTS, 'style-panel-optimise-lbfgs.png') });
    await done(context);
  });

  it('Cancel stops a long Optimise run: the host stops stepping and the panel is ready again', async () => {
    const { page, context, host } = await open();
    await page.selectOption('#mode', 'optimise');
    await page.fill('#steps', '500');
    await page.selectOption('#size', '256');
    await page.click('button.primary');
    // (Any step: the status shows the latest, and messages may arrive together.)
    await page.waitForFunction(() => /^Step \d+ \/ 500/.test(document.querySelector('.status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    // The click from inside the page: the simulated host computes in this very process, between whose steps
    // playwright's many round trips of a locator click would each wait (the real host is another process).
    const progressShown = await page.evaluate(() => {
      const shown = !(document.querySelector('progress') as HTMLProgressElement).hidden;
      [...document.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click();
      return shown;
    });
    assert.equal(progressShown, true);
    await page.waitForFunction(() => document.querySelector('.status')?.textContent === 'cancelled');
    const stopped = host.progress.length;
    assert.ok(stopped < 20, `${stopped} steps before the cancel took`);
    assert.deepEqual(runMessages(host).map((m) => m.optimizer), ['adam']);
    assert.ok(host.received.some((m) => m.type === 'cancel'));
    assert.equal(await page.isDisabled('button.primary'), false);
    assert.equal(await page.isVisible('button:text("Cancel")'), false);
    assert.equal(await page.isVisible('section.compare'), false, 'no result shown');
    await page.waitForTimeout(1500);
    assert.equal(host.progress.length, stopped, 'no progress after the cancel');
    await done(context);
  });

  it('Train: shows the training steps, then the trained network\'s result and where it was saved', async () => {
    const { page, context, host } = await open();
    await page.selectOption('#mode', 'train');
    await page.fill('#steps', '2');
    await page.click('button.primary');
    await result(page);
    const [run] = runMessages(host);
    assert.equal(run.mode, 'train');
    assert.equal(run.optimizer, undefined, 'no optimizer outside Optimise mode');
    assert.deepEqual(host.progress.map((p) => p.message.replace(/: loss .*/, '')), ['Training step 1 / 2', 'Training step 2 / 2']);
    assert.match((await page.textContent('.info')) ?? '', /loss network: random multi-scale loss network .* · network saved to .*model\.json$/);
    await done(context);
  });
});
