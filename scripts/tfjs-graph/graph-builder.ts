import { mulberry32 } from '../../src/core/runtime/random-weights';

// Writes TF.js graph models as tensorflowjs_converter lays them out: GraphDef nodes in
// `modelTopology.node` with their attributes in AttrValue JSON (base64 strings, decimal-string
// integers, DT_* types), every Const's bytes in one shard listed by `weightsManifest`, optionally
// quantised (uint8 affine with scale and min, or float16) as the converter's --quantize flags do.
// Truth comes from tfjs-converter reading these files, never from this writer.

type Attr = Record<string, unknown>;
export type Quantise = 'none' | 'uint8' | 'float16';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const attr = {
  s: (v: string): Attr => ({ s: b64(v) }),
  i: (v: number): Attr => ({ i: String(v) }),
  f: (v: number): Attr => ({ f: v }),
  b: (v: boolean): Attr => ({ b: v }),
  type: (v: string): Attr => ({ type: v }),
  ints: (v: readonly number[]): Attr => ({ list: { i: v.map(String) } }),
  strs: (v: readonly string[]): Attr => ({ list: { s: v.map(b64) } }),
  shape: (dims: readonly number[]): Attr => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

/** float32 → IEEE half, rounding to nearest even (what numpy's astype(float16) does). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: string; scale?: number; min?: number };
  bytes: Buffer;
}

export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly weights: Weight[] = [];
  private readonly rand: () => number;

  constructor(seed: number, private readonly quantise: Quantise = 'none', private readonly quantiseAbove = 16) {
    this.rand = mulberry32(seed);
  }

  /** Uniform values in [low, high). */
  uniform(count: number, low: number, high: number): Float32Array {
    return Float32Array.from({ length: count }, () => low + (high - low) * this.rand());
  }

  node(name: string, op: string, input: readonly string[], attrs: Attr = {}): string {
    this.nodes.push({ name, op, input: [...input], device: '/device:CPU:0', attr: attrs });
    return name;
  }

  placeholder(name: string, shape: readonly number[]): string {
    return this.node(name, 'Placeholder', [], { dtype: attr.type('DT_FLOAT'), shape: attr.shape(shape) });
  }

  /** A float Const; quantised as the builder says when it has more than `quantiseAbove` values (the converter's threshold is per weight too). */
  floats(name: string, shape: readonly number[], values: Float32Array, quantise: Quantise = this.quantise): string {
    let bytes: Buffer;
    let quantization: Weight['quantization'];
    if (quantise === 'uint8' && values.length > this.quantiseAbove) {
      const min = values.reduce((m, v) => Math.min(m, v), Infinity);
      const max = values.reduce((m, v) => Math.max(m, v), -Infinity);
      const scale = (max - min) / 255 || 1;
      bytes = Buffer.from(Uint8Array.from(values, (v) => Math.round((v - min) / scale)));
      quantization = { dtype: 'uint8', scale, min };
    } else if (quantise === 'float16' && values.length > this.quantiseAbove) {
      bytes = Buffer.from(Uint16Array.from(values, toHalf).buffer);
      quantization = { dtype: 'float16' };
    } else bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    this.weights.push({ name, shape: [...shape], dtype: 'float32', quantization, bytes });
    return this.node(name, 'Const', [], { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: attr.type('DT_FLOAT') });
  }

  ints(name: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    this.weights.push({ name, shape: [...shape], dtype: 'int32', bytes: Buffer.from(Int32Array.from(values).buffer) });
    return this.node(name, 'Const', [], { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: attr.type('DT_INT32') });
  }

  /** model.json and its one shard, as the converter names them. */
  files(inputs: Readonly<Record<string, readonly number[]>>, outputs: readonly string[]): { modelJson: string; shard: Buffer; shardName: string } {
    const shardName = 'group1-shard1of1.bin';
    const tensorInfo = (name: string, shape?: readonly number[]) => ({ name: `${name}:0`, dtype: 'DT_FLOAT', ...(shape ? { tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } : {}) });
    const json = {
      format: 'graph-model',
      generatedBy: 'cnn-lens scripts/tfjs-graph/graph-builder.ts',
      convertedBy: null,
      signature: { inputs: Object.fromEntries(Object.entries(inputs).map(([n, s]) => [n, tensorInfo(n, s)])), outputs: Object.fromEntries(outputs.map((n) => [n, tensorInfo(n)])) },
      modelTopology: { node: this.nodes, library: {}, versions: { producer: 1482 } },
      weightsManifest: [{ paths: [shardName], weights: this.weights.map(({ bytes: _, ...w }) => w) }],
    };
    return { modelJson: JSON.stringify(json), shard: Buffer.concat(this.weights.map((w) => w.bytes)), shardName };
  }
}
