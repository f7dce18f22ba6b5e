// npm run labels:imagenet: writes media/labels/imagenet.txt, the 1,000 ImageNet (ILSVRC-2012) class
// names in class-index order, one per line, from the npm package @tensorflow-models/mobilenet
// (Apache-2.0, Google LLC): its dist/imagenet_classes.js maps each class index to its name. The
// package is fetched with `npm pack` into a temporary folder (not a dependency: it would pull in
// tfjs-converter) and only that table is read. The output is committed; rerun only to change version.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PACKAGE = '@tensorflow-models/mobilenet@2.1.1';
const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'media', 'labels', 'imagenet.txt');

const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-labels-'));
try {
  const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/dist/imagenet_classes.js', 'package/package.json']);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { IMAGENET_CLASSES } = require(join(dir, 'package', 'dist', 'imagenet_classes.js')) as { IMAGENET_CLASSES: Record<string, string> };
  const names = Array.from({ length: 1000 }, (_, i) => IMAGENET_CLASSES[i]);
  const missing = names.findIndex((n) => typeof n !== 'string' || !n.trim() || /[\r\n]/.test(n));
  if (missing >= 0 || Object.keys(IMAGENET_CLASSES).length !== 1000) throw new Error(`${PACKAGE}: expected 1000 class names indexed 0…999, class ${missing} is missing or not one line`);
  mkdirSync(join(ROOT, 'media', 'labels'), { recursive: true });
  writeFileSync(OUT, `${names.join('\n')}\n`);
  console.log(`wrote ${OUT}: ${names.length} classes from ${PACKAGE} (0: ${names[0]}; 999: ${names[999]})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
