// A real VS Code (code-server) with CNN Lens installed, a workspace, and a headless Debian Chromium
// driving the workbench like a person. See /work/shared/e2e/RECIPE.md ("UI scenarios").
//
// The extension is the .vsix that `npm run package` built, installed with `code-server
// --install-extension`, so that what is tested is what ships.
// Everything lives in one temp folder (HOME/XDG redirected, user data, extensions, workspace) and is
// removed by stop(), which also kills code-server by process group and closes the browser.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The code-server launcher installed by scripts/integration/ensure-code-server.sh, if any. */
export function findCodeServer(): string | undefined {
  if (process.env.CNN_LENS_CODE_SERVER) return fs.existsSync(process.env.CNN_LENS_CODE_SERVER) ? process.env.CNN_LENS_CODE_SERVER : undefined;
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'integration', 'ensure-code-server.sh'), '--print'], { encoding: 'utf8' });
  const p = r.status === 0 ? r.stdout.trim() : '';
  return p && fs.existsSync(p) ? p : undefined;
}

/** The .vsix of this platform built by `npm run package` (out/vsix/), if any. */
export function builtVsix(): string | undefined {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = path.join(ROOT, 'out', 'vsix', `${pkg.name}-${process.platform}-${process.arch}-${pkg.version}.vsix`);
  return fs.existsSync(file) ? file : undefined;
}

export interface Options {
  codeServer: string;
  /** The extension package to install (see builtVsix). */
  vsix: string;
  /** Files to put in the workspace: relative name in the workspace → absolute source path. */
  files: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Where code-server.log and console.log are copied when stop() runs. */
  logDir: string;
  /** The browser window (default 1600×960). */
  viewport?: { width: number; height: number };
}

export interface ConsoleLine { type: string; url: string; text: string }

export class Workbench {
  readonly tmp: string;
  readonly workspace: string;
  readonly settingsFile: string;
  readonly console: ConsoleLine[] = [];
  page!: Page;
  private browser?: Browser;
  private server?: ChildProcess;
  private serverLog = '';
  private baseSettings: Record<string, unknown> = {};

  constructor(private readonly o: Options) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-lens-e2e-'));
    this.workspace = path.join(this.tmp, 'ws');
    this.settingsFile = path.join(this.tmp, 'ud', 'User', 'settings.json');
  }

  async start(): Promise<void> {
    const { tmp } = this;
    const home = path.join(tmp, 'home');
    const ext = path.join(tmp, 'ext');
    for (const d of [home, path.dirname(this.settingsFile), ext, this.workspace]) fs.mkdirSync(d, { recursive: true });
    for (const [name, from] of Object.entries(this.o.files)) {
      fs.mkdirSync(path.dirname(path.join(this.workspace, name)), { recursive: true });
      fs.copyFileSync(from, path.join(this.workspace, name));
    }
    this.baseSettings = {
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.enableExperiments': false,
      'workbench.tips.enabled': false,
      'git.enabled': false,
      ...this.o.settings,
    };
    this.writeSettings({});
    const config = path.join(tmp, 'config.yaml');
    fs.writeFileSync(config, '');

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache') };
    for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
    // What ships is what is tested: the .vsix that `npm run package` built, installed as a user would.
    const install = spawnSync(this.o.codeServer, ['--extensions-dir', ext, '--user-data-dir', path.join(tmp, 'ud'), '--install-extension', this.o.vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (install.status !== 0) throw new Error(`code-server --install-extension ${this.o.vsix} failed (${install.status ?? install.signal}):\n${install.stdout}${install.stderr}`);
    this.server = spawn(this.o.codeServer, [
      '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', path.join(tmp, 'ud'), '--extensions-dir', ext,
    ], { detached: true /* setsid: its own process group */, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.server.stdout!, this.server.stderr!]) s.on('data', (c: Buffer) => (this.serverLog += c.toString('utf8')));
    const killGroup = () => this.killServer('SIGKILL');
    process.once('exit', killGroup); // last resort if mocha dies before after()

    const t0 = Date.now();
    for (;;) {
      if (this.server.exitCode !== null) throw new Error(`code-server exited early (${this.server.exitCode}):\n${this.serverLog.slice(-3000)}`);
      try { if ((await fetch(`${origin}/healthz`)).ok) break; } catch { /* not yet */ }
      if (Date.now() - t0 > 60_000) throw new Error('code-server did not answer /healthz within 60 s');
      await sleep(100);
    }

    const browserHome = path.join(tmp, 'chromium-home');
    fs.mkdirSync(browserHome);
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, HOME: browserHome, XDG_CONFIG_HOME: path.join(browserHome, '.config'), XDG_CACHE_HOME: path.join(browserHome, '.cache') },
    });
    const context = await this.browser.newContext({ viewport: this.o.viewport ?? { width: 1600, height: 960 } });
    this.page = await context.newPage();
    this.page.on('console', (m) => this.console.push({ type: m.type(), url: m.location().url ?? '', text: m.text() }));
    this.page.on('pageerror', (e) => this.console.push({ type: 'pageerror', url: '', text: String(e.stack ?? e) }));
    await this.page.goto(`${origin}/?folder=${encodeURIComponent(this.workspace)}`, { waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** Rewrites the user settings.json (the workbench watches it and applies changes live). */
  writeSettings(extra: Record<string, unknown>): void {
    fs.writeFileSync(this.settingsFile, JSON.stringify({ ...this.baseSettings, ...extra }, null, 2));
  }

  // ---------- what a person does ----------

  /** Gives the keyboard back to the workbench (keys go into a webview's iframe while it has focus). */
  async focusWorkbench(): Promise<void> {
    await this.page.locator('.part.sidebar .composite.title').first().click();
  }

  async quickOpen(fileName: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill(fileName);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.part.editor .tab.active', { hasText: fileName }).first().waitFor();
  }

  /** Ctrl+P, ":line", Enter: the active text editor scrolls to the line and puts the cursor there. */
  async goToLine(line: number): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').first().waitFor({ state: 'hidden' });
  }

  /** F1, the command's title, then the row whose label is exactly that title (not a longer one). */
  async runCommand(title: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    await this.pick(`>${title}`, title);
  }

  /** Types into the open quick input and chooses the row whose label is exactly `label` (or matches it). */
  async pick(typed: string, label: string | RegExp): Promise<void> {
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill(typed);
    const exact = typeof label === 'string' ? new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : label;
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor();
    await row.click();
  }

  /** The text editor (Monaco) in the first editor group. */
  textEditor() {
    return this.page.locator('.part.editor .editor-group-container').first().locator('.monaco-editor').first();
  }

  /**
   * Centre of the first visible occurrence of `needle` in the first group's text editor, on a line
   * whose text matches `line` (default: any), from a DOM Range over the text nodes.
   */
  async textPoint(needle: string, line?: RegExp): Promise<{ x: number; y: number } | null> {
    return this.page.evaluate(([n, src, flags]) => {
      const re = src === null ? null : new RegExp(src, flags);
      const group = document.querySelector('.part.editor .editor-group-container');
      const editor = group?.querySelector('.monaco-editor');
      const guard = editor?.querySelector('.overflow-guard')?.getBoundingClientRect();
      if (!editor || !guard) return null;
      for (const el of editor.querySelectorAll('.view-lines .view-line')) {
        const text = (el.textContent ?? '').replace(/\u00a0/g, ' ');
        if (re && !re.test(text)) continue;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
          const i = (t.textContent ?? '').indexOf(n);
          if (i < 0) continue;
          const range = document.createRange();
          range.setStart(t, i);
          range.setEnd(t, i + n.length);
          const b = range.getBoundingClientRect();
          if (b.width === 0 || b.top < guard.top + 2 || b.bottom > guard.bottom - 2 || b.left < guard.left || b.right > guard.right - 14) continue;
          return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
        }
      }
      return null;
    }, [needle, line?.source ?? null, line?.flags ?? ''] as const);
  }

  /** The status bar's "Ln x, Col y (n selected)". */
  async cursor(): Promise<{ line: number; col: number; selected: number; text: string }> {
    const text = ((await this.page.locator('[id="status.editor.selection"]').first().textContent()) ?? '').trim();
    const m = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(text);
    if (!m) throw new Error(`no cursor position in the status bar: "${text}"`);
    return { line: Number(m[1]), col: Number(m[2]), selected: Number(m[3] ?? 0), text };
  }

  /**
   * What the first group's text editor shows selected, read from the screen (works without focus,
   * when the status bar's "Ln, Col" belongs to another editor): the line number beside the selection
   * highlight and the characters under it.
   */
  async selectionOnScreen(): Promise<{ line: number; text: string } | null> {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.part.editor .editor-group-container .monaco-editor');
      if (!editor) return null;
      const box = [...editor.querySelectorAll('.view-overlays .selected-text')].map((e) => e.getBoundingClientRect()).find((b) => b.width > 0);
      if (!box) return null;
      const cy = box.top + box.height / 2;
      // (no named helper functions in here: tsx would wrap them in an __name() the page lacks)
      const [ln, line] = ['.margin-view-overlays .line-numbers', '.view-lines .view-line'].map((sel) =>
        [...editor.querySelectorAll(sel)].find((e) => { const r = e.getBoundingClientRect(); return r.top <= cy && cy <= r.bottom; }));
      if (!ln || !line) return null;
      let text = '';
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        for (let i = 0; i < (t.textContent ?? '').length; i++) {
          const r = document.createRange();
          r.setStart(t, i);
          r.setEnd(t, i + 1);
          const c = r.getBoundingClientRect();
          const cx = c.left + c.width / 2;
          if (cx > box.left && cx < box.right) text += t.textContent![i];
        }
      }
      return { line: Number(ln.textContent), text: text.replace(/\u00a0/g, ' ') };
    });
  }

  /** The webview frame that holds a drawn CNN Lens diagram of the model `modelName`. */
  async diagramFrame(modelName: string, timeoutMs = 60_000): Promise<Frame> {
    const t0 = Date.now();
    let seen: string[] = [];
    for (;;) {
      seen = [];
      for (const f of this.page.frames()) {
        try {
          const d = await f.evaluate(() => (document.querySelector('svg.diagram') ? { name: document.querySelector('.toolbar .title .name')?.textContent ?? '', status: document.querySelector('.status:not([hidden])')?.textContent ?? '' } : null));
          if (d?.name === modelName) return f;
          if (d) seen.push(`"${d.name}"${d.status ? ` saying "${d.status}"` : ''}`);
        } catch { /* detached or cross-origin in transition */ }
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`no diagram webview of "${modelName}" within ${timeoutMs} ms (diagram webviews: ${seen.join(', ') || 'none'}; frames: ${this.page.frames().map((f) => f.url().replace(/\?.*/, '')).join(', ')})`);
      await sleep(250);
    }
  }

  async screenshot(file: string): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file });
  }

  // ---------- teardown ----------

  private killServer(sig: NodeJS.Signals): void {
    if (this.server?.pid) try { process.kill(-this.server.pid, sig); } catch { /* gone */ }
  }

  private groupAlive(): boolean {
    if (!this.server?.pid) return false;
    try { process.kill(-this.server.pid, 0); return true; } catch { return false; }
  }

  async stop(): Promise<void> {
    try { await this.browser?.close(); } catch { /* already gone */ }
    this.killServer('SIGTERM');
    for (let i = 0; i < 30 && this.groupAlive(); i++) await sleep(100);
    if (this.groupAlive()) this.killServer('SIGKILL');
    try {
      fs.mkdirSync(this.o.logDir, { recursive: true });
      fs.writeFileSync(path.join(this.o.logDir, 'code-server.log'), this.serverLog);
      fs.writeFileSync(path.join(this.o.logDir, 'console.log'), this.console.map((c) => `[${c.type}] ${c.url ? `(${c.url.replace(/\?.*/, '')}) ` : ''}${c.text}`).join('\n') + '\n');
    } catch { /* logs are a courtesy */ }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  /** The first webview frame whose document has an element matching `selector`. */
  async frameWith(selector: string, timeoutMs = 60_000): Promise<Frame> {
    const t0 = Date.now();
    for (;;) {
      for (const f of this.page.frames()) {
        try {
          if (await f.evaluate((sel) => !!document.querySelector(sel), selector)) return f;
        } catch { /* detached or cross-origin in transition */ }
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`no webview with ${selector} within ${timeoutMs} ms`);
      await sleep(250);
    }
  }
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  srv.close();
  await once(srv, 'close');
  return port;
}
