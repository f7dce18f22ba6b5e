import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { reportText } from '../../src/core';
import { largeModel } from '../../scripts/large-model';
import { writeStandalone } from '../../scripts/standalone/write-standalone';
(async () => {
  const out = mkdtempSync(join(tmpdir(), 'fr-'));
  await writeStandalone({ input: reportText(JSON.stringify(largeModel(10000)), 'g.json'), name: 'g', outDir: out });
  const server = createServer((req, res) => { const f = join(out, req.url!.slice(1)); if (!existsSync(f)) return void res.writeHead(404).end(); res.writeHead(200, { 'content-type': extname(f) === '.html' ? 'text/html' : extname(f) === '.css' ? 'text/css' : 'text/javascript' }); res.end(readFileSync(f)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/g.html`);
  await page.waitForSelector('body[data-state="ready"]');
  const variants = (process.argv[2] ?? 'base').split(',');
  const r = await page.evaluate(`(async () => {
    const svg = document.querySelector('svg.diagram');
    const out = [];
    let prev = 0;
    await new Promise((res) => { let i = 0; const tick = (now) => {
      const t0 = performance.now();
      svg.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 20 ? 120 : -120, clientX: 700, clientY: 450, cancelable: true, bubbles: true }));
      const t1 = performance.now();
      svg.getBoundingClientRect();
      const t2 = performance.now();
      out.push([Math.round(now - prev), Math.round(t1 - t0), Math.round(t2 - t1), document.querySelectorAll('svg .nodes > g:not([display])').length, document.querySelector('.zoom-readout').textContent]);
      prev = now;
      if (++i < 30) requestAnimationFrame(tick); else res(); }; requestAnimationFrame(tick); });
    return out;
  })()`);
  console.log(JSON.stringify(r));
  await browser.close(); server.close();
})();
