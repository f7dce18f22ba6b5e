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
  await writeStandalone({ input: reportText(JSON.stringify(largeModel(Number(process.env.N ?? 10000))), 'g.json'), name: 'g', outDir: out });
  const server = createServer((req, res) => { const f = join(out, req.url!.slice(1)); if (!existsSync(f)) return void res.writeHead(404).end(); res.writeHead(200, { 'content-type': extname(f) === '.html' ? 'text/html' : extname(f) === '.css' ? 'text/css' : 'text/javascript' }); res.end(readFileSync(f)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/g.html`);
  await page.waitForSelector('body[data-state="ready"]');
  const variants = (process.argv[2] ?? 'base').split(',');
  for (const v of ['base', 'nothing', 'notable', 'notable-nothing']) {
  const r = await page.evaluate(`(async () => {
    const svg = document.querySelector('svg.diagram'); const vp = svg.querySelector('.viewport');
    const v = '${'${v}'}';
    const hide = (sel) => svg.querySelector(sel).setAttribute('display', 'none');
    if (v.startsWith('notable')) document.querySelector('.table-view').replaceChildren();
    if (v.endsWith('nothing')) hide('.edges');
    if (v.endsWith('nothing')) hide('.nodes');
    if (v.endsWith('nothing')) hide('.edge-labels-layer');
    if (v.endsWith('nothing')) { hide('.containers'); hide('.container-heads'); }
    svg.getBoundingClientRect();
    const out = [];
    for (let i = 0; i < 10; i++) {
      vp.setAttribute('transform', 'translate(0,0) scale(' + (0.5 + i * 0.01) + ')');
      const t1 = performance.now();
      svg.getBoundingClientRect();
      out.push(Math.round(performance.now() - t1));
    }
    for (const g of svg.querySelectorAll('.viewport > g')) g.removeAttribute('display');
    return out;
  })()`);
  console.log(v, JSON.stringify(r));
  }
  await browser.close(); server.close();
})();
