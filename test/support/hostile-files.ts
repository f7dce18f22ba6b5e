import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, zipSync } from 'fflate';
import { FIXTURES } from './fixtures';

// Crafted files for the hardening tests: each one a way an attacker or a clumsy user can hurt a
// model reader (escaping the model's folder, never-ending files, files that declare far more than
// they hold, inputs that make parsers super-linear, names that act as code). Each writer puts its
// files in a fresh folder and returns the path to hand to the CLI.

export const hostileDir = (what: string): string => mkdtempSync(join(tmpdir(), `cnn-lens-hostile-${what}-`));

/** A small valid Keras Sequential model (conv, pool, dense) whose layers the writers below vary. */
export function kerasModel(layers: object[], input: (number | null)[] = [null, 8, 8, 3], name = 'm'): string {
  return JSON.stringify({ class_name: 'Sequential', config: { name, layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: input } }, ...layers] } });
}

/** The TF.js multi-I/O fixture with its weights manifest replaced; the shard copied next to it, and one outside. */
export function tfjsWithManifest(manifest: unknown): { dir: string; model: string } {
  const dir = hostileDir('manifest');
  mkdirSync(join(dir, 'model'));
  mkdirSync(join(dir, 'other'));
  const json = JSON.parse(readFileSync(join(FIXTURES, 'tfjs_multi_io', 'model.json'), 'utf8'));
  copyFileSync(join(FIXTURES, 'tfjs_multi_io', 'group1-shard1of1.bin'), join(dir, 'model', 'group1-shard1of1.bin'));
  copyFileSync(join(FIXTURES, 'tfjs_multi_io', 'group1-shard1of1.bin'), join(dir, 'other', 'shard.bin'));
  const model = join(dir, 'model', 'model.json');
  writeFileSync(model, JSON.stringify({ ...json, weightsManifest: typeof manifest === 'function' ? manifest(json.weightsManifest) : manifest }));
  return { dir, model };
}

/** The fixture's manifest with its shard path replaced by `path` (`../other/shard.bin`, a link). */
export const manifestPointingAt = (path: string) => (manifest: { paths: string[] }[]) => manifest.map((g) => ({ ...g, paths: [path] }));

/** A model whose shard is a symbolic link to the copy outside its folder. */
export function symlinkedShard(): { dir: string; model: string } {
  const made = tfjsWithManifest(manifestPointingAt('linked.bin'));
  symlinkSync(join(made.dir, 'other', 'shard.bin'), join(made.dir, 'model', 'linked.bin'));
  return made;
}

/** A named pipe with a model's name: opening it for reading would wait for a writer forever. */
export function fifo(name = 'model.json'): string {
  const path = join(hostileDir('fifo'), name);
  execFileSync('mkfifo', [path]);
  return path;
}

const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array): number => {
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
function pngChunk(type: string, data: number[] | Uint8Array): number[] {
  const body = [...type].map((c) => c.charCodeAt(0)).concat([...data]);
  return [...be32(data.length), ...body, ...be32(crc32(Uint8Array.from(body)))];
}

/** A PNG whose header claims width × height (30000² by default) with a few bytes of pixel data. */
export function pngHeaderBomb(width = 30000, height = 30000): string {
  const ihdr = [...be32(width), ...be32(height), 8, 2, 0, 0, 0];
  const bytes = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...pngChunk('IHDR', ihdr), ...pngChunk('IDAT', deflateSync(new Uint8Array(4096))), ...pngChunk('IEND', [])];
  const path = join(hostileDir('png'), 'bomb.png');
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

/** A JPEG whose SOF0 claims width × height (60000² by default, the most JPEG can say is 65535²). */
export function jpegHeaderBomb(width = 60000, height = 60000): string {
  const sof = [0xff, 0xc0, 0, 17, 8, (height >> 8) & 255, height & 255, (width >> 8) & 255, width & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
  const path = join(hostileDir('jpeg'), 'bomb.jpg');
  writeFileSync(path, Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, ...sof, 0xff, 0xd9]));
  return path;
}

/**
 * A .keras archive whose model.weights.h5 entry is `mib` MiB of zeros, deflated (1,000:1): an
 * honest bomb declares its size; a lying one (`lie`) says 1 KiB in the central directory.
 */
export function kerasZipBomb(mib: number, lie = false): string {
  const zeros = new Uint8Array(mib * 1024 * 1024);
  const zip = zipSync({ 'config.json': new TextEncoder().encode('{}'), 'model.weights.h5': [zeros, { level: 9 }] });
  if (lie) {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let i = zip.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(i + 28, true);
      if (new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength)) === 'model.weights.h5') view.setUint32(i + 24, 1024, true);
    }
  }
  const path = join(hostileDir('zip'), 'bomb.keras');
  writeFileSync(path, zip);
  return path;
}

/** A zip entry named `../../escape.h5`: an archive whose names climb out. */
export function zipWithClimbingName(): string {
  const path = join(hostileDir('zip'), 'climb.keras');
  writeFileSync(path, zipSync({ '../../escape.h5': new Uint8Array(16), 'model.weights.h5': new Uint8Array(16) }));
  return path;
}

/**
 * A Keras 3 .weights.h5 whose first conv's kernel declares `elements` float32 values (2^30: 4 GiB)
 * but stores none (chunked, never written: HDF5 keeps it sparse), written by h5py.
 */
export function sparseHdf5(elements = 2 ** 30): string {
  const path = join(hostileDir('h5'), 'sparse.weights.h5');
  const script = `import h5py, sys\nwith h5py.File(sys.argv[1], 'w') as f:\n  v = f.create_group('layers/conv2d/vars')\n  v.create_dataset('0', shape=(${elements},), dtype='float32', chunks=(1024,))\n  v.create_dataset('1', shape=(4,), dtype='float32')\n`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`h5py (apt: python3-h5py) could not write the sparse HDF5 file: ${run.stderr || run.error}`);
  return path;
}

/** Writes `text` (or bytes) to a fresh folder as `name`. */
export function writeHostile(name: string, content: string | Uint8Array): string {
  const path = join(hostileDir('text'), name);
  writeFileSync(path, content);
  return path;
}

/** JSON nested `depth` levels deep inside a model's config. */
export const deepJson = (depth: number): string => `{"class_name": "Sequential", "config": {"name": "deep", "layers": [], "x": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;

/** A model file in UTF-16LE with a byte-order mark (every other byte a NUL to a UTF-8 reader). */
export const utf16 = (text: string): Uint8Array => {
  const out = new Uint8Array(2 + text.length * 2);
  out.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 255;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
};

/** `count` Dense layers all named "d". */
export const duplicateNames = (count: number): string => kerasModel(Array.from({ length: count }, () => ({ class_name: 'Dense', config: { name: 'd', units: 2 } })), [null, 2]);

/**
 * A model that nests a Sequential `depth` levels deep, each level calling the one inside twice:
 * a file of a few KB that expands to 2^depth layers when every call is drawn.
 */
export function doublingNest(depth: number): string {
  let inner: object = { class_name: 'Sequential', config: { name: 'leaf', layers: [{ class_name: 'ReLU', config: { name: 'r' } }] } };
  for (let level = 0; level < depth; level++) {
    inner = {
      class_name: 'Functional',
      name: `level${level}`,
      config: {
        name: `level${level}`,
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 4] }, inbound_nodes: [] },
          { ...inner, name: 'inner', config: { ...(inner as { config: object }).config, name: 'inner' }, inbound_nodes: [[['x', 0, 0, {}]], [['inner', 1, 0, {}]]] },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['inner', 2, 0]],
      },
    };
  }
  return JSON.stringify(inner);
}

/** Layer names that try to act as code: terminal escapes, a forged error line, Markdown links and images, CSV formulas. */
export const HOSTILE_NAMES = {
  escape: 'red\u001b[31mX\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007',
  newline: 'conv\nmodel.json: error: forged',
  markdownLink: '[click](command:workbench.action.quit)',
  markdownImage: '![x](https://evil.example/pixel.png)',
  formula: '=HYPERLINK("https://evil.example","x")',
} as const;

/** A model whose layers carry the hostile names. */
export const hostileNamesModel = (): string =>
  kerasModel(Object.values(HOSTILE_NAMES).map((name) => ({ class_name: 'Dense', config: { name, units: 2 } })), [null, 2]);
