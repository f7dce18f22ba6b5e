// Renders the marketplace icon, media/icon.png (256×256), from the activity-bar glyph
// media/cnn-lens.svg: the same three layers and their connections, light on a dark rounded tile
// (the marketplace shows the icon on light and dark pages alike). Uses Debian's Chromium through
// playwright-core; the PNG is committed, so only a change of the glyph needs this again:
//   node scripts/package/render-icon.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE = 256;
const glyph = readFileSync(join(ROOT, 'media', 'cnn-lens.svg'), 'utf8')
  .replace(/width="24" height="24"/, `width="${SIZE * 0.7}" height="${SIZE * 0.7}"`)
  .replace('stroke="currentColor"', 'stroke="#7fd1ff"');
const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${SIZE}px;height:${SIZE}px;border-radius:${SIZE * 0.18}px;display:flex;align-items:center;justify-content:center;
 background:linear-gradient(160deg,#1f3a5a,#0e1a2b)">${glyph}</div></body></html>`;

const browser = await chromium.launch({ executablePath: process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
await page.setContent(html);
await page.screenshot({ path: join(ROOT, 'media', 'icon.png'), omitBackground: true });
await browser.close();
console.log('media/icon.png');
