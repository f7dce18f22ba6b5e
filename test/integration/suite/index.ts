// Mocha runner loaded by the VS Code extension host (extensionTestsPath → out/integration/suite/index.js).
// Runs every `*.test.js` compiled next to this file (and below it): adding a `*.test.ts` under
// test/integration/suite/ is all it takes to add tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  // Under code-server the extension host's console only reaches the browser page, while its fd 1
  // is logged live by code-server (and passed through by scripts/integration/code-standin.mjs).
  // Desktop VS Code forwards console.log to the runTests process: keep it there.
  const web = vscode.env.uiKind === vscode.UIKind.Web || /code-server/i.test(vscode.env.appName);
  if (web) {
    const write = (text: string) => {
      const buf = Buffer.from(text);
      for (let off = 0; off < buf.length; ) {
        try {
          off += fs.writeSync(1, buf, off);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
      }
    };
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => write(`${util.format(...args)}\n`);
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
      mocha.run((n) => resolve(n));
    } catch (e) {
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed.`);
}
