import type { AttrValue, Attrs, Diagnostic, Graph, IRGroup, IRNode, InitializerSpec, SourceRange, TensorRef, TensorShape, WeightSpec } from '../../ir';
import { AttrError } from '../../ops/attrs';
import { getOp } from '../../ops';
import { items, parseJson, prop, rangeOf, str, valueOf, type JsonNode } from './json-tree';
import { declaredInitializers } from './initializers';
import { CLASS_ALIASES, configKeys, KERAS_KINDS, MODEL_CLASSES } from './names';
import { cycleText, moreCyclesText, sortTopologically } from '../topology';
import { MAX_EXPANDED_LAYERS, MAX_GRAPH_NODES } from '../limits';
import { BoundedDiagnostics, UniqueIds } from '../bounded';

// Keras and TF.js layers models, in every JSON form they are saved in:
//   Keras 2  `model.to_json()`           {class_name, config:{layers:[…inbound_nodes: [[[name, i, t, {}]]]]}}
//   Keras 3  `config.json` of a .keras   {module, class_name, config:{layers:[…inbound_nodes:[{args, kwargs}]]}}
//   TF.js    `model.json`                 {modelTopology: <Keras 2 JSON> | {model_config}, weightsManifest}
// Sequential and Functional, multiple inputs and outputs, nested models (expanded as a group,
// one copy per call) and shared layers (one node per call; the first call owns the weights).

interface MutableNode {
  id: string;
  layer: string;
  op: string;
  sourceClass: string;
  attrs: Attrs;
  inputs: TensorRef[];
  group?: string;
  sharesWeightsWith?: string;
  range?: SourceRange;
  nameRange?: SourceRange;
  initializers?: Readonly<Record<string, InitializerSpec>>;
}

/** A reference as the file writes it: the `tensor`-th output of call `call` of layer `layer`. */
interface RawRef {
  layer: string;
  call: number;
  tensor: number;
  range?: SourceRange;
}

interface Scope {
  /** Prefix for node ids inside a nested model call, e.g. 'features/'. */
  prefix: string;
  group?: string;
  /** For a nested call: the outer tensors that feed the inner model's inputs, in order. */
  feeds?: readonly TensorRef[];
}

class KerasReader {
  readonly nodes: MutableNode[] = [];
  readonly groups: IRGroup[] = [];
  readonly problems = new BoundedDiagnostics();
  /** Inner input nodes of nested calls stand for outer tensors: id → the tensor it stands for. */
  private readonly aliases = new Map<string, TensorRef>();
  private readonly ids = new UniqueIds('~');
  /** Keras 3's `build_config.input_shape` of single-input layers, by node id: what an opaque layer before them outputs. */
  readonly buildInputShapes = new Map<string, TensorShape>();
  /** Inner input nodes that stand for outer tensors (see bindToFeed). */
  readonly fed = new Set<string>();
  /** Layers created, nested expansions included: a few KB of nesting can ask for 2^depth (checked against MAX_EXPANDED_LAYERS). */
  private expanded = 0;
  private expansionRefused = false;
  private tooManyLayers = false;

  /** Reads one model object; returns its input node ids (or aliases) and output tensors. */
  readModel(model: JsonNode, scope: Scope): { inputs: string[]; outputs: TensorRef[] } {
    const className = str(prop(model, 'class_name'));
    const config = prop(model, 'config');
    // Very old Keras wrote a Sequential config as the bare list of layers.
    const layerList = config?.type === 'array' ? config : prop(config, 'layers');
    if (!layerList) {
      this.report('error', 'model', `the ${className ?? 'model'} has no "layers" list in its config`, undefined, rangeOf(model));
      return { inputs: [], outputs: [] };
    }
    return className === 'Sequential' ? this.readSequential(model, items(layerList), scope) : this.readFunctional(config!, items(layerList), scope);
  }

  private readSequential(model: JsonNode, layers: readonly JsonNode[], scope: Scope): { inputs: string[]; outputs: TensorRef[] } {
    const inputs: string[] = [];
    let previous: TensorRef | undefined;
    const first = layers[0];
    const firstIsInput = first && str(prop(first, 'class_name')) === 'InputLayer';
    if (!firstIsInput) {
      // Keras 2 puts the input shape on the first layer; Keras 3 on the model's build_input_shape.
      const config = prop(model, 'config');
      const shapeNode = prop(prop(first, 'config'), 'batch_input_shape') ?? prop(prop(first, 'config'), 'batch_shape') ?? prop(config, 'build_input_shape');
      if (scope.feeds) previous = scope.feeds[0];
      else if (shapeNode) {
        const firstName = str(prop(prop(first, 'config'), 'name')) ?? 'sequential';
        const id = this.uniqueId(`${scope.prefix}${firstName}_input`);
        this.nodes.push({ id, layer: `${firstName}_input`, op: 'Input', sourceClass: 'InputLayer', attrs: { batchShape: valueOf(shapeNode) as AttrValue }, inputs: [], group: scope.group, range: rangeOf(shapeNode), nameRange: rangeOf(shapeNode) });
        inputs.push(id);
        previous = { node: id, index: 0 };
      } else {
        this.report('error', 'input-shape', 'the Sequential model declares no input shape (no InputLayer, batch_input_shape or build_input_shape)', undefined, rangeOf(first ?? model));
      }
    }
    for (const layer of layers) {
      const call = this.readLayerCall(layer, 0, scope, previous ? [previous] : []);
      if (!call) continue;
      if (call.isInput) {
        if (scope.feeds) {
          this.bindToFeed(call.outputs[0].node, scope.feeds[0]);
          continue;
        }
        inputs.push(call.outputs[0].node);
      }
      previous = call.outputs[0];
    }
    return { inputs, outputs: previous ? [previous] : [] };
  }

  private readFunctional(config: JsonNode, layers: readonly JsonNode[], scope: Scope): { inputs: string[]; outputs: TensorRef[] } {
    // Pass 1: every call of every layer becomes a node (or a nested expansion) with unresolved inputs.
    const calls = new Map<string, (TensorRef[] | undefined)[]>();
    const pending: { node: MutableNode; refs: RawRef[] }[] = [];
    const placeholders: { id: string; ref: RawRef }[] = [];
    const inputIds: string[] = [];
    for (const layer of layers) {
      const name = layerName(layer);
      const className = str(prop(layer, 'class_name')) ?? '';
      const callRefs = readInboundNodes(prop(layer, 'inbound_nodes'), this, name);
      const outputsPerCall: TensorRef[][] = [];
      const callCount = Math.max(callRefs.length, 1);
      for (let k = 0; k < callCount; k++) {
        const refs = callRefs[k] ?? [];
        if (MODEL_CLASSES.has(className)) {
          // Nested model: its inputs are resolved after pass 1, through placeholder aliases.
          const feeds = refs.map((ref, i) => {
            const id = `${scope.prefix}${name}${k ? `@${k + 1}` : ''}#in${i}`;
            placeholders.push({ id, ref });
            return { node: id, index: 0 };
          });
          outputsPerCall.push(this.readNested(layer, k, scope, feeds));
          continue;
        }
        const call = this.readLayerCall(layer, k, scope, undefined);
        if (!call?.node) continue;
        if (call.isInput) {
          if (scope.feeds) {
            this.bindToFeed(call.node.id, scope.feeds[this.innerInputPosition(config, name)]);
            outputsPerCall.push(call.outputs);
            continue;
          }
          inputIds.push(call.node.id);
        }
        outputsPerCall.push(call.outputs);
        pending.push({ node: call.node, refs });
      }
      // Keras and TF.js number a nested model's calls from 1: its node 0 is the one that built it.
      calls.set(name, MODEL_CLASSES.has(className) && skipsFirstNode(layer) ? [undefined, ...outputsPerCall] : outputsPerCall);
    }
    // Pass 2: resolve references now that every call of every layer is known.
    for (const p of pending) p.node.inputs = p.refs.map((r) => this.resolve(r, calls, p.node.id));
    for (const p of placeholders) this.aliases.set(p.id, this.resolve(p.ref, calls, undefined));
    const outputs = readLayerRefs(prop(config, 'output_layers')).map((r) => this.resolve(r, calls, undefined));
    const declaredInputs = readLayerRefs(prop(config, 'input_layers'));
    const orderedInputs = declaredInputs.length
      ? declaredInputs.map((r) => this.resolve(r, calls, undefined).node).filter((id) => inputIds.includes(id))
      : inputIds;
    return { inputs: orderedInputs.length === inputIds.length ? orderedInputs : inputIds, outputs };
  }

  /** An inner model's input node stands for the outer tensor fed to it: drop the node, keep an alias. */
  private bindToFeed(inputId: string, feed: TensorRef | undefined): void {
    this.fed.add(inputId); // dropped from the nodes once reading ends (a splice per call would be quadratic)
    this.aliases.set(inputId, feed ?? { node: `${inputId}#unfed`, index: 0 });
  }

  private innerInputPosition(config: JsonNode, name: string): number {
    const declared = readLayerRefs(prop(config, 'input_layers'));
    return Math.max(0, declared.findIndex((r) => r.layer === name));
  }

  private readNested(layer: JsonNode, call: number, scope: Scope, feeds: readonly TensorRef[]): TensorRef[] {
    const name = layerName(layer);
    if (this.expanded > MAX_EXPANDED_LAYERS) {
      if (!this.expansionRefused) {
        this.report('error', 'nesting', `nested model "${name}" is not expanded: the nested models' calls expand to more than ${MAX_EXPANDED_LAYERS.toLocaleString('en-US')} layers (a model nested in itself, or called many times at every level)`, undefined, rangeOf(layer));
      }
      this.expansionRefused = true;
      return [];
    }
    const id = this.uniqueId(`${scope.prefix}${name}${call ? `@${call + 1}` : ''}`);
    this.groups.push({ id, name, kind: 'model', parent: scope.group, range: rangeOf(layer) });
    if (call > 0) {
      this.report('info', 'shared-model', `nested model "${name}" is called ${call + 1} times; each call is drawn, its weights are counted once per call`, id, rangeOf(layer));
    }
    return this.readModel(layer, { prefix: `${id}/`, group: id, feeds }).outputs;
  }

  /** Creates the node of one call of a plain layer. */
  private readLayerCall(layer: JsonNode, call: number, scope: Scope, inputs: TensorRef[] | undefined): { node?: MutableNode; outputs: TensorRef[]; isInput: boolean } | undefined {
    const name = layerName(layer);
    const className = str(prop(layer, 'class_name'));
    const config = prop(layer, 'config');
    const range = rangeOf(layer);
    if (!className) {
      this.report('error', 'layer', `layer "${name}" has no class_name`, undefined, range);
      return undefined;
    }
    if (MODEL_CLASSES.has(className)) {
      const outputs = this.readNested(layer, call, scope, inputs ?? []);
      return outputs.length ? { outputs, isInput: false } : undefined;
    }
    if (this.nodes.length >= MAX_GRAPH_NODES) {
      if (!this.tooManyLayers) this.report('error', 'size', `the model has more than ${MAX_GRAPH_NODES.toLocaleString('en-US')} layers, more than CNN Lens analyses; the rest are not read`, undefined, rangeOf(layer));
      this.tooManyLayers = true;
      return undefined;
    }
    const id = this.uniqueId(`${scope.prefix}${name}${call ? `@${call + 1}` : ''}`);
    this.expanded++;
    const kind = CLASS_ALIASES[className] ?? className;
    const op = KERAS_KINDS.has(kind) ? getOp(kind) : undefined;
    const node: MutableNode = {
      id,
      layer: name,
      op: op ? op.kind : 'Unknown',
      sourceClass: className,
      attrs: {},
      inputs: inputs ?? [],
      group: scope.group,
      sharesWeightsWith: call > 0 ? `${scope.prefix}${name}` : undefined,
      range,
      nameRange: rangeOf(prop(config, 'name') ?? prop(layer, 'name')),
      initializers: declaredInitializers(config),
    };
    const built = valueOf(prop(prop(layer, 'build_config'), 'input_shape'));
    if (Array.isArray(built) && built.every((d) => d === null || typeof d === 'number')) this.buildInputShapes.set(id, built as TensorShape);
    if (!op) {
      node.attrs = (valueOf(config) as Attrs) ?? {};
      this.report('warning', 'unknown-layer', `unknown layer class "${className}": drawn as an opaque node; shapes and costs after it are unknown`, id, node.nameRange ?? range);
    } else {
      const attrs = readAttrs(op.kind, op.attrs, config);
      if (attrs.error) {
        node.op = 'Unknown';
        node.attrs = (valueOf(config) as Attrs) ?? {};
        this.report('error', 'attribute', attrs.error, id, attrs.range ?? node.nameRange ?? range);
      } else node.attrs = attrs.values;
    }
    this.nodes.push(node);
    return { node, outputs: [{ node: id, index: 0 }], isInput: node.op === 'Input' };
  }

  private resolve(ref: RawRef, calls: Map<string, (TensorRef[] | undefined)[]>, consumer: string | undefined): TensorRef {
    const outputs = calls.get(ref.layer)?.[ref.call];
    const tensor = outputs?.[ref.tensor];
    if (tensor) return tensor;
    const what = !calls.has(ref.layer)
      ? `inbound layer "${ref.layer}" does not exist in the model`
      : `inbound layer "${ref.layer}" has no call ${ref.call} with output ${ref.tensor}`;
    this.report('error', 'missing-input', consumer ? `${what}` : `model output refers to a missing layer: ${what}`, consumer, ref.range);
    return { node: `${ref.layer}#missing`, index: 0 };
  }

  private uniqueId(wanted: string): string {
    const id = this.ids.take(wanted);
    if (id !== wanted) this.report('warning', 'duplicate-name', `two layers are named "${wanted}"; the second is shown as "${id}"`, id);
    return id;
  }

  /** Records a problem; past MAX_REPORTED_ERRORS of one code they are counted (see BoundedDiagnostics). */
  report(severity: Diagnostic['severity'], code: string, message: string, node?: string, range?: SourceRange): void {
    this.problems.add({ severity, code, message: node ? `${node}: ${message}` : message, node, range });
  }

  /** Follows alias chains so every edge points at a real node. */
  resolveAliases(ref: TensorRef): TensorRef {
    let current = ref;
    for (let hops = 0; this.aliases.has(current.node) && hops < 1000; hops++) current = this.aliases.get(current.node)!;
    return current;
  }
}

/** Keras's `_should_skip_first_node`: a nested Functional, or a Sequential that knows its input shape. */
function skipsFirstNode(model: JsonNode): boolean {
  if (str(prop(model, 'class_name')) !== 'Sequential') return true;
  const first = items(prop(prop(model, 'config'), 'layers'))[0];
  const firstConfig = prop(first, 'config');
  return str(prop(first, 'class_name')) === 'InputLayer' || prop(firstConfig, 'batch_input_shape') !== undefined || prop(firstConfig, 'batch_shape') !== undefined;
}

function layerName(layer: JsonNode): string {
  return str(prop(layer, 'name')) ?? str(prop(prop(layer, 'config'), 'name')) ?? '(unnamed)';
}

/** Normalises a layer config through the op's attribute schema. */
function readAttrs(kind: string, schema: Readonly<Record<string, { default: unknown; parse: (raw: unknown) => unknown }>>, config: JsonNode | undefined): { values: Attrs; error?: string; range?: SourceRange } {
  const values: Record<string, AttrValue> = {};
  for (const [attr, spec] of Object.entries(schema)) {
    const keys = configKeys(kind, attr);
    const key = keys.find((k) => prop(config, k) !== undefined);
    const node = key ? prop(config, key) : undefined;
    const raw = valueOf(node);
    if (raw === undefined || (raw === null && spec.default !== undefined && spec.default !== null)) {
      if (spec.default === undefined) return { values, error: `missing required attribute "${keys[0]}"`, range: undefined };
      values[attr] = spec.default as AttrValue;
      continue;
    }
    try {
      values[attr] = spec.parse(raw) as AttrValue;
    } catch (e) {
      if (!(e instanceof AttrError)) throw e;
      return { values, error: `attribute "${key}": ${e.message}`, range: rangeOf(node) };
    }
  }
  return { values };
}

/** Reads `inbound_nodes` in the Keras 2 (nested lists) or Keras 3 ({args, kwargs}) form: one list of refs per call. */
function readInboundNodes(node: JsonNode | undefined, reader: KerasReader, layer: string): RawRef[][] {
  return items(node).map((call) => {
    if (call.type === 'array') return items(call).map((ref) => refFromList(ref)).filter((r): r is RawRef => r !== undefined);
    if (call.type === 'object') {
      const refs: RawRef[] = [];
      collectKerasTensors(prop(call, 'args'), refs);
      return refs;
    }
    reader.report('error', 'inbound', `layer "${layer}" has an inbound node that is neither a list nor an object`, undefined, rangeOf(call));
    return [];
  });
}

function refFromList(ref: JsonNode): RawRef | undefined {
  const [layer, call, tensor] = items(ref);
  const name = str(layer);
  if (name === undefined) return undefined;
  return { layer: name, call: typeof call?.value === 'number' ? call.value : 0, tensor: typeof tensor?.value === 'number' ? tensor.value : 0, range: rangeOf(ref) };
}

/** Keras 3 nests `__keras_tensor__` objects (with a keras_history) anywhere inside args. */
function collectKerasTensors(node: JsonNode | undefined, out: RawRef[]): void {
  if (!node) return;
  if (node.type === 'array') for (const child of items(node)) collectKerasTensors(child, out);
  if (node.type === 'object') {
    const history = prop(prop(node, 'config'), 'keras_history');
    if (str(prop(node, 'class_name')) === '__keras_tensor__' && history) {
      const ref = refFromList(history);
      if (ref) out.push({ ...ref, range: rangeOf(node) });
    }
  }
}

/** `input_layers` / `output_layers`: a list of [name, call, tensor], or a single one. */
function readLayerRefs(node: JsonNode | undefined): RawRef[] {
  const list = items(node);
  if (list.length && list[0].type === 'string') {
    const single = refFromList(node!);
    return single ? [single] : [];
  }
  return list.map(refFromList).filter((r): r is RawRef => r !== undefined);
}

/** Finds the model object inside a Keras 2, Keras 3 or TF.js document. */
function findModel(root: JsonNode): { model?: JsonNode; format: string; weights?: WeightSpec[] } {
  const topology = prop(root, 'modelTopology');
  if (topology) {
    const weights = items(prop(root, 'weightsManifest')).flatMap((group) => (valueOf(prop(group, 'weights')) as WeightSpec[] | undefined) ?? []);
    return { model: prop(topology, 'model_config') ?? topology, format: 'tfjs-layers', weights: prop(root, 'weightsManifest') ? weights : undefined };
  }
  const model = prop(root, 'model_config') ?? root;
  const keras3 = prop(model, 'module') !== undefined || /^3\./.test(str(prop(root, 'keras_version')) ?? '');
  return { model, format: keras3 ? 'keras3-json' : 'keras2-json' };
}

/**
 * An opaque (unknown) layer's output shape from the layers it feeds: Keras 3 records each built
 * layer's input shape (`build_config`), so when every single-input consumer agrees, that is the
 * opaque layer's output, and shapes and costs after it are known again.
 */
function declareOpaqueShapes(nodes: IRNode[], reader: KerasReader): IRNode[] {
  return nodes.map((node) => {
    if (node.op !== 'Unknown') return node;
    const seen = nodes.filter((c) => c.inputs.length === 1 && c.inputs[0].node === node.id).map((c) => reader.buildInputShapes.get(c.id));
    const shape = seen[0];
    if (!shape || seen.some((s) => JSON.stringify(s) !== JSON.stringify(shape))) return node;
    return { ...node, declaredShapes: [shape] };
  });
}

/** An opaque layer whose output shape came from build_config says so, instead of "shapes after it are unknown". */
function noteBuildShapes(diagnostics: Diagnostic[], nodes: readonly IRNode[]): Diagnostic[] {
  const declared = new Map(nodes.filter((n) => n.op === 'Unknown' && n.declaredShapes?.[0]).map((n) => [n.id, n.declaredShapes![0]!]));
  return diagnostics.map((d) => {
    const shape = d.code === 'unknown-layer' && d.node !== undefined ? declared.get(d.node) : undefined;
    return shape ? { ...d, message: d.message.replace(/; shapes and costs after it are unknown$/, `; its output shape [${shape.map((x) => x ?? 'batch').join(', ')}] is the one the next layer was built with (build_config), its own parameters are unknown`) } : d;
  });
}

/** True when the text looks like a Keras or TF.js layers model (cheap: no full parse). */
export function looksLikeKerasModel(text: string): boolean {
  const head = text.slice(0, 4096);
  // A TF.js graph model is a model.json too, with a GraphDef where a layers model has its Keras config.
  if (/"format"\s*:\s*"graph-model"/.test(head)) return false;
  return /"class_name"\s*:\s*"(Sequential|Model|Functional)"/.test(head) || (/"modelTopology"/.test(text) && /"class_name"/.test(text));
}

export function parseKeras(text: string, fileName: string): Graph {
  const modelName = fileName.replace(/^.*[\\/]/, '').replace(/(\.keras)?\.json$/, '');
  const { root, diagnostics: jsonProblems } = parseJson(text);
  const empty = (format: string, diagnostics: Diagnostic[]): Graph => ({ name: modelName, format, nodes: [], inputs: [], outputs: [], groups: [], diagnostics });
  if (!root || root.type !== 'object') {
    return empty('json', jsonProblems.length ? jsonProblems : [{ severity: 'error', code: 'model', message: 'the file is not a JSON object, so it cannot be a Keras model' }]);
  }
  const { model, format, weights } = findModel(root);
  const className = str(prop(model, 'class_name'));
  if (!model || !className || !MODEL_CLASSES.has(className)) {
    return empty(format, [
      ...jsonProblems,
      { severity: 'error', code: 'model', message: `no Keras model found: expected "class_name" to be Sequential, Functional or Model${className ? `, got "${className}"` : ''}`, range: rangeOf(prop(model, 'class_name') ?? root) },
    ]);
  }
  const reader = new KerasReader();
  const { inputs, outputs } = reader.readModel(model, { prefix: '' });
  const nodes = declareOpaqueShapes(reader.nodes.filter((n) => !reader.fed.has(n.id)).map((n): IRNode => ({ ...n, inputs: n.inputs.map((r) => reader.resolveAliases(r)) })), reader);
  const sorted = sortTopologically(nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const cycle of sorted.cycles) {
    reader.report('error', 'cycle', `layers form a cycle: ${cycleText(cycle)}; a network must be acyclic`, cycle[0], byId.get(cycle[0])?.range);
  }
  const diagnostics = noteBuildShapes(reader.problems.finish(), nodes);
  // The count of the rest is the last word on cycles (the cap of report() would count it as one more).
  if (sorted.moreCycles) diagnostics.push({ severity: 'error', code: 'cycle', message: `layers form cycles: ${moreCyclesText(sorted.moreCycles)}` });
  return {
    name: str(prop(prop(model, 'config'), 'name')) ?? modelName,
    format,
    nodes: sorted.nodes,
    inputs,
    outputs: outputs.map((r) => reader.resolveAliases(r)),
    groups: reader.groups,
    diagnostics: [...jsonProblems, ...diagnostics],
    weights,
  };
}
