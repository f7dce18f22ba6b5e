// The diagram page in Chromium, playing the extension host for runs in the webview: serves a folder of
// standalone pages (scripts/standalone/write-standalone.ts), opens one, and posts `run` messages built
// as src/extension/webview-run.ts builds them. Shared by test/browser/webview-run.test.ts and
// bench/webview-run.ts.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunRequest, WebviewMessage } from '../../shared/protocol';

const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.wasm': 'application/wasm' };

/** onnxruntime-web's binary, built into dist/ by scripts/build.mjs, next to a standalone page's run-worker.js (the worker fetches it from its own folder). */
export const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';
export function copyOrtWasm(root: string, outDir: string): void {
  const from = join(root, 'node_modules', 'onnxruntime-web', 'dist', ORT_WASM);
  copyFileSync(from, join(outDir, ORT_WASM));
}

/** Chromium as the other browser tests start it: no GPU process (WebGL runs on SwiftShader). */

/** Serves `dir` on 127.0.0.1 (a secure context, as VS Code's webviews are). */
export async function serveFolder(dir: string): Promise<{ readonly base: string; close(): void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // asked for while a run keeps the page open; nothing to show
      return;
    }
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** Opens `<base>/<name>.html` and waits for the diagram; console errors and CSP reports go to `problems`. */
export async function openPage(browser: Browser, base: string, name: string, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`[${name}] ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${name}] pageerror: ${e.message}`));
  await page.goto(`${base}/${name}.html`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  return page;
}

export type RunAnswer = Extract<WebviewMessage, { type: 'runResult' | 'runFailed' }>;

/** Posts `run` as the host would (the ArrayBuffers rebuilt in the page), without waiting for the answer. */
export async function sendRun(page: Page, request: RunRequest): Promise<void> {
  const numbers = (b: ArrayBuffer): number[] => Array.from(new Float32Array(b));
  const message = {
    ...request,
    graph: request.graph as unknown, // plain data; its recursive attribute type is too deep for Playwright's Serializable
    inputs: request.inputs.map((x) => ({ shape: x.shape, data: numbers(x.data) })),
    weights: {
      ...request.weights,
      tensors: request.weights.tensors?.map((w) => ({ node: w.node, name: w.name, shape: w.shape, data: numbers(w.data) })),
      // An exported ONNX model (megabytes): base64 is the compact way through Playwright.
      onnx: request.weights.onnx && { ...request.weights.onnx, bytes: Buffer.from(request.weights.onnx.bytes).toString('base64') },
    },
  };
  // (No named functions in here: tsx would wrap them in a helper the page does not have.)
  await page.evaluate((m) => {
    window.postMessage({
      ...m,
      inputs: m.inputs.map((x) => ({ ...x, data: new Float32Array(x.data).buffer })),
      weights: {
        ...m.weights,
        tensors: m.weights.tensors?.map((x) => ({ ...x, data: new Float32Array(x.data).buffer })),
        onnx: m.weights.onnx && { ...m.weights.onnx, bytes: Uint8Array.from(atob(m.weights.onnx.bytes), (ch) => ch.charCodeAt(0)).buffer },
      },
    }, '*');
  }, message);
}

/** The page's answer to the run `id` (what it posted to the host). */
export async function answerTo(page: Page, id: number, timeoutMs = 150_000): Promise<RunAnswer> {
  const answer = await page.waitForFunction(
    (n) => (window as unknown as { __cnnLensSent: { type: string; id?: number }[] }).__cnnLensSent.find((s) => (s.type === 'runResult' || s.type === 'runFailed') && s.id === n),
    id,
    { timeout: timeoutMs },
  );
  return (await answer.jsonValue()) as RunAnswer;
}

/** Posts `run` and waits for the page's answer to it. */
export async function postRun(page: Page, request: RunRequest, timeoutMs?: number): Promise<RunAnswer> {
  await sendRun(page, request);
  return answerTo(page, request.id, timeoutMs);
}
