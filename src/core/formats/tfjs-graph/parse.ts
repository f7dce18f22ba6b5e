import { DTYPE_BYTES, type AttrValue, type Attrs, type DType, type Diagnostic, type Graph, type IRNode, type IRTensor, type TensorRef } from '../../ir';
import { getOp } from '../../ops';
import { normaliseAttrs } from '../../ops/attrs';
import { nameScopeGroups } from '../onnx/name-scopes';
import { baseName, siblingNameProblem, type ModelSource } from '../source';
import { sortTopologically } from '../topology';
import { AttrDecodeError, decodeAttr, shapeDims, tfDType } from './attr-values';
import { manifestGroups, manifestLayout, type ManifestEntry, type ManifestGroup } from './manifest';
import type { TfInputView } from './node-view';
import { mapTfNode } from './ops-map';

// Reads a TF.js graph model (model.json with `"format": "graph-model"`: a GraphDef's nodes in
// `modelTopology.node`, its constants' bytes in the shards `weightsManifest` lists) into the IR.
// Const nodes become graph constants, measured from the manifest as stored (a uint8-quantised
// kernel counts its uint8 bytes), Placeholders the inputs, every other node maps onto the op table
// (ops-map.ts) or stays opaque with a diagnostic. Names are kept whole; their scopes
// (`MobilenetV1/Conv2d_0/...`) become the hierarchy. The values of small constants (a Reshape's
// shape, a Pad's paddings) live in the shards too: the parse takes them when the host read them
// (`constants.ts`), and leaves those operands as static inputs when not.

interface NodeJson {
  name?: unknown;
  op?: unknown;
  input?: unknown;
  attr?: Record<string, unknown>;
}

interface SignatureEntry {
  name?: string;
}

interface GraphModelJson {
  format?: string;
  modelTopology?: { node?: unknown };
  weightsManifest?: unknown;
  signature?: { inputs?: Record<string, SignatureEntry>; outputs?: Record<string, SignatureEntry> };
}

/** Content first: the converter writes `"format": "graph-model"` first; older files have only a `modelTopology` holding `node`. */
export function looksLikeTfjsGraph(text: string): boolean {
  const head = text.slice(0, 4096);
  if (/"format"\s*:\s*"graph-model"/.test(head)) return true;
  if (/"format"\s*:\s*"layers-model"/.test(head) || !/"modelTopology"\s*:\s*\{\s*"node"\s*:\s*\[/.test(text)) return false;
  return true;
}

/** `name`, `name:1` → the node and output index; `^name` (a control dependency) → undefined. */
export function tensorName(input: string): { node: string; index: number } | undefined {
  if (input.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(input);
  return m ? { node: m[1], index: Number(m[2]) } : { node: input, index: 0 };
}

/** Values of small constants read from the shards, by Const name (constants.ts). */
export type ConstantValues = ReadonlyMap<string, readonly number[]>;

export function parseTfjsGraph(source: ModelSource, values: ConstantValues = new Map()): Graph {
  // The converter always writes model.json: the folder it is in names the model.
  const file = baseName(source.name).replace(/\.json$/i, '');
  const folder = /[\\/]/.test(source.name) ? baseName(source.name.replace(/[\\/][^\\/]*$/, '')) : '';
  const name = file === 'model' && folder ? folder : file;
  const fail = (message: string): Graph => ({ name, format: 'tfjs-graph', nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [{ severity: 'error', code: 'tfjs-graph', message: `${source.name}: ${message}` }] });
  let json: GraphModelJson;
  try {
    json = JSON.parse(source.text());
  } catch (e) {
    return fail(`not valid JSON: ${(e as Error).message}`);
  }
  const nodes = json?.modelTopology?.node;
  if (!Array.isArray(nodes)) return fail('modelTopology has no "node" list: not a TF.js graph model');
  const groups = manifestGroups(json);
  if (typeof groups === 'string') return fail(groups);
  return new GraphReader(source, name, json, nodes as NodeJson[], groups ?? [], values).read();
}

class GraphReader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: IRNode[] = [];
  /** Null-prototype: names come from the file, and `__proto__` or `constructor` must be names like any other. */
  private readonly constants: Record<string, IRTensor> = Object.create(null);
  /** GraphDef node name → the IR node that produces its outputs. */
  private readonly producers = new Map<string, string>();
  private readonly ids = new Set<string>();
  private readonly entries: Map<string, ManifestEntry>;

  constructor(
    private readonly source: ModelSource,
    private readonly name: string,
    private readonly json: GraphModelJson,
    private readonly raw: readonly NodeJson[],
    private readonly groups: readonly ManifestGroup[],
    private readonly values: ConstantValues,
  ) {
    const layout = manifestLayout(groups);
    this.entries = layout.entries;
    for (const p of layout.problems) this.report('error', 'weights-manifest', p);
    groups.forEach((g) => g.paths.forEach((p) => {
      const problem = siblingNameProblem(p);
      if (problem) this.report('error', 'weights-manifest', `weight shard "${p}" cannot be read: ${problem}`);
    }));
  }

  read(): Graph {
    const parsed = this.raw.map((n, i) => this.readNodeJson(n, i)).filter((n): n is ParsedNode => !!n);
    const byName = new Map(parsed.map((n) => [n.name, n]));
    const inputs: string[] = [];
    const consumed = new Set<string>();
    for (const n of parsed) for (const input of n.inputs) consumed.add(tensorName(input)?.node ?? '');
    // Constants and inputs first; then Identity over a Const dissolves into it (the converter writes such aliases for weights).
    for (const n of parsed) {
      if (n.op === 'Const') this.addConstant(n);
      else if (n.op === 'Placeholder' || n.op === 'PlaceholderWithDefault') inputs.push(this.addInput(n));
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const n of parsed) {
        const from = n.op === 'Identity' && n.inputs.length >= 1 ? tensorName(n.inputs[0]) : undefined;
        if (!from || this.producers.has(n.name) || !(from.node in this.constants)) continue;
        this.producers.set(n.name, this.producers.get(from.node)!);
        this.constants[n.name] = this.constants[from.node];
        changed = true;
      }
    }
    const rest = parsed.filter((n) => !this.producers.has(n.name));
    for (const n of rest) this.producers.set(n.name, this.uniqueId(n.name));
    for (const n of rest) this.readNode(n, byName);

    const outputs = this.outputs(parsed, consumed);
    const sorted = sortTopologically(this.nodes);
    for (const cycle of sorted.cycles) this.report('error', 'cycle', `nodes form a cycle: ${cycle.join(' → ')} → ${cycle[0]}; a network must be acyclic`, cycle[0]);
    const { groups, groupOf } = nameScopeGroups(sorted.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input').map((n) => n.id));
    return {
      name: this.name,
      format: 'tfjs-graph',
      nodes: sorted.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id) } : n)),
      inputs,
      outputs,
      groups,
      diagnostics: this.diagnostics,
      weights: this.groups.flatMap((g) => g.weights),
      constants: this.constants,
    };
  }

  private readNodeJson(n: NodeJson, i: number): ParsedNode | undefined {
    if (!n || typeof n !== 'object' || typeof n.name !== 'string' || n.name === '' || typeof n.op !== 'string') {
      this.report('error', 'node', `node ${i} of modelTopology has no name or op (${JSON.stringify(n).slice(0, 80)})`);
      return undefined;
    }
    const inputs = Array.isArray(n.input) ? n.input.filter((x): x is string => typeof x === 'string') : [];
    const attrs: Record<string, AttrValue> = Object.create(null); // keys come from the file
    let problem: string | undefined;
    for (const [key, value] of Object.entries(n.attr ?? {})) {
      try {
        attrs[key] = decodeAttr(key, value);
      } catch (e) {
        if (!(e instanceof AttrDecodeError)) throw e;
        problem ??= e.message;
      }
    }
    if (problem) this.report('error', 'attribute', `${n.op} node: ${problem}`, n.name);
    return { name: n.name, op: n.op, inputs, attrs, raw: n, broken: !!problem };
  }

  /** A Const: a graph tensor measured from its manifest entry (stored dtype and bytes), and the 'Constant' node standing for it. */
  private addConstant(n: ParsedNode): void {
    const id = this.uniqueId(n.name);
    const entry = this.entries.get(n.name);
    const value = n.attrs.value as { dtype?: string; shape?: number[] | null } | undefined;
    // The manifest's dtype names (float32, int32, bool) are the IR's own.
    const dtype = tfDType(value?.dtype ?? n.attrs.dtype) ?? (entry?.spec.dtype as DType | undefined) ?? 'float32';
    const shape = entry?.spec.shape ?? value?.shape ?? [];
    if (!entry) this.report('error', 'weights-manifest', `Const node has no entry in weightsManifest, so its values are not in the shards`, id);
    else if (value?.shape && (value.shape.length !== entry.spec.shape.length || value.shape.some((d, i) => d !== entry.spec.shape[i]))) {
      this.report('error', 'weights-manifest', `Const node declares shape [${value.shape.join(', ')}] but weightsManifest stores [${entry.spec.shape.join(', ')}]`, id);
    }
    const stored = entry?.stored ?? dtype;
    const group = entry ? this.groups[entry.group] : undefined;
    this.constants[n.name] = {
      name: n.name,
      dtype: stored,
      shape,
      byteLength: entry?.byteLength ?? shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[stored],
      values: this.values.get(n.name),
      location: entry && group ? { file: group.paths[0], offset: entry.offset, length: entry.byteLength } : undefined,
    };
    this.nodes.push({ id, layer: n.name, op: 'Constant', sourceClass: entry?.spec.quantization ? `Const (${entry.spec.quantization.dtype}-quantised ${entry.spec.dtype})` : 'Const', attrs: {}, inputs: [], tensor: n.name });
    this.producers.set(n.name, id);
  }

  private addInput(n: ParsedNode): string {
    const id = this.uniqueId(n.name);
    const shape = n.attrs.shape as number[] | null | undefined;
    const signature = Object.values(this.json.signature?.inputs ?? {}).find((s) => tensorName(s.name ?? '')?.node === n.name) as { tensorShape?: Parameters<typeof shapeDims>[0] } | undefined;
    let dims = shape ?? null;
    if (!dims && signature?.tensorShape) {
      try {
        dims = shapeDims(signature.tensorShape, 'signature input');
      } catch {
        dims = null;
      }
    }
    this.nodes.push({ id, layer: n.name, op: 'Input', sourceClass: n.op, attrs: { batchShape: dims ? dims.map((d) => (d < 0 ? null : d)) : null }, sourceAttrs: n.attrs, inputs: [] });
    this.producers.set(n.name, id);
    return id;
  }

  private readNode(n: ParsedNode, byName: ReadonlyMap<string, ParsedNode>): void {
    const id = this.producers.get(n.name)!;
    // A TF1 while loop feeds its Merge back from NextIteration: the loop's back edge, left out so the graph stays acyclic (the loop's nodes are opaque).
    const backEdge = (r: { node: string }) => (n.op === 'Merge' || n.op === 'RefMerge') && byName.get(r.node)?.op === 'NextIteration';
    const data = n.inputs.map(tensorName).filter((r): r is { node: string; index: number } => !!r && !backEdge(r));
    const refs = data.map((r) => this.ref(r, id, n.op, byName));
    const views: TfInputView[] = data.map((r) => {
      const constant = r.index === 0 ? this.constants[r.node] : undefined;
      return { name: r.node, constant: !!constant, shape: constant?.shape, values: constant?.values };
    });
    const mapped = n.broken ? { unknown: 'an attribute could not be decoded' } : mapTfNode({ op: n.op, name: n.name, attrs: n.attrs, inputs: views });
    if ('unknown' in mapped) {
      if (!n.broken) this.report('warning', 'unknown-op', `${mapped.unknown}; shown as an opaque node, and shapes after it are unknown`, id);
      const outputs = this.outputCount(n.name);
      this.nodes.push({ id, layer: n.name, op: 'Unknown', sourceClass: n.op, attrs: n.attrs as Attrs, sourceAttrs: n.attrs as Attrs, inputs: refs, outputNames: outputs > 1 ? Array.from({ length: outputs }, (_, k) => (k ? `${n.name}:${k}` : n.name)) : undefined });
      return;
    }
    let previous: TensorRef | undefined;
    mapped.chain.forEach((link, k) => {
      const last = k === mapped.chain.length - 1;
      const linkId = last ? id : this.uniqueId(`${n.name}/${link.op}`);
      const op = getOp(link.op)!;
      const { values, error } = normaliseAttrs(op.attrs, link.attrs);
      if (error) this.report('error', 'attribute', `${n.op} node as ${link.op}: ${error}`, linkId);
      const picked = (link.inputs ?? refs.map((_, i) => i)).map((i) => refs[i]).filter((r): r is TensorRef => !!r);
      const inputs = previous ? [previous, ...picked] : picked;
      this.nodes.push({ id: linkId, layer: n.name, op: error ? 'Unknown' : link.op, sourceClass: n.op, attrs: error ? (n.attrs as Attrs) : values, sourceAttrs: n.attrs as Attrs, inputs });
      previous = { node: linkId, index: 0 };
    });
  }

  /** How many outputs of each node the graph reads (an opaque node names that many), counted once. */
  private outputCounts?: Map<string, number>;
  private outputCount(name: string): number {
    if (!this.outputCounts) {
      this.outputCounts = new Map();
      for (const n of this.raw) for (const input of Array.isArray(n?.input) ? (n.input as unknown[]) : []) {
        const r = typeof input === 'string' ? tensorName(input) : undefined;
        if (r) this.outputCounts.set(r.node, Math.max(this.outputCounts.get(r.node) ?? 1, r.index + 1));
      }
    }
    return this.outputCounts.get(name) ?? 1;
  }

  private ref(r: { node: string; index: number }, id: string, op: string, byName: ReadonlyMap<string, ParsedNode>): TensorRef {
    const producer = this.producers.get(r.node);
    if (producer) return { node: producer, index: r.index };
    this.report('error', 'missing-input', `input "${r.node}${r.index ? `:${r.index}` : ''}" of ${op} node is ${byName.has(r.node) ? 'a node that could not be read' : 'produced by no node of the graph'}`, id);
    return { node: `\u0000missing:${r.node}`, index: 0 };
  }

  /** The signature's outputs, else (older files) the nodes nothing reads. */
  private outputs(parsed: readonly ParsedNode[], consumed: ReadonlySet<string>): TensorRef[] {
    const named = Object.values(this.json.signature?.outputs ?? {}).map((s) => tensorName(s.name ?? '')).filter((r): r is { node: string; index: number } => !!r && r.node !== '');
    const refs = named.length ? named : parsed.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp').map((n) => ({ node: n.name, index: 0 }));
    return refs.flatMap((r) => {
      const producer = this.producers.get(r.node);
      if (!producer) {
        this.report('error', 'missing-input', `graph output "${r.node}" is produced by no node`);
        return [];
      }
      return [{ node: producer, index: r.index }];
    });
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

interface ParsedNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly raw: NodeJson;
  /** An attribute could not be decoded: the node stays opaque (its diagnostic says why). */
  readonly broken: boolean;
}
