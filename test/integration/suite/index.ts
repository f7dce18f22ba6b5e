// Mocha runner loaded by the VS Code extension host (extensionTestsPath → out/integration/suite/index.js).
// Runs every `*.test.js` compiled next to this file (and below it): adding a `*.test.ts` under
// test/integration/suite/ is all it takes to add tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';

const MARK = '@@cnn-lens-test@@ '; // keep in sync with scripts/integration/code-standin.mjs

function writeFd1(text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

export async function run(): Promise<void> {
  // Under code-server the extension host's console only reaches the browser page, while its fd 1
  // is logged live by code-server: there, send mocha's report and console.* to fd 1 as lines tagged
  // with MARK, which scripts/integration/code-standin.mjs passes through to the runTests output.
  // Desktop VS Code forwards the extension host's console to runTests itself: nothing to do there.
  if (vscode.env.uiKind === vscode.UIKind.Web || /code-server/i.test(vscode.env.appName)) {
    const toFd1 = (...args: unknown[]) => writeFd1(util.format(...args).split('\n').map((l) => `${MARK}${l}\n`).join(''));
    Mocha.reporters.Base.consoleLog = toFd1;
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[level].bind(console);
      const tee = (...args: unknown[]) => {
        original(...args);
        toFd1(...args);
      };
      // The extension host guards console.* with accessors that ignore plain assignment.
      try {
        Object.defineProperty(console, level, { value: tee, writable: true, configurable: true });
      } catch {
        /* keep the host's console */
      }
    }
  }

  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.CNN_LENS_MOCHA_TIMEOUT ?? 30_000),
    grep: process.env.CNN_LENS_TEST_GREP,
  });
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${__dirname}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((n) => {
        const s = runner.stats;
        // A closing line CI logs can read: 'integration: N passed, N failed, N skipped'.
        Mocha.reporters.Base.consoleLog(`integration: ${s?.passes ?? 0} passed, ${n} failed, ${s?.pending ?? 0} skipped`);
        resolve(n);
      });
    } catch (e) {
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed.`);
}
