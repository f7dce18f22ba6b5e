import { DTYPE_BYTES, type Attrs, type Diagnostic, type Graph, type IRGroup, type IRNode, type IRTensor, type TensorRef } from '../../ir';
import { getOp } from '../../ops';
import { normaliseAttrs } from '../../ops/attrs';
import { nameScopeGroups } from '../onnx/name-scopes';
import { baseName, type ModelSource } from '../source';
import { sortTopologically } from '../topology';
import { mapTfliteOperator, type TfliteInputView } from './ops-map';
import { describeTensor, dequantize, readableDType } from './quantization';
import { readTflite, TfliteReadError, type TfliteModel, type TfliteSubgraph, type TfliteTensor } from './read';

// A .tflite model (its first subgraph, the one TFLite runs) as the IR. Tensors holding data become
// graph constants measured in the file (weights stay there: the graph is drawn without copying
// them); every operator maps onto the op table (ops-map.ts) or stays opaque with a diagnostic and
// the output shapes the file declares. A DEQUANTIZE over a stored weight (float16 and int8 models)
// dissolves into that weight, so it is counted once, at its stored size, where it is used.

export const TFLITE_FORMAT = 'tflite';

/** What the inputs of the weighted operators are, for the inspector's rows. */
const INPUT_ROLES: Readonly<Record<string, readonly string[]>> = {
  CONV_2D: ['input', 'filter', 'bias'],
  DEPTHWISE_CONV_2D: ['input', 'filter', 'bias'],
  FULLY_CONNECTED: ['input', 'weights', 'bias'],
  TRANSPOSE_CONV: ['output shape', 'filter', 'input', 'bias'],
};

/** Constant integer tensors up to this many elements have their values read (shapes, axes, paddings). */
const MAX_FOLDED_VALUES = 64;

export function parseTflite(source: ModelSource): Graph {
  const name = baseName(source.name).replace(/\.tflite$/i, '');
  const fail = (message: string): Graph => ({ name, format: TFLITE_FORMAT, nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [{ severity: 'error', code: 'tflite', message: `${source.name}: ${message}` }] });
  let model: TfliteModel;
  try {
    model = readTflite(source.bytes());
  } catch (e) {
    if (e instanceof TfliteReadError) return fail(e.message);
    return fail(`not a readable TFLite FlatBuffer: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new TfliteReader(source, model, name).read();
}

class TfliteReader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: IRNode[] = [];
  private readonly constants: Record<string, IRTensor> = {};
  /** Tensor index → the IR output that produces it. */
  private readonly producers = new Map<number, TensorRef>();
  /** Tensor index → the stored tensor it stands for (itself, or the weight a DEQUANTIZE reads). */
  private readonly storedAs = new Map<number, TfliteTensor>();
  private readonly ids = new Set<string>();
  private readonly graph: TfliteSubgraph;

  constructor(private readonly source: ModelSource, private readonly model: TfliteModel, private readonly name: string) {
    this.graph = model.subgraphs[0];
  }

  read(): Graph {
    const g = this.graph;
    if (this.model.subgraphs.length > 1) this.report('info', 'subgraphs', `the model has ${this.model.subgraphs.length} subgraphs; CNN Lens draws the first ("${g.name || 'main'}"), which TFLite runs (the others are the bodies of control flow or other signatures)`);
    for (const t of g.tensors) this.checkTensor(t);
    const inputs: string[] = [];
    const symbolicDims: Record<string, (string | null)[]> = {};
    for (const index of g.inputs) {
      const t = g.tensors[index];
      const id = this.uniqueId(t.name);
      const shape = t.signature ?? t.shape;
      this.nodes.push({ id, layer: t.name, op: 'Input', sourceClass: 'subgraph input', attrs: { batchShape: shape.map((d) => (d < 0 ? null : d)) }, sourceAttrs: { tensor: describeTensor(t) }, inputs: [], outputNames: [t.name] });
      if (shape.some((d) => d < 0)) symbolicDims[id] = shape.map(() => null);
      this.producers.set(index, { node: id, index: 0 });
      inputs.push(id);
    }
    for (const op of g.operators) op.outputs.forEach((t, i) => t >= 0 && this.producers.set(t, { node: this.claimId(op.index), index: i }));
    for (const op of g.operators) this.readOperator(op.index);
    const outputs = g.outputs.map((t) => this.producers.get(t) ?? this.constantRef(t)).filter((r): r is TensorRef => !!r);
    const sorted = sortTopologically(this.nodes);
    for (const cycle of sorted.cycles) this.report('error', 'cycle', `operators form a cycle: ${cycle.join(' → ')} → ${cycle[0]}`, cycle[0]);
    const { groups, groupOf } = nameScopeGroups(sorted.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input').map((n) => n.id));
    return {
      name: this.name,
      format: TFLITE_FORMAT,
      nodes: sorted.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id) } : n)),
      inputs,
      outputs,
      groups: groups as IRGroup[],
      diagnostics: this.diagnostics,
      constants: this.constants,
      symbolicDims: Object.keys(symbolicDims).length ? symbolicDims : undefined,
    };
  }

  /** Operator ids: the first name of its first output (TFLite joins fused ops' names with ';'), kept unique. */
  private readonly opIds = new Map<number, string>();
  private claimId(index: number): string {
    let id = this.opIds.get(index);
    if (!id) {
      const op = this.graph.operators[index];
      const out = op.outputs[0] >= 0 ? this.graph.tensors[op.outputs[0]].name : '';
      id = this.uniqueId(out.split(';')[0] || `${op.custom ?? op.builtin} ${index}`);
      this.opIds.set(index, id);
    }
    return id;
  }

  /** Tensors whose data is reported unreadable already (their readers need not say so again). */
  private readonly unreadable = new Set<number>();

  /** Buffer bounds and sizes: a tensor's data must be where the file says and as large as its shape and type. */
  private checkTensor(t: TfliteTensor): void {
    if (t.externalBuffer) {
      // Schema 3d: immutable data in files next to the model, which CNN Lens does not read yet.
      this.unreadable.add(t.index);
      this.report('error', 'tflite-external', `tensor ${t.index} ("${t.name}") keeps its data in external buffer ${t.externalBuffer}, a file next to the model, which CNN Lens does not read yet`);
      return;
    }
    if (t.buffer >= this.model.buffers.length) {
      this.report('error', 'tflite-buffer', `tensor ${t.index} ("${t.name}") names buffer ${t.buffer}, but the model has ${this.model.buffers.length}`);
      return;
    }
    const b = this.model.buffers[t.buffer];
    if (b.problem) {
      this.unreadable.add(t.index);
      this.report('error', 'tflite-buffer', `tensor ${t.index} ("${t.name}"): ${b.problem}`);
      return;
    }
    if (!b.length || !t.dtype || t.dtype === 'string') return;
    if (t.sparse) {
      this.storedAs.set(t.index, t); // stored bytes are the non-zero blocks: counted as stored, sized by the shape
      return;
    }
    const expected = Math.ceil(t.shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[t.dtype]);
    if (t.shape.some((d) => d < 0) || expected !== b.length) {
      this.unreadable.add(t.index);
      this.report('error', 'tensor-size', `tensor ${t.index} ("${t.name}") declares shape [${t.shape.join(', ')}] of ${t.typeName} (${expected} bytes), but its buffer ${t.buffer} holds ${b.length} bytes`);
    } else this.storedAs.set(t.index, t);
  }

  /** The stored tensor behind a tensor index (a weight, or what a dissolved DEQUANTIZE reads), if it has data. */
  private stored(index: number): TfliteTensor | undefined {
    return this.storedAs.get(index);
  }

  /** The Constant node standing for a stored tensor, made on first use. */
  private constantRef(index: number): TensorRef | undefined {
    const t = this.stored(index);
    if (!t) return undefined;
    const known = this.producers.get(t.index);
    if (known) return known;
    const b = this.model.buffers[t.buffer];
    const id = this.uniqueId(t.name);
    const small = t.shape.reduce((p, d) => p * d, 1) <= MAX_FOLDED_VALUES && readableDType(t.dtype) && t.dtype !== 'float16';
    // Keyed by the node's id: TFLite does not promise unique tensor names.
    this.constants[id] = {
      name: t.name,
      dtype: t.dtype!,
      shape: t.shape,
      byteLength: b.length,
      values: small ? Array.from(dequantize({ ...t, quantization: undefined }, this.source.bytes().subarray(b.offset, b.offset + b.length))) : undefined,
      location: { offset: b.offset, length: b.length },
    };
    this.nodes.push({ id, layer: t.name, op: 'Constant', sourceClass: `${t.typeName.toLowerCase()} buffer`, attrs: {}, sourceAttrs: { tensor: describeTensor(t) }, inputs: [], tensor: id, outputNames: [t.name] });
    const ref = { node: id, index: 0 };
    this.producers.set(t.index, ref);
    return ref;
  }

  private readOperator(index: number): void {
    const op = this.graph.operators[index];
    const id = this.claimId(index);
    const tensors = this.graph.tensors;
    // A DEQUANTIZE of a stored weight (float16 or int8 kept for size): its consumers read the weight itself.
    if (op.builtin === 'DEQUANTIZE' && op.inputs.length === 1 && this.stored(op.inputs[0]) && op.outputs[0] >= 0) {
      this.storedAs.set(op.outputs[0], this.stored(op.inputs[0])!);
      this.producers.delete(op.outputs[0]);
      return;
    }
    const views = op.inputs.map((t): TfliteInputView | null => {
      if (t < 0) return null;
      const stored = this.stored(t);
      const ref = stored ? this.constantRef(t) : undefined;
      return { tensor: stored ?? tensors[t], constant: !!stored, values: ref ? this.constants[ref.node]?.values : undefined };
    });
    const outputs = op.outputs.filter((t) => t >= 0).map((t) => tensors[t]);
    const mapped = mapTfliteOperator({ op, inputs: views, outputs });
    const refs = op.inputs.map((t) => (t < 0 ? undefined : this.producers.get(t) ?? this.constantRef(t) ?? this.missing(t, id, op.custom ?? op.builtin)));
    const roles = INPUT_ROLES[op.builtin];
    const described: Record<string, string> = {};
    op.inputs.forEach((t, i) => t >= 0 && (described[`input ${i}${roles?.[i] ? ` (${roles[i]})` : ''}`] = describeTensor(this.stored(t) ?? tensors[t])));
    outputs.forEach((t, i) => (described[`output ${i}`] = describeTensor(t)));
    // One row per tensor in the inspector: its name, stored type, shape and quantisation.
    const sourceAttrs: Attrs = { ...op.options, ...(op.version > 1 ? { version: op.version } : {}), ...described };
    const sourceClass = op.custom ?? op.builtin;
    const declaredShapes = outputs.map((t) => (t.signature ?? t.shape).map((d) => (d < 0 ? null : d)));
    const base = { id, layer: outputs[0]?.name ?? id, sourceClass, sourceAttrs, outputNames: outputs.map((t) => t.name), declaredShapes };
    if ('unknown' in mapped) {
      this.report('warning', 'unknown-op', `${mapped.unknown}; shown as an opaque node with the output shapes the file declares`, id);
      this.nodes.push({ ...base, op: 'Unknown', attrs: op.options, inputs: refs.filter((r): r is TensorRef => !!r) });
      return;
    }
    if (mapped.warning) this.report('warning', 'tflite-semantics', mapped.warning, id);
    const { values, error } = normaliseAttrs(getOp(mapped.op)!.attrs, mapped.attrs);
    if (error) this.report('error', 'attribute', error, id);
    this.nodes.push({ ...base, op: error ? 'Unknown' : mapped.op, attrs: error ? op.options : values, inputs: mapped.inputs.map((i) => refs[i]).filter((r): r is TensorRef => !!r) });
  }

  private missing(t: number, id: string, what: string): TensorRef {
    const tensor = this.graph.tensors[t];
    if (!this.unreadable.has(t)) this.report('error', 'missing-input', `${what} reads tensor ${t} ("${tensor.name}"), which no operator produces, which is not a subgraph input and which holds no data`, id);
    return { node: `\u0000missing:${t}`, index: 0 };
  }

  private uniqueId(name: string): string {
    let id = name;
    for (let k = 2; this.ids.has(id); k++) id = `${name}@${k}`;
    this.ids.add(id);
    return id;
  }

  private report(severity: Diagnostic['severity'], code: string, message: string, node?: string): void {
    this.diagnostics.push({ severity, code, message: `${this.source.name}: ${node ? `${node}: ` : ''}${message}`, node });
  }
}
