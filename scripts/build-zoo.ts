// Writes the model zoo in models/ as Keras 2 `model.to_json()` documents.
//
//   npx tsx scripts/build-zoo.ts                  # every model, into models/
//   npm run zoo -- vgg16 resnet50                 # only these
//   npm run zoo -- mobilenet_v1 --alpha 0.5 --rows 160 --out my_mobilenet.json
//                                                 # a width (α) / resolution (ρ) variant (mobilenet_v1, mobilenet_v2)
//
// The builders are in scripts/zoo/ (one file per family); scripts/zoo/verify.ts checks the files with tfjs-layers.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { alexnet } from './zoo/alexnet';
import { googlenet } from './zoo/googlenet';
import { formatJson } from './zoo/keras-builder';
import type { JsonObject } from './zoo/keras-builder';
import { johnsonTransformNet } from './zoo/johnson';
import { mobilenetV1, mobilenetV2 } from './zoo/mobilenet';
import { resnet18, resnetKeras } from './zoo/resnet';
import { vgg } from './zoo/vgg';

const MODELS_DIR = join(__dirname, '..', 'models');

interface Options {
  alpha?: number;
  rows?: number;
}

const ZOO: Record<string, (o: Options) => JsonObject> = {
  alexnet: () => alexnet(),
  vgg16: () => vgg(16),
  vgg19: () => vgg(19),
  googlenet: () => googlenet(),
  resnet18: () => resnet18(),
  resnet50: () => resnetKeras(50),
  resnet152: () => resnetKeras(152),
  mobilenet_v1: (o) => mobilenetV1(o.alpha ?? 1.0, o.rows ?? 224),
  mobilenet_v2: (o) => mobilenetV2(o.alpha ?? 1.0, o.rows ?? 224),
  johnson_transform_net: () => johnsonTransformNet(),
};
const VARIABLE = new Set(['mobilenet_v1', 'mobilenet_v2']);

export const serialize = (model: JsonObject): string => formatJson(model) + '\n';

function main(argv: string[]): void {
  const names: string[] = [];
  const opts: Options = {};
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--alpha') opts.alpha = Number(value());
    else if (a === '--rows') opts.rows = Number(value());
    else if (a === '--out') out = value();
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run zoo -- [${Object.keys(ZOO).join('|')} …] [--alpha A] [--rows R] [--out FILE]`);
      return;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (!(a in ZOO)) throw new Error(`unknown model ${a}; have ${Object.keys(ZOO).join(', ')}`);
    else names.push(a);
  }
  if (opts.alpha !== undefined && !(opts.alpha > 0)) throw new Error('--alpha must be a positive number');
  if (opts.rows !== undefined && !(Number.isInteger(opts.rows) && opts.rows >= 32)) throw new Error('--rows must be an integer ≥ 32');
  const variant = opts.alpha !== undefined || opts.rows !== undefined;
  if (variant && names.some((n) => !VARIABLE.has(n))) throw new Error(`--alpha/--rows apply only to ${[...VARIABLE].join(', ')}`);
  if (out !== undefined && names.length !== 1) throw new Error('--out needs exactly one model name');
  const selected = names.length ? names : Object.keys(ZOO);
  for (const name of selected) {
    const file = out !== undefined ? resolve(out) : join(MODELS_DIR, `${name}.json`);
    if (variant && out === undefined) throw new Error('a variant needs --out FILE (models/ keeps the reference 1.0-224 builds)');
    const text = serialize(ZOO[name](opts));
    writeFileSync(file, text);
    console.log(`${file}  ${(text.length / 1024).toFixed(0)} KiB`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`build-zoo: ${(e as Error).message}`);
    process.exit(1);
  }
}
