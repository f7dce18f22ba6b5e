import { join } from 'node:path';
import { chooseBackend } from '../../src/core/runtime/backend';
import { randomLossNetwork } from '../../src/core/style/loss-network';
import { readImage, writePng } from '../../src/core/style/image-io';
import { stylizeOptimise } from '../../src/core/style/optimise';
async function main() {
  const { tf, name } = await chooseBackend((process.env.B as 'wasm') ?? 'wasm');
  const net = randomLossNetwork(tf);
  const M = join(__dirname, '..', '..', 'media', 'styles');
  const c = readImage(join(M, 'content', 'hills.png'), { size: Number(process.env.S ?? 128) }).image;
  const s = readImage(join(M, 'swirls.png')).image;
  const t0 = Date.now();
  const r = await stylizeOptimise(tf, net, c, s, { steps: Number(process.env.N ?? 5), onStep: (i, l) => console.log(i, JSON.stringify(l), ((Date.now() - t0) / i / 1000).toFixed(2) + ' s/it') });
  writePng('test-results/opt.png', r.image);
  console.log(name);
}
main();
