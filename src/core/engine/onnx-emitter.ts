import type { TensorShape } from '../ir';

// The ONNX graph under construction, and the few helpers every op's `onnx` member builds with:
// nodes, initializers (weights re-laid out once, shared layers sharing them), and the layout of
// every value. A value's layout is a permutation of its IR (logical) axes: physical =
// transpose(logical, perm). An NHWC value kept channels first has perm [0, 3, 1, 2]; ops ask for
// the layout they need and a Transpose is inserted once per value and layout, only when asked.

/** An ONNX attribute value, tagged with its type (a JS number cannot say whether 1 is an int or a float). */
export type OnnxAttr =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

/** A value of the graph: its ONNX name and how its axes are stored relative to the IR's. */
export interface OnnxValue {
  readonly name: string;
  /** physical = transpose(logical, perm); the identity where the value is in the IR's own layout. */
  readonly perm: readonly number[];
}

/** A weight as plain data: row-major float32 values of the given shape. */
export interface PlainTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Each node's weights by the names its op's `weights()` declares, as plain data. */
export type PlainWeights = ReadonlyMap<string, Readonly<Record<string, PlainTensor>>>;

/** What an op's `onnx` member is given besides the emitter and its input values. */
export interface OnnxContext {
  /** The node's weights by name (a shared layer's are its first call's). */
  readonly weights: Readonly<Record<string, PlainTensor>>;
  /** The IR (logical) shapes of the inputs and of the output, as analysed. */
  readonly inputShapes: readonly TensorShape[];
  readonly outputShape: TensorShape;
}

/** A layer that cannot be written as ONNX (an attribute combination no ONNX op expresses). */
export class OnnxExportError extends Error {}

const FLOAT = 1;
const INT64 = 7;

export const identityPerm = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);
/** The permutation that moves `axis` to position 1, the others keeping their order: NHWC → NCHW for the last axis of a 4-D tensor. */
export const channelsFirstPerm = (rank: number, axis: number): number[] => [0, axis, ...identityPerm(rank).filter((i) => i !== 0 && i !== axis)];
/** Where IR axis `axis` (negative: from the end) sits in a value stored as `perm`. */
export const physicalAxis = (perm: readonly number[], axis: number): number => perm.indexOf(axis < 0 ? perm.length + axis : axis);
const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);
const samePerm = (p: readonly number[], q: readonly number[]): boolean => p.length === q.length && p.every((v, i) => v === q[i]);

/** Row-major transpose of plain data: out = transpose(t, perm). */
export function transposeData(t: PlainTensor, perm: readonly number[]): PlainTensor {
  const shape = perm.map((p) => t.shape[p]);
  if (isIdentity(perm)) return { shape, data: t.data };
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; s *= t.shape[i], i--) inStrides[i] = s;
  const step = perm.map((p) => inStrides[p]); // the input stride of each output axis
  const out = new Float32Array(t.data.length);
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = t.data[from];
    for (let axis = rank - 1; axis >= 0; axis--) {
      from += step[axis];
      if (++index[axis] < shape[axis]) break;
      from -= step[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return { shape, data: out };
}

interface NodeRecord {
  readonly name: string;
  readonly opType: string;
  readonly input: string[];
  readonly output: string[];
  readonly attribute: object[];
}

interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly rawData: Uint8Array;
}

const textEncoder = new TextEncoder();

function attribute(name: string, value: OnnxAttr): object {
  if ('int' in value) return { name, type: 2, i: value.int };
  if ('float' in value) return { name, type: 1, f: value.float };
  if ('ints' in value) return { name, type: 7, ints: value.ints };
  if ('floats' in value) return { name, type: 6, floats: value.floats };
  return { name, type: 3, s: textEncoder.encode(value.string) };
}

/** Raw little-endian bytes of typed data (every platform CNN Lens runs on is little-endian, as ONNX's raw_data is). */
const bytesOf = (data: Float32Array | BigInt64Array): Uint8Array => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

export class OnnxEmitter {
  readonly nodes: NodeRecord[] = [];
  readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();
  /** Transposed views already made: by value name, then by perm. */
  private readonly views = new Map<string, Map<string, string>>();
  /** Names given to the IR-layout view of a value stored otherwise (the layer's own name). */
  private readonly logicalNames = new Map<string, string>();
  /** Re-laid-out weights already written: by the source data (shared layers share it), then by transform. */
  private readonly weightNames = new WeakMap<Float32Array, Map<string, string>>();
  private layer = '';
  private layerStart = 0;

  constructor(readonly opset: number) {}

  /** A name not used yet, `base` where it is free. */
  unique(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Names the nodes and initializers that follow after this IR layer. */
  beginLayer(id: string): void {
    this.layer = id;
    this.layerStart = this.nodes.length;
  }

  /**
   * Ends the layer: its value (produced by this layer's last node) takes the layer's name, or
   * `<layer>/nchw` when stored channels first, so the file reads as the model does; the IR-layout
   * view, if a later op or a tap asks for it, is then named after the layer.
   */
  endLayer(value: OnnxValue): OnnxValue {
    const mine = this.nodes.slice(this.layerStart);
    const producer = mine.find((n) => n.output.includes(value.name));
    if (!producer) return value;
    const name = this.unique(isIdentity(value.perm) ? this.layer : `${this.layer}/${value.perm.length === 4 && samePerm(value.perm, [0, 3, 1, 2]) ? 'nchw' : `perm${value.perm.join('')}`}`);
    for (const n of mine) {
      n.output.forEach((o, i) => o === value.name && (n.output[i] = name));
      n.input.forEach((o, i) => o === value.name && (n.input[i] = name));
    }
    if (!isIdentity(value.perm)) this.logicalNames.set(name, this.unique(this.layer));
    return { name, perm: value.perm };
  }

  /** Adds a node and returns its (single) output's name. */
  node(opType: string, input: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}): string {
    const name = this.unique(`${this.layer}/${opType}`);
    this.nodes.push({ name, opType, input: [...input], output: [name], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return name;
  }

  /** A float32 initializer holding `t` as it is. */
  constant(t: PlainTensor, label: string): string {
    const name = this.unique(`${this.layer}/${label}`);
    this.initializers.push({ name, dims: [...t.shape], dataType: FLOAT, rawData: bytesOf(t.data) });
    return name;
  }

  /** A float32 scalar initializer. */
  scalar(value: number, label: string): string {
    return this.constant({ shape: [], data: new Float32Array([value]) }, label);
  }

  /** An int64 initializer (shapes, pads, axes, slice bounds). */
  int64s(values: readonly number[], label: string): string {
    const name = this.unique(`${this.layer}/${label}`);
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))) });
    return name;
  }

  /**
   * A weight, re-laid out once: transposed by `perm`, then given `shape` (same element order).
   * Written once per source tensor and layout, so the calls of a shared layer read one initializer.
   */
  weight(t: PlainTensor, label: string, perm?: readonly number[], shape?: readonly number[]): string {
    const key = `${perm?.join(',') ?? ''}|${shape?.join(',') ?? ''}|${t.shape.join(',')}`;
    let byKey = this.weightNames.get(t.data);
    if (!byKey) this.weightNames.set(t.data, (byKey = new Map()));
    const known = byKey.get(key);
    if (known) return known;
    const laid = perm ? transposeData(t, perm) : t;
    const name = this.constant({ shape: shape ?? laid.shape, data: laid.data }, label);
    byKey.set(key, name);
    return name;
  }

  /** The value stored as transpose(logical, perm): itself, or a Transpose of it made once. */
  inLayout(v: OnnxValue, perm: readonly number[]): string {
    if (samePerm(v.perm, perm)) return v.name;
    let byPerm = this.views.get(v.name);
    if (!byPerm) this.views.set(v.name, (byPerm = new Map()));
    const known = byPerm.get(perm.join(','));
    if (known) return known;
    // physical_v[i] = logical[v.perm[i]]; wanted[i] = logical[perm[i]] = physical_v[v.perm⁻¹[perm[i]]].
    const inverse = new Array<number>(v.perm.length);
    v.perm.forEach((p, i) => (inverse[p] = i));
    const suffix = isIdentity(perm) ? 'nhwc' : perm.length === 4 && samePerm(perm, [0, 3, 1, 2]) ? 'nchw' : `perm${perm.join('')}`;
    const name = isIdentity(perm) && this.logicalNames.has(v.name) ? this.logicalNames.get(v.name)! : this.unique(`${v.name}/${suffix}`);
    this.nodes.push({ name, opType: 'Transpose', input: [v.name], output: [name], attribute: [attribute('perm', { ints: perm.map((p) => inverse[p]) })] });
    byPerm.set(perm.join(','), name);
    return name;
  }

  /** The value in the IR's own layout. */
  logical(v: OnnxValue): string {
    return this.inLayout(v, identityPerm(v.perm.length));
  }

  /** The value with `axis` (an IR axis) at position 1, as ONNX's Conv, pools and norms read channels. */
  channelsFirst(v: OnnxValue, axis: number): { name: string; perm: number[] } {
    const perm = channelsFirstPerm(v.perm.length, axis);
    return { name: this.inLayout(v, perm), perm };
  }

  /**
   * Inputs of an element-wise op in one layout: the layout of the largest when all have one rank
   * (a residual Add stays channels first), else the IR's (numpy broadcasting aligns IR axes).
   */
  aligned(inputs: readonly OnnxValue[], shapes: readonly TensorShape[]): { names: string[]; perm: readonly number[] } {
    const ranks = inputs.map((v) => v.perm.length);
    if (ranks.some((r) => r !== ranks[0])) return { names: inputs.map((v) => this.logical(v)), perm: identityPerm(Math.max(...ranks)) };
    const size = (s: TensorShape) => s.reduce<number>((p, d) => p * (d ?? 1), 1);
    const largest = inputs.reduce((best, v, i) => (size(shapes[i]) > size(shapes[best.i]) ? { v, i } : best), { v: inputs[0], i: 0 }).v;
    return { names: inputs.map((v) => this.inLayout(v, largest.perm)), perm: largest.perm };
  }

  /** A Reduce* node over `axes`: given as an input where the opset takes it so (ReduceSum from 13, the others from 18). */
  reduce(opType: 'ReduceMean' | 'ReduceMax' | 'ReduceSum', x: string, axes: readonly number[], keepdims: boolean): string {
    const asInput = opType === 'ReduceSum' || this.opset >= 18;
    return asInput
      ? this.node(opType, [x, this.int64s(axes, 'axes')], { keepdims: { int: keepdims ? 1 : 0 } })
      : this.node(opType, [x], { axes: { ints: axes }, keepdims: { int: keepdims ? 1 : 0 } });
  }
}
