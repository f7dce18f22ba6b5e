#!/usr/bin/env node
// Stand-in for the `code` executable that @vscode/test-electron's runTests() launches when given
// `vscodeExecutablePath`: instead of desktop VS Code (which cannot be downloaded here) it runs the
// same extension tests in a real VS Code server, code-server, driven by a headless Chromium.
// See /work/shared/e2e/RECIPE.md.
//
// Understands the arguments runTests passes: --extensionDevelopmentPath=, --extensionTestsPath=,
// --user-data-dir(=) (replaced by a fresh one), --extensions-dir(=) and a folder/workspace to open; other flags (--no-sandbox,
// --disable-extensions, ...) are accepted and ignored. Exits with the tests' exit code.
//
// Env: CNN_LENS_CODE_SERVER   code-server launcher (default: scripts/integration/ensure-code-server.sh --print)
//      CNN_LENS_CHROMIUM      browser executable (default /usr/bin/chromium)
//      CNN_LENS_TEST_TIMEOUT  whole-run timeout in seconds (default 300)
//      CNN_LENS_KEEP_TMP=1    keep the temp folder (code-server log, browser console log)
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as util from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const t0 = Date.now();
const say = (msg) => process.stderr.write(`[code-standin] ${msg}\n`);

// ---- arguments ----------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = { devPaths: [], testsPath: undefined, userDataDir: undefined, extensionsDir: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name) => {
      if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
      if (a === `--${name}`) return argv[++i];
      return undefined;
    };
    let v;
    if ((v = value('extensionDevelopmentPath')) !== undefined) o.devPaths.push(v);
    else if ((v = value('extensionTestsPath')) !== undefined) o.testsPath = v;
    else if ((v = value('user-data-dir')) !== undefined) o.userDataDir = v;
    else if ((v = value('extensions-dir')) !== undefined) o.extensionsDir = v;
    else if ((v = value('folder-uri')) !== undefined) o.folder = v.startsWith('file://') ? fileURLToPath(v) : v;
    else if (!a.startsWith('-')) o.folder = a;
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (!opts.testsPath || opts.devPaths.length === 0) {
  say('usage: code-standin --extensionDevelopmentPath=<dir> --extensionTestsPath=<suite index> [folder] [--user-data-dir=<dir>] [--extensions-dir=<dir>]');
  process.exit(2);
}

function findCodeServer() {
  if (process.env.CNN_LENS_CODE_SERVER) return process.env.CNN_LENS_CODE_SERVER;
  const r = spawnSync('bash', [path.join(here, 'ensure-code-server.sh'), '--print'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  return undefined;
}
const codeServer = findCodeServer();
if (!codeServer || !fs.existsSync(codeServer)) {
  say(`no code-server found (${codeServer ?? 'none'}): run scripts/integration/ensure-code-server.sh`);
  process.exit(1);
}
const chromiumPath = process.env.CNN_LENS_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromiumPath)) {
  say(`no Chromium at ${chromiumPath}: apt-get install chromium (or set CNN_LENS_CHROMIUM)`);
  process.exit(1);
}
const timeoutS = Number(process.env.CNN_LENS_TEST_TIMEOUT || 300);

// ---- throwaway folders --------------------------------------------------------------------------
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-lens-code-'));
const home = path.join(tmp, 'home');
// A fresh user-data dir every run, whatever --user-data-dir says (runTests' default is the persistent
// .vscode-test/user-data): no restored editors or state from an earlier run, and code-server's
// unix socket (<user-data>/code-server-ipc.sock) stays within the 108-byte path limit.
const userDataDir = path.join(tmp, 'user-data');
const extensionsDir = path.resolve(opts.extensionsDir ?? path.join(tmp, 'extensions'));
for (const d of [home, path.join(userDataDir, 'User'), extensionsDir]) fs.mkdirSync(d, { recursive: true });
const emptyConfig = path.join(tmp, 'config.yaml');
fs.writeFileSync(emptyConfig, '');
fs.writeFileSync(
  path.join(userDataDir, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.enableExperiments': false,
      'git.enabled': false,
    },
    null,
    2,
  ),
);
const serverLog = path.join(tmp, 'code-server.log');
const consoleLog = path.join(tmp, 'browser-console.log');
const serverLogStream = fs.createWriteStream(serverLog);
const consoleLogStream = fs.createWriteStream(consoleLog);

// ---- code-server --------------------------------------------------------------------------------
async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;

// Environment: ours (with runTests' extensionTestsEnv, which code-server's extension host inherits),
// HOME/XDG redirected so code-server writes no config or logs into the real home, and no VSCODE_*
// variables of a VS Code we might have been started from.
const serverEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache') };
for (const k of Object.keys(serverEnv)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete serverEnv[k];

const server = spawn(
  codeServer,
  [
    '--config', emptyConfig,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--vscode-option', 'enable-smoke-test-driver', // else the workbench ignores the test payload
  ],
  { detached: true /* own process group: a watcher child outlives the main process */, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] },
);
let serverExited = null;
server.on('exit', (code, signal) => { serverExited = { code, signal }; });

// Under code-server the suite (test/integration/suite/index.ts) writes mocha's report and the
// extension host's console to its fd 1, every line tagged with MARK; code-server logs that as
// `[time] [ip][id][ExtensionHostConnection] <pid> <text>`, lines batched as they come. Pass the
// tagged lines through live, untagged; everything else goes to code-server.log only.
const MARK = '@@cnn-lens-test@@ ';
let testOutput = false;
function passThrough(stream) {
  let pending = '';
  stream.setEncoding('utf8'); // no multi-byte characters cut between chunks
  stream.on('data', (chunk) => {
    serverLogStream.write(chunk);
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const i = line.indexOf(MARK);
      if (i >= 0) { testOutput = true; process.stdout.write(`${line.slice(i + MARK.length).replace(/\r$/, '')}\n`); }
    }
  });
}
passThrough(server.stdout);
passThrough(server.stderr);
server.on('error', (err) => void finish(1, `could not start code-server (${codeServer}): ${err.message}`));

let browser;
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try { await browser?.close(); } catch { /* already gone */ }
  killServer('SIGTERM');
  for (let i = 0; i < 30 && groupAlive(); i++) await sleep(100);
  if (groupAlive()) killServer('SIGKILL');
  serverLogStream.end();
  consoleLogStream.end();
}
function killServer(sig) { try { process.kill(-server.pid, sig); } catch { /* gone */ } }
function groupAlive() { try { process.kill(-server.pid, 0); return true; } catch { return false; } }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let finishing = false;
async function finish(code, reason) {
  if (finishing) return;
  finishing = true;
  if (reason) say(reason);
  await sleep(300); // let the last fd-1 lines of the extension host arrive
  await cleanup();
  await Promise.all([serverLogStream, consoleLogStream].map((st) => (st.writableFinished ? null : once(st, 'finish'))));
  if (code !== 0) {
    if (!testOutput) say('the test suite printed nothing: did out/integration/suite/index.js fail to load?');
    const errors = fs.readFileSync(consoleLog, 'utf8').split('\n')
      .filter((l) => l.startsWith('[error] ') && l.trim() !== '[error]' && !/open-vsx|Canceled|vsda/.test(l));
    if (errors.length) say(`browser console errors (last ${Math.min(errors.length, 20)}):\n${errors.slice(-20).join('\n')}`);
    if (reason) say(`last lines of code-server.log:\n${fs.readFileSync(serverLog, 'utf8').split('\n').slice(-40).join('\n')}`);
  }
  if (code !== 0 || process.env.CNN_LENS_KEEP_TMP === '1') say(`logs kept in ${tmp} (code-server.log, browser-console.log)`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  say(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s, exit code ${code}`);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void finish(130, `interrupted (${sig})`));
const watchdog = setTimeout(() => void finish(1, `TIMEOUT: the extension tests did not finish within ${timeoutS} s (CNN_LENS_TEST_TIMEOUT)`), timeoutS * 1000);

// Wait for /healthz.
for (;;) {
  if (serverExited) await finish(1, `code-server exited before it was ready (${JSON.stringify(serverExited)})`);
  try {
    const res = await fetch(`${origin}/healthz`);
    if (res.ok) break;
  } catch { /* not listening yet */ }
  if (Date.now() - t0 > 60_000) await finish(1, 'code-server did not answer /healthz within 60 s');
  await sleep(100);
}
say(`code-server ${codeServer} ready on ${origin} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// ---- the browser: the workbench that runs the extension tests -----------------------------------
const remote = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p).split(path.sep).map(encodeURIComponent).join('/')}`;
const payload = [
  ...opts.devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
  ['extensionTestsPath', remote(opts.testsPath)],
];
let url = `${origin}/?payload=${encodeURIComponent(JSON.stringify(payload))}`;
if (opts.folder) url += `&folder=${encodeURIComponent(path.resolve(opts.folder))}`;

const { chromium } = await import('playwright-core');
const browserHome = path.join(tmp, 'chromium-home'); // its crash reporter writes ~/.config/chromium
fs.mkdirSync(browserHome, { recursive: true });
browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  env: { ...process.env, HOME: browserHome, XDG_CONFIG_HOME: path.join(browserHome, '.config'), XDG_CACHE_HOME: path.join(browserHome, '.cache') },
});
const page = await browser.newPage();
let resolveExit;
const exited = new Promise((r) => (resolveExit = r));
await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code) || 0));

// Browser console (the workbench's log, the extension host's console.* among it, all in one
// '%c LEVEL' format): to browser-console.log; its errors are shown when the run fails.
let consoleChain = Promise.resolve();
page.on('console', (msg) => {
  consoleChain = consoleChain.then(async () => {
    let args;
    try { args = await Promise.all(msg.args().map((a) => a.jsonValue())); } catch { args = [msg.text()]; }
    if (typeof args[0] === 'string' && /^%c\s*[A-Z]+$/.test(args[0]) && typeof args[1] === 'string') args = args.slice(2);
    consoleLogStream.write(`[${msg.type()}] ${util.format(...args)}\n`);
  });
});
page.on('pageerror', (err) => consoleLogStream.write(`[pageerror] ${err.stack ?? err}\n`));
page.on('crash', () => void finish(1, 'the browser page crashed'));
server.on('exit', () => { if (!cleaned) void finish(1, `code-server exited during the tests (${JSON.stringify(serverExited)})`); });

say(`opening the workbench: ${url}`);
await page.goto(url, { waitUntil: 'domcontentloaded' });
const code = await exited;
clearTimeout(watchdog);
await consoleChain;
await finish(code);
