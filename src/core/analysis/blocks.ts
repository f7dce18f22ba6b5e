// Blocks: the groups users think in (a ResNet residual block, an Inception module, a MobileNet
// depthwise-pointwise pair), found from Keras-style layer names. The diagram groups by them and the
// editor duplicates them, so both read the same conventions from here.

export interface BlockName {
  /** Stable identifier: 'conv2_block1', 'mobilenet_block_3', 'inception_3a'. */
  readonly key: string;
  /** Display name: 'conv2_block1', 'block 3', 'inception_3a'. */
  readonly name: string;
}

/**
 * One naming convention. The named group `n` is the block's counter inside the layer name (the part
 * that differs between sibling blocks: conv2_block**2**_1_conv, conv_dw_**3**, inception_**4b**_1x1);
 * conventions without a counter (a stem, MobileNetV2's first block) have none.
 */
interface Convention {
  readonly re: RegExp;
  readonly key: (m: RegExpExecArray) => string;
  readonly name?: (m: RegExpExecArray) => string;
}

const CONVENTIONS: readonly Convention[] = [
  { re: /^(conv\d+_block(?<n>\d+))_/d, key: (m) => m[1] }, // Keras ResNet
  { re: /^(block_(?<n>\d+))_/d, key: (m) => m[1] }, // MobileNetV2
  { re: /^conv_(?:dw|pw|pad)_(?<n>\d+)(?:_|$)/d, key: (m) => `mobilenet_block_${m[1]}`, name: (m) => `block ${m[1]}` }, // MobileNet v1
  { re: /^(block(?<n>\d+[a-z]?))_/d, key: (m) => m[1] }, // VGG, EfficientNet
  { re: /^(inception_?(?<n>\d+[a-z]))(?:_|$)/d, key: (m) => m[1] },
  { re: /^(mixed_?(?<n>\d+[a-z]?))(?:_|$)/d, key: (m) => m[1] }, // InceptionV3 `mixed5`
  { re: /^(expanded_conv)_/d, key: (m) => m[1] }, // MobileNetV2's first block
  { re: /^(stage\d+_unit(?<n>\d+))_/d, key: (m) => m[1] }, // MXNet/Gluon ResNets
  { re: /^(conv\d+)_(?:pad|conv|bn|relu)$/d, key: (m) => m[1], name: (m) => `${m[1]} (stem)` }, // ResNet stem: conv1_pad, conv1_conv, …
];

/** Blocks found by repetition (`b12_conv1` → b12): the counter is the number after the stem. */
const REPEATED = /^([A-Za-z]+)(?<n>\d+)_/d;

/** Where a block's counter sits in a layer name (UTF-16 offsets), for renumbering a copy. */
export interface CounterSpan {
  readonly start: number;
  readonly end: number;
}

function match(name: string): { convention: Convention; m: RegExpExecArray } | null {
  for (const convention of CONVENTIONS) {
    const m = convention.re.exec(name);
    if (m) return { convention, m };
  }
  return null;
}

function span(m: RegExpExecArray): CounterSpan | null {
  const at = m.indices?.groups?.n;
  return at ? { start: at[0], end: at[1] } : null;
}

/**
 * The block a layer belongs to by its (Keras-style) name, or null.
 * `conv2_block1_1_conv` → conv2_block1; `block1_conv1` → block1; `inception_3a_1x1` → inception_3a;
 * `conv_dw_3`, `conv_pw_3_bn` → block 3 (MobileNet); `block_3_expand` → block_3 (MobileNetV2).
 */
export function blockOfName(name: string): BlockName | null {
  const found = match(name);
  if (!found) return null;
  const { convention, m } = found;
  const key = convention.key(m);
  return { key, name: convention.name?.(m) ?? key };
}

/**
 * Blocks for names no known convention covers, found by repetition: `b12_conv1`, `res3_bn1` → b12, res3,
 * when one stem (`b`, `res`) numbers at least `minBlocks` blocks of two or more layers each. Generated
 * and hand-written residual stacks name their blocks so; a lone `conv2_3x3` or `pool5_flatten` does not
 * make a block. Returns layer name → block.
 */
export function repeatedBlocks(names: readonly string[], minBlocks = 3): Map<string, BlockName> {
  const byKey = new Map<string, { stem: string; members: string[] }>();
  for (const n of names) {
    const m = REPEATED.exec(n);
    if (!m) continue;
    const key = `${m[1]}${m[2]}`;
    const entry = byKey.get(key) ?? { stem: m[1], members: [] };
    entry.members.push(n);
    byKey.set(key, entry);
  }
  const blocksPerStem = new Map<string, number>();
  for (const e of byKey.values()) if (e.members.length >= 2) blocksPerStem.set(e.stem, (blocksPerStem.get(e.stem) ?? 0) + 1);
  const out = new Map<string, BlockName>();
  for (const [key, e] of byKey) {
    if (e.members.length < 2 || (blocksPerStem.get(e.stem) ?? 0) < minBlocks) continue;
    for (const n of e.members) out.set(n, { key, name: key });
  }
  return out;
}

/** The block of each of `names` (one model scope's layer names): a known convention first, else repetition. */
export function namedBlocks(names: readonly string[]): Map<string, BlockName> {
  const repeated = repeatedBlocks(names.filter((n) => !blockOfName(n)));
  const out = new Map<string, BlockName>();
  for (const n of names) {
    const b = blockOfName(n) ?? repeated.get(n);
    if (b) out.set(n, b);
  }
  return out;
}

/** Where the block counter sits in `name`, or null when its block's convention has none (a stem). */
export function blockCounter(name: string): CounterSpan | null {
  const found = match(name);
  if (found) return span(found.m);
  const m = REPEATED.exec(name);
  return m ? span(m) : null;
}
