// Draws the bundled sample images procedurally (nothing downloaded, no photographs):
//   npx tsx media/samples/make-samples.ts
// shapes.png: 256×256 — a sky gradient, a sun, striped hills and a checkered box, so that edge,
// colour and texture detectors all have something to respond to in the activation previews.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../../src/core/runtime/image';

const W = 256;
const H = 256;
const data = new Uint8Array(W * H * 4);
const set = (x: number, y: number, r: number, g: number, b: number) => data.set([r, g, b, 255], (y * W + x) * 4);
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    // sky: blue at the top to pale near the horizon
    const t = y / H;
    let c: [number, number, number] = [Math.round(90 + 140 * t), Math.round(150 + 90 * t), 250];
    // sun
    if ((x - 190) ** 2 + (y - 60) ** 2 < 28 ** 2) c = [255, 214, 60];
    // hills: two sine ridges, striped
    const ridge1 = 150 + 22 * Math.sin(x / 23);
    const ridge2 = 185 + 15 * Math.sin(x / 13 + 1);
    if (y > ridge1) c = Math.floor((y + x / 3) / 6) % 2 ? [60, 140, 60] : [80, 170, 70];
    if (y > ridge2) c = [110, 80, 50];
    // a checkered box
    if (x > 30 && x < 110 && y > 120 && y < 200) c = (Math.floor(x / 10) + Math.floor(y / 10)) % 2 ? [230, 230, 230] : [30, 30, 30];
    // a red diagonal bar
    if (Math.abs(x - y - 40) < 5 && x > 120 && x < 240) c = [220, 40, 40];
    set(x, y, ...c);
  }
}
writeFileSync(join(__dirname, 'shapes.png'), encodePng({ width: W, height: H, data }));
console.log('wrote media/samples/shapes.png');
