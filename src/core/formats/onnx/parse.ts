import { DTYPE_BYTES, type AttrValue, type Attrs, type DType, type Diagnostic, type Graph, type IRGroup, type IRNode, type IRTensor, type TensorRef, type TensorShape } from '../../ir';
import { getOp } from '../../ops';
import { normaliseAttrs } from '../../ops/attrs';
import { siblingNameProblem, type ModelSource } from '../source';
import { cycleText, moreCyclesText, sortTopologically } from '../topology';
import { BoundedDiagnostics, UniqueIds } from '../bounded';
import { MAX_GRAPH_NODES } from '../limits';
import { countGraphNodes } from './wire-count';
import { nameScopeGroups } from './name-scopes';
import type { OnnxInputView, OnnxNodeView, OnnxTensorAttr } from './node-view';
import { mapOnnxNode } from './ops-map';
import { ModelProto, num, onnxDType, tensorFacts, type Int64, type TensorMessage } from './proto';

// Reads an ONNX ModelProto into the IR. Initializers and Constant nodes become 'Constant' nodes
// over graph tensors (measured, not copied: weight bytes stay in the file); every other node maps
// onto the op table (ops-map.ts) or stays opaque with a diagnostic. Names are kept whole; the
// hierarchy comes from the name scopes exporters write (`/layer1/layer1.0/conv1/Conv`).

/** The opsets whose operators CNN Lens knows (ai.onnx). */
export const KNOWN_OPSETS = { min: 7, max: 21 } as const;

interface ValueInfoMessage {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: Int64; dimParam?: string }[] } } };
}
interface AttributeMessage {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMessage;
  g?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  graphs?: unknown[];
}
interface NodeMessage {
  name?: string;
  opType?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeMessage[];
}
interface GraphMessage {
  name?: string;
  node?: NodeMessage[];
  initializer?: TensorMessage[];
  input?: ValueInfoMessage[];
  output?: ValueInfoMessage[];
  valueInfo?: ValueInfoMessage[];
}
interface ModelMessage {
  irVersion?: Int64;
  opsetImport?: { domain?: string; version?: Int64 }[];
  producerName?: string;
  producerVersion?: string;
  graph?: GraphMessage;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A ModelProto begins with one of its fields' tags: ir_version (field 1, varint: 0x08) in every
 * exporter we know, else producer_name, graph or opset_import. Cheap: the first bytes only.
 */
export function looksLikeOnnx(bytes: Uint8Array, name: string): boolean {
  if (bytes.length < 2) return false;
  if (bytes[0] === 0x08) return bytes[1] >= 1 && bytes[1] <= 20 && (/\.onnx$/i.test(name) || [0x12, 0x1a, 0x22, 0x2a, 0x3a, 0x42].includes(bytes[2]));
  return /\.onnx$/i.test(name) && [0x12, 0x1a, 0x3a, 0x42].includes(bytes[0]);
}

export function parseOnnx(source: ModelSource): Graph {
  const baseName = source.name.replace(/^.*[\\/]/, '');
  const fail = (message: string): Graph => ({ name: baseName.replace(/\.onnx$/i, ''), format: 'onnx', nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [{ severity: 'error', code: 'onnx', message: `${source.name}: ${message}` }] });
  let model: ModelMessage;
  try {
    // Counted on the wire before decoding: six million nodes would take gigabytes as objects.
    const nodes = countGraphNodes(source.bytes());
    if (nodes > MAX_GRAPH_NODES) return fail(`the graph has ${nodes.toLocaleString('en-US')} nodes, more than the ${MAX_GRAPH_NODES.toLocaleString('en-US')} CNN Lens analyses`);
    model = ModelProto.decode(source.bytes()) as unknown as ModelMessage;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return fail(/index out of range/.test(reason) ? `the file ends in the middle of a protobuf message (truncated, or not an ONNX file): ${reason}` : `not a valid ONNX protobuf: ${reason}`);
  }
  if (!model.graph) return fail('the file holds no graph: it is not an ONNX model (or not one CNN Lens can read)');
  return new OnnxReader(source, model).read();
}

class OnnxReader {
  private readonly problems = new BoundedDiagnostics();
  private readonly nodes: IRNode[] = [];
  private readonly constants: Record<string, IRTensor> = {};
  /** ONNX value name → the IR output that produces it. */
  private readonly producers = new Map<string, TensorRef>();
  /** ONNX value name → what the file declares about it (graph inputs, outputs, value_info, initializers). */
  private readonly declared = new Map<string, { shape?: TensorShape; dtype?: OnnxInputView['dtype'] }>();
  private readonly ids = new UniqueIds('@');
  private readonly opset: number;
  private readonly opsets = new Map<string, number>();

  constructor(private readonly source: ModelSource, private readonly model: ModelMessage) {
    for (const o of model.opsetImport ?? []) this.opsets.set(o.domain === 'ai.onnx' ? '' : o.domain ?? '', num(o.version));
    this.opset = this.opsets.get('') ?? 1;
  }

  read(): Graph {
    const graph = this.model.graph!;
    this.checkOpset();
    const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) this.declare(v);
    const used = new Set<string>((graph.output ?? []).map((o) => o.name ?? ''));
    for (const n of graph.node ?? []) for (const input of n.input ?? []) used.add(input);

    const inputs: string[] = [];
    const symbolicDims: Record<string, (string | null)[]> = {};
    for (const v of graph.input ?? []) {
      const name = v.name ?? '';
      if (initializers.has(name)) continue; // IR < 4 lists initializers among the inputs
      const dims = v.type?.tensorType?.shape?.dim ?? [];
      const id = this.uniqueId(name || 'input');
      this.nodes.push({ id, layer: name, op: 'Input', sourceClass: 'graph input', attrs: { batchShape: dims.map(dimOf) }, inputs: [], outputNames: [name] });
      if (dims.some((d) => d.dimParam)) symbolicDims[id] = dims.map((d) => d.dimParam || null);
      this.producers.set(name, { node: id, index: 0 });
      inputs.push(id);
    }
    for (const [name, t] of initializers) if (used.has(name)) this.addConstant(name, t, name);
    // Two passes: files may list a node before the nodes it reads (and a cycle must be named as one).
    const ids = (graph.node ?? []).map((n) => this.claimOutputs(n));
    const aliased = this.aliasConstantIdentities(graph.node ?? [], ids);
    (graph.node ?? []).forEach((n, i) => ids[i] && !aliased.has(i) && this.readNode(n, ids[i]!));

    const outputs = (graph.output ?? []).map((o) => this.producers.get(o.name ?? '')).filter((r): r is TensorRef => !!r);
    for (const o of graph.output ?? []) if (!this.producers.has(o.name ?? '')) this.report('error', 'missing-input', `graph output "${o.name}" is produced by no node`);
    const sorted = sortTopologically(this.nodes);
    for (const cycle of sorted.cycles) this.report('error', 'cycle', `nodes form a cycle: ${cycleText(cycle)}; a network must be acyclic`, cycle[0]);
    const diagnostics = this.problems.finish();
    // The count of the rest is the last word on cycles (the cap of report() would count it as one more).
    if (sorted.moreCycles) diagnostics.push({ severity: 'error', code: 'cycle', message: `${this.source.name}: nodes form cycles: ${moreCyclesText(sorted.moreCycles)}` });
    const { groups, groupOf } = nameScopeGroups(sorted.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input').map((n) => n.id));
    const grouped = sorted.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id) } : n));
    return {
      name: graph.name || this.source.name.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''),
      format: 'onnx',
      nodes: grouped,
      inputs,
      outputs,
      groups: groups as IRGroup[],
      diagnostics,
      constants: this.constants,
      symbolicDims: Object.keys(symbolicDims).length ? symbolicDims : undefined,
    };
  }

  private checkOpset(): void {
    if (!this.opsets.has('') && this.opsets.size) return; // only custom domains: the ops say so one by one
    if (this.opset < KNOWN_OPSETS.min || this.opset > KNOWN_OPSETS.max) {
      this.report('warning', 'opset', `the model uses opset ${this.opset}; CNN Lens knows opsets ${KNOWN_OPSETS.min} to ${KNOWN_OPSETS.max}, so operators whose definition changed may be misread`);
    }
  }

  private declare(v: ValueInfoMessage): void {
    const tensor = v.type?.tensorType;
    if (!v.name || !tensor) return;
    const dims = tensor.shape?.dim;
    this.declared.set(v.name, {
      dtype: onnxDType(tensor.elemType ?? 0),
      shape: dims ? dims.map(dimOf) : undefined,
    });
  }

  /** A constant tensor of the graph and the 'Constant' node that stands for it. */
  private addConstant(name: string, t: TensorMessage, nodeName: string, producer?: string): void {
    const facts = tensorFacts(t);
    const id = this.uniqueId(nodeName || name);
    if (!facts.dtype) this.report('warning', 'dtype', `tensor "${name}" has data type ${t.dataType ?? 'unset'}, which CNN Lens does not know; its size is not counted`, id);
    if (facts.external) {
      const problem = facts.external.file ? siblingNameProblem(facts.external.file) : 'the external data entry names no file (location)';
      if (problem) this.report('error', 'external-data', `tensor "${name}": external data "${facts.external.file}" cannot be read: ${problem}`, id);
      if (!(facts.external.offset >= 0) || (facts.external.length !== undefined && !(facts.external.length >= 0))) this.report('error', 'external-data', `tensor "${name}": external data offset ${facts.external.offset} / length ${facts.external.length} is not a valid slice`, id);
    } else if (facts.raw && facts.dtype && facts.byteLength !== Math.ceil(facts.elements * bytesPer(facts.dtype)) && facts.dtype !== 'string') {
      this.report('error', 'tensor-size', `tensor "${name}" declares ${facts.dims.join('×') || 'a scalar'} ${facts.dtype} (${Math.ceil(facts.elements * bytesPer(facts.dtype))} bytes) but holds ${facts.byteLength} bytes`, id);
    }
    this.constants[name] = {
      name,
      dtype: facts.dtype ?? 'float32',
      shape: facts.dims,
      byteLength: facts.dtype ? facts.byteLength : 0,
      values: facts.values,
      location: facts.external ? { file: facts.external.file, offset: facts.external.offset, length: facts.byteLength } : facts.raw ? { offset: facts.raw.byteOffset - this.source.bytes().byteOffset, length: facts.raw.byteLength } : undefined,
    };
    this.declared.set(name, { shape: facts.dims, dtype: facts.dtype });
    this.nodes.push({ id, layer: nodeName || name, op: 'Constant', sourceClass: producer ?? 'initializer', attrs: {}, inputs: [], tensor: name, outputNames: [name] });
    this.producers.set(name, { node: id, index: 0 });
  }

  /** Gives the node its id and registers what it produces; Constant nodes become graph constants right away (no id returned). */
  private claimOutputs(n: NodeMessage): string | undefined {
    const outputs = n.output ?? [];
    const name = n.name || outputs[0] || n.opType || 'node';
    if (n.opType === 'Constant' && (n.domain ?? '') === '' && outputs[0]) {
      this.readConstantNode(n, name, Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)])));
      return undefined;
    }
    const id = this.uniqueId(name);
    outputs.forEach((o, index) => o && this.producers.set(o, { node: id, index }));
    return id;
  }

  /**
   * Wrappers over a stored weight dissolve into it, so consumers read the constant itself and its
   * parameters are counted where they are used, at their stored size: PyTorch's exporter writes
   * `Identity(weight)` where two modules share a tensor, and quantised (QDQ) models feed
   * `DequantizeLinear(int8 weight, scale, zero point)` to each Conv and Gemm (the scale and zero
   * point are quantisation metadata, not parameters). Returns the positions of the nodes dissolved.
   */
  private aliasConstantIdentities(nodes: readonly NodeMessage[], ids: readonly (string | undefined)[]): Set<number> {
    const aliased = new Set<number>();
    const wraps = (n: NodeMessage) => (n.domain ?? '') === '' && (n.opType === 'Identity' || (n.opType === 'DequantizeLinear' && (n.input ?? []).slice(1).every((x) => !x || x in this.constants)));
    for (let changed = true; changed; ) {
      changed = false;
      nodes.forEach((n, i) => {
        const input = n.input?.[0];
        if (aliased.has(i) || !ids[i] || !wraps(n) || !input || !(input in this.constants) || !n.output?.[0]) return;
        this.producers.set(n.output[0], this.producers.get(input)!);
        this.constants[n.output[0]] = this.constants[input];
        this.declared.set(n.output[0], this.declared.get(input)!);
        aliased.add(i);
        changed = true;
      });
    }
    return aliased;
  }

  private readNode(n: NodeMessage, id: string): void {
    const opType = n.opType ?? '';
    const domain = n.domain === 'ai.onnx' ? '' : n.domain ?? '';
    const outputs = n.output ?? [];
    const name = n.name || outputs[0] || opType;
    const attrs = Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)]));
    const inputNames = n.input ?? [];
    const views = inputNames.map((input): OnnxInputView | null => {
      if (!input) return null;
      const declared = this.declared.get(input);
      const constant = this.constants[input];
      return { name: input, shape: declared?.shape, dtype: declared?.dtype, constant: !!constant, values: constant?.values };
    });
    const view: OnnxNodeView = { opType, domain, opset: this.opsets.get(domain) ?? this.opset, attrs, inputs: views, outputs: outputs.length };
    const refs = inputNames.map((input) => (input ? this.producers.get(input) ?? this.missing(input, id, opType) : undefined));
    const mapped = mapOnnxNode(view);
    const sourceClass = domain ? `${domain}.${opType}` : opType;
    const declaredShapes = outputs.map((o) => this.declared.get(o)?.shape);
    let node: IRNode;
    if ('unknown' in mapped) {
      this.report('warning', 'unknown-op', `${mapped.unknown}; shown as an opaque node${declaredShapes.some((s) => s) ? ' with the output shapes the file declares' : ', and shapes after it are unknown'}`, id);
      node = { id, layer: name, op: 'Unknown', sourceClass, attrs: attrs as Attrs, sourceAttrs: attrs as Attrs, inputs: refs.filter((r): r is TensorRef => !!r), outputNames: outputs, declaredShapes };
    } else {
      const op = getOp(mapped.op)!;
      const { values, error } = normaliseAttrs(op.attrs, mapped.attrs);
      if (error) this.report('error', 'attribute', error, id);
      const positions = mapped.inputs ?? refs.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
      node = { id, layer: name, op: error ? 'Unknown' : mapped.op, sourceClass, attrs: error ? (attrs as Attrs) : values, sourceAttrs: attrs as Attrs, inputs: positions.map((i) => refs[i]).filter((r): r is TensorRef => !!r), outputNames: outputs, declaredShapes };
    }
    this.nodes.push(node);
  }

  /** A Constant node's value is a graph tensor like an initializer (paddle2onnx stores weights so). */
  private readConstantNode(n: NodeMessage, name: string, attrs: Record<string, AttrValue | OnnxTensorAttr>): void {
    const output = n.output![0];
    const value = (n.attribute ?? []).find((a) => a.name === 'value')?.t;
    if (value) return this.addConstant(output, value, name, 'Constant');
    const scalar = Object.entries(attrs).find(([k]) => k.startsWith('value_'));
    if (!scalar) {
      this.report('error', 'attribute', `Constant node "${name}" has no value attribute`, name);
      return;
    }
    const [kind, v] = scalar;
    const list = Array.isArray(v) ? (v as number[]) : [v as number];
    const dtype = kind.startsWith('value_float') ? 1 : kind.startsWith('value_int') ? 7 : 8;
    const shape = Array.isArray(v) ? [list.length] : [];
    this.addConstant(output, { dims: shape, dataType: dtype, floatData: dtype === 1 ? list : undefined, int64Data: dtype === 7 ? list : undefined }, name, 'Constant');
  }

  private missing(input: string, id: string, opType: string): TensorRef {
    this.report('error', 'missing-input', `input "${input}" of ${opType} node "${id}" is produced by no node, initializer or graph input`, id);
    return { node: `\u0000missing:${input}`, index: 0 };
  }

  private uniqueId(name: string): string {
    return this.ids.take(name);
  }

  private report(severity: Diagnostic['severity'], code: string, message: string, node?: string): void {
    this.problems.add({ severity, code, message: `${this.source.name}: ${node ? `${node}: ` : ''}${message}`, node });
  }
}

const bytesPer = (dtype: DType): number => DTYPE_BYTES[dtype];

/** A dimension the file sets (0 included: zero-size tensors exist), else unknown (a symbolic or unset one). */
const dimOf = (d: { dimValue?: Int64; dimParam?: string }): number | null =>
  Object.prototype.hasOwnProperty.call(d, 'dimValue') && !d.dimParam && num(d.dimValue) >= 0 ? num(d.dimValue) : null;

/** An attribute's value: by its declared type, or (old files leave `type` unset) by the field that is set. */
function attributeValue(a: AttributeMessage): AttrValue | OnnxTensorAttr {
  const tensor = (t: TensorMessage): OnnxTensorAttr => {
    const f = tensorFacts(t);
    return { tensor: { dtype: f.dtype ?? 'float32', dims: f.dims, values: f.values } };
  };
  switch (a.type) {
    case 1: return a.f ?? 0;
    case 2: return num(a.i);
    case 3: return utf8.decode(a.s ?? new Uint8Array());
    case 4: return a.t ? tensor(a.t) : null;
    case 6: return [...(a.floats ?? [])];
    case 7: return (a.ints ?? []).map(num);
    case 8: return (a.strings ?? []).map((s) => utf8.decode(s));
    case 5: case 10: return '(subgraph)';
    default:
      if (a.ints?.length) return a.ints.map(num);
      if (a.floats?.length) return [...a.floats];
      if (a.strings?.length) return a.strings.map((s) => utf8.decode(s));
      if (a.t) return tensor(a.t);
      if (a.s?.length) return utf8.decode(a.s);
      if (a.i !== undefined && num(a.i) !== 0) return num(a.i);
      return a.f ?? num(a.i);
  }
}
