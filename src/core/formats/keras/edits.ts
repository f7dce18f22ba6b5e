import { findNodeAtOffset, getNodePath, modify, type FormattingOptions, type JSONPath } from 'jsonc-parser';
import type { AttrValue, Graph, IRNode, TensorShape } from '../../ir';
import { copyNames, findBlock } from '../../edit/block';
import { applyTextEdits, EditError, type ModelEdit, type TextEdit } from '../../edit/types';
import { items, parseJson, prop, str, type JsonNode } from './json-tree';
import { configKeys, snake } from './names';

// Write-back for Keras / TF.js JSON: turns a ModelEdit into the smallest text edits, so the user's
// formatting survives and VS Code's undo restores the exact text. jsonc-parser's `modify` writes
// values in the file's own indentation; references are rewritten string by string.

/** A reference to a layer's output inside the file: Keras 2 `[name, call, tensor, {}]`, Keras 3 `keras_history`. */
interface RefSite {
  readonly where: 'inbound' | 'input_layers' | 'output_layers';
  /** The layer object holding the reference (for inbound references). */
  readonly consumer?: JsonNode;
  readonly call: number;
  readonly input: number;
  /** The array whose first three items are name, call index, tensor index. */
  readonly ref: JsonNode;
}

export function planKerasEdit(text: string, graph: Graph, edit: ModelEdit): { edits: TextEdit[]; focus?: string } {
  const { root } = parseJson(text);
  if (!root) throw new EditError('the file is not valid JSON; fix it before editing from the diagram');
  const file = new KerasFile(text, root, graph);
  switch (edit.kind) {
    case 'setAttribute':
      return { edits: file.setAttribute(edit.layer, edit.attr, edit.value), focus: edit.layer };
    case 'renameLayer':
      return { edits: file.rename(edit.layer, edit.newName), focus: scoped(file.node(edit.layer), edit.newName) };
    case 'deleteLayer':
      return { edits: file.remove(edit.layer) };
    case 'insertLayer':
      return file.insert(edit.anchor, edit.position, edit.op, edit.name, edit.attrs ?? {});
    case 'duplicateLayer':
      return file.duplicate(edit.layer);
    case 'duplicateBlock':
      return file.duplicateBlock(edit.block);
    case 'connect':
      return { edits: file.connect(edit.layer, edit.input, edit.from), focus: edit.layer };
    case 'setInputShape':
      return { edits: file.setInputShape(edit.layer, edit.shape), focus: edit.layer };
    case 'scaleWidth':
      return { edits: file.scaleWidth(edit.factor) };
  }
}

/** The node id a layer named `name` gets in the same scope as `node`. */
const scoped = (node: IRNode, name: string): string => (node.group ? `${node.group}/${name}` : name);

class KerasFile {
  private readonly format: FormattingOptions;

  constructor(
    private readonly text: string,
    private readonly root: JsonNode,
    private readonly graph: Graph,
  ) {
    const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
    this.format = { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  }

  node(id: string): IRNode {
    const node = this.graph.nodes.find((n) => n.id === id);
    if (!node) throw new EditError(`there is no layer "${id}" in the model`);
    return node;
  }

  /** The layer's object in the file, its path, its index in the layers list and that list's model config. */
  private locate(node: IRNode): { object: JsonNode; path: JSONPath; index: number; config: JsonNode; sequential: boolean } {
    const object = node.range && findNodeAtOffset(this.root, node.range.start);
    const list = object?.parent;
    const config = list?.parent?.parent; // layers array → "layers" property → config object
    if (!object || object.type !== 'object' || list?.type !== 'array' || !config) throw new EditError(`cannot find the definition of "${node.id}" in the file`);
    const model = config.parent?.parent;
    return { object, path: getNodePath(object), index: list.children!.indexOf(object), config, sequential: str(prop(model, 'class_name')) === 'Sequential' };
  }

  private set(path: JSONPath, value: unknown, arrayInsertion = false): TextEdit[] {
    return modify(this.text, path, value, { formattingOptions: this.format, isArrayInsertion: arrayInsertion });
  }

  private replace(node: JsonNode, value: unknown): TextEdit {
    return { offset: node.offset, length: node.length, content: JSON.stringify(value) };
  }

  setAttribute(id: string, attr: string, value: AttrValue): TextEdit[] {
    const node = this.node(id);
    const { path, object } = this.locate(node);
    const keys = configKeys(node.op, attr);
    const key = keys.find((k) => prop(prop(object, 'config'), k) !== undefined) ?? keys[0];
    return this.set([...path, 'config', key], value);
  }

  setInputShape(id: string | undefined, shape: TensorShape): TextEdit[] {
    const input = id ? this.node(id) : this.graph.nodes.find((n) => n.id === this.graph.inputs[0]);
    if (!input || input.op !== 'Input') throw new EditError(`${id ?? 'the model'} is not a model input`);
    // The shape node is the Input's own range (a Sequential's batch_input_shape) or its config key.
    const located = input.range && findNodeAtOffset(this.root, input.range.start);
    if (located?.type === 'array') return [this.replace(located, [null, ...shape.slice(1)])];
    return this.setAttribute(input.id, 'batchShape', [null, ...shape.slice(1)]);
  }

  scaleWidth(factor: number): TextEdit[] {
    if (!(factor > 0) || factor > 16) throw new EditError(`the width multiplier must be in (0, 16], got ${factor}`);
    const width = (n: IRNode): 'filters' | 'units' | undefined => (n.op === 'Dense' ? 'units' : typeof n.attrs.filters === 'number' ? 'filters' : undefined);
    const weighted = this.graph.nodes.filter((n) => width(n) && !n.sharesWeightsWith);
    const classifier = weighted[weighted.length - 1];
    const scaled = new Map<number, number>();
    const edits = weighted
      .filter((n) => n !== classifier)
      .map((n) => {
        const key = width(n)!;
        const before = n.attrs[key] as number;
        const after = Math.max(1, Math.floor(before * factor));
        scaled.set(before, after);
        return this.setAttribute(n.id, key, after);
      })
      .flat();
    // A Reshape written for the old width (Keras MobileNet's (1, 1, 1024) before its classifier) follows it.
    for (const n of this.graph.nodes.filter((x) => x.op === 'Reshape')) {
      const target = n.attrs.targetShape as number[];
      const last = target[target.length - 1];
      if (scaled.has(last) && n.inputs[0]?.node !== classifier.id) {
        edits.push(...this.setAttribute(n.id, 'targetShape', [...target.slice(0, -1), scaled.get(last)!]));
      }
    }
    return edits;
  }

  /** Every reference to a layer output within one model config (its layers and its input/output lists). */
  private references(config: JsonNode): RefSite[] {
    const sites: RefSite[] = [];
    for (const consumer of items(prop(config, 'layers'))) {
      items(prop(consumer, 'inbound_nodes')).forEach((call, c) => {
        const refs = call.type === 'array' ? items(call) : kerasTensors(prop(call, 'args'));
        refs.forEach((ref, i) => sites.push({ where: 'inbound', consumer, call: c, input: i, ref }));
      });
    }
    for (const where of ['input_layers', 'output_layers'] as const) {
      const list = prop(config, where);
      const refs = items(list)[0]?.type === 'string' ? [list!] : items(list);
      refs.forEach((ref, i) => sites.push({ where, call: 0, input: i, ref }));
    }
    return sites;
  }

  private refersTo(site: RefSite, name: string): boolean {
    return str(items(site.ref)[0]) === name;
  }

  /** Points a reference at `[name, call, tensor]`, rewriting only the three values. */
  private retarget(site: RefSite, name: string, call = 0, tensor = 0): TextEdit[] {
    const [n, c, t] = items(site.ref);
    return [this.replace(n, name), ...(c ? [this.replace(c, call)] : []), ...(t ? [this.replace(t, tensor)] : [])];
  }

  rename(id: string, newName: string): TextEdit[] {
    const node = this.node(id);
    if (!/^[A-Za-z0-9_.\-/]+$/.test(newName) || newName.includes('/')) throw new EditError(`"${newName}" is not a valid layer name (letters, digits, _ . - only)`);
    if (this.graph.nodes.some((n) => n.layer === newName && n.group === node.group)) throw new EditError(`a layer named "${newName}" already exists`);
    const { object, config } = this.locate(node);
    const edits = [prop(object, 'name'), prop(prop(object, 'config'), 'name')].filter((n): n is JsonNode => !!n).map((n) => this.replace(n, newName));
    for (const site of this.references(config)) if (this.refersTo(site, node.layer)) edits.push(this.replace(items(site.ref)[0], newName));
    return edits;
  }

  remove(id: string): TextEdit[] {
    const node = this.node(id);
    if (node.op === 'Input') throw new EditError(`"${id}" is a model input; change the input shape instead of deleting it`);
    const { path, config, sequential, index, object } = this.locate(node);
    if (sequential) {
      if (index === 0 && prop(prop(object, 'config'), 'batch_input_shape')) {
        throw new EditError(`"${id}" carries the model's input shape (batch_input_shape); delete the layer after it instead, or add an InputLayer first`);
      }
      return this.set(path, undefined);
    }
    const sites = this.references(config);
    const own = sites.filter((s) => s.consumer === object && s.call === 0);
    const consumers = sites.filter((s) => this.refersTo(s, node.layer) && s.where !== 'input_layers');
    if (own.length !== 1 && consumers.length) {
      throw new EditError(`"${id}" has ${own.length} inputs, so its consumers (${consumers.map((s) => str(prop(s.consumer, 'name')) ?? 'the model output').join(', ')}) cannot be reconnected to one of them; rewire them first`);
    }
    const [source, call, tensor] = own.length ? items(own[0].ref).map((n) => n.value) : [];
    return [...this.set(path, undefined), ...consumers.flatMap((s) => this.retarget(s, source as string, call as number, tensor as number))];
  }

  insert(anchorId: string, position: 'after' | 'before', op: string, wanted: string | undefined, attrs: Readonly<Record<string, AttrValue>>): { edits: TextEdit[]; focus: string } {
    const anchor = this.node(anchorId);
    if (position === 'before' && anchor.op === 'Input') throw new EditError('nothing can come before a model input');
    const { path, index, config, sequential, object } = this.locate(anchor);
    const name = wanted ?? this.freshName(snake(op).replace(/^_/, ''), anchor.group);
    if (this.graph.nodes.some((n) => n.layer === name && n.group === anchor.group)) throw new EditError(`a layer named "${name}" already exists`);
    const config2 = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [configKeys(op, k)[0], v]));
    const layerConfig = { name, trainable: true, dtype: 'float32', ...config2 };
    const keras3 = this.graph.format === 'keras3-json';
    const listPath = path.slice(0, -1);
    const at = position === 'after' ? index + 1 : index;
    if (sequential) {
      if (position === 'before' && index === 0 && prop(prop(object, 'config'), 'batch_input_shape')) throw new EditError(`"${anchorId}" carries the input shape; insert after it`);
      const layer = keras3 ? { module: 'keras.layers', class_name: op, config: layerConfig, registered_name: null } : { class_name: op, config: layerConfig };
      return { edits: this.set([...listPath, at], layer, true), focus: scoped(anchor, name) };
    }
    const sites = this.references(config);
    // After: the new layer reads the anchor and the anchor's readers read the new layer.
    // Before: the new layer reads what the anchor read and the anchor reads the new layer.
    let feed: [string, number, number];
    let redirect: RefSite[];
    if (position === 'after') {
      feed = [anchor.layer, 0, 0];
      redirect = sites.filter((s) => this.refersTo(s, anchor.layer) && s.where !== 'input_layers');
    } else {
      const own = sites.filter((s) => s.consumer === object && s.call === 0);
      if (own.length !== 1) throw new EditError(`"${anchorId}" has ${own.length} inputs; insert after one of them instead`);
      feed = items(own[0].ref).slice(0, 3).map((n) => n.value) as [string, number, number];
      redirect = own;
    }
    const inbound = keras3
      ? [{ args: [{ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: feed } }], kwargs: {} }]
      : [[[...feed, {}]]];
    const layer = keras3
      ? { module: 'keras.layers', class_name: op, config: layerConfig, registered_name: null, name, inbound_nodes: inbound }
      : { class_name: op, config: layerConfig, name, inbound_nodes: inbound };
    return { edits: [...this.set([...listPath, at], layer, true), ...redirect.flatMap((s) => this.retarget(s, name))], focus: scoped(anchor, name) };
  }

  duplicate(id: string): { edits: TextEdit[]; focus: string } {
    const node = this.node(id);
    if (node.op === 'Input' || node.op === 'Unknown') throw new EditError(`"${id}" cannot be duplicated`);
    if (node.inputs.length !== 1) throw new EditError(`"${id}" has ${node.inputs.length} inputs; duplicate a single-input layer`);
    const { object } = this.locate(node);
    const config = JSON.parse(this.text.slice(prop(object, 'config')!.offset, prop(object, 'config')!.offset + prop(object, 'config')!.length)) as Record<string, AttrValue>;
    const name = this.freshName(`${node.layer}_copy`, node.group);
    const attrs = Object.fromEntries(Object.entries(config).filter(([k]) => !['name', 'trainable', 'dtype', 'batch_input_shape'].includes(k)));
    // The attributes are written under their Keras keys already: insert them verbatim.
    return this.insert(id, 'after', str(prop(object, 'class_name'))!, name, attrs);
  }

  /**
   * Copies a block's layer objects verbatim (the file's own formatting) right after its last layer,
   * renamed, the copy's entry reading the block's output; the block's former readers read the copy.
   */
  duplicateBlock(block: string): { edits: TextEdit[]; focus: string } {
    const span = findBlock(this.graph, block);
    const names = copyNames(this.graph, span);
    const located = span.members.map((n) => this.locate(n)).sort((a, b) => a.index - b.index);
    const list = located[0].object.parent!;
    if (located.some((l) => l.object.parent !== list)) throw new EditError(`${span.key} spans more than one model; duplicate its layers one by one`);
    const { config, sequential } = located[0];
    const sites = sequential ? [] : this.references(config);
    const inside = new Set(located.map((l) => l.object));
    const copies = located.map(({ object }) => this.copyLayer(object, names, sites.filter((s) => s.consumer === object), span.output.layer));
    // Joined as the file joins its layers (",\n      " in a two-space file), after the block's last one.
    const siblings = list.children!;
    const last = located[located.length - 1].object;
    const i = siblings.indexOf(last);
    const [a, b] = i + 1 < siblings.length ? [last, siblings[i + 1]] : [siblings[i - 1], last];
    const separator = this.text.slice(a.offset + a.length, b.offset);
    const insertion: TextEdit = { offset: last.offset + last.length, length: 0, content: copies.map((c) => separator + c).join('') };
    const outName = names.get(span.output.layer)!;
    const readers = sites.filter((s) => this.refersTo(s, span.output.layer) && s.where !== 'input_layers' && !(s.consumer && inside.has(s.consumer)));
    return { edits: [insertion, ...readers.map((s) => this.replace(items(s.ref)[0], outName))], focus: scoped(span.output, outName) };
  }

  /** One layer object's text, renamed by `names`, its outside input replaced by `feed`, without a Sequential's input shape. */
  private copyLayer(object: JsonNode, names: ReadonlyMap<string, string>, own: readonly RefSite[], feed: string): string {
    const base = object.offset;
    const local = (e: TextEdit): TextEdit => ({ ...e, offset: e.offset - base });
    const edits = [prop(object, 'name'), prop(prop(object, 'config'), 'name')]
      .filter((n): n is JsonNode => !!n)
      .map((n) => local(this.replace(n, names.get(str(n)!) ?? str(n))));
    for (const site of own) {
      const source = str(items(site.ref)[0])!;
      edits.push(...(names.has(source) ? [this.replace(items(site.ref)[0], names.get(source))] : this.retarget(site, feed)).map(local));
    }
    let copy = applyTextEdits(this.text.slice(base, base + object.length), edits);
    if (prop(prop(object, 'config'), 'batch_input_shape')) copy = applyTextEdits(copy, modify(copy, ['config', 'batch_input_shape'], undefined, { formattingOptions: this.format }));
    return copy;
  }

  connect(id: string, input: number, fromId: string): TextEdit[] {
    const node = this.node(id);
    const from = this.node(fromId);
    if (from.group !== node.group) throw new EditError(`"${fromId}" and "${id}" are in different models`);
    const { object, config, sequential } = this.locate(node);
    if (sequential) throw new EditError('a Sequential model is a chain: its layers cannot be rewired (save it as a Functional model first)');
    const own = this.references(config).filter((s) => s.consumer === object && s.call === 0);
    if (input < own.length) return this.retarget(own[input], from.layer);
    if (input !== own.length || !own.length) throw new EditError(`"${id}" has ${own.length} inputs; input ${input} cannot be set`);
    // A new input: appended to the first call's list, in the file's own reference form.
    const last = own[own.length - 1].ref;
    const keras3 = last.parent?.type === 'property';
    if (keras3) {
      const tensorObject = last.parent!.parent!.parent!.parent!; // keras_history → property → config object → property → tensor
      const list = findListOf(tensorObject);
      if (!list) throw new EditError(`"${id}" takes a single tensor; it cannot have another input`);
      const tensor = { class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [from.layer, 0, 0] } };
      return this.set([...getNodePath(list), list.children!.length], tensor, true);
    }
    return this.set([...getNodePath(last.parent!), own.length], [from.layer, 0, 0, {}], true);
  }

  private freshName(base: string, group: string | undefined): string {
    const taken = new Set(this.graph.nodes.filter((n) => n.group === group).map((n) => n.layer));
    for (let i = 1; ; i++) {
      const name = base.endsWith('_copy') && i === 1 ? base : `${base}_${i}`;
      if (!taken.has(name)) return name;
    }
  }
}

/** Keras 3 tensors (their keras_history arrays) anywhere inside a call's args, in order. */
function kerasTensors(node: JsonNode | undefined): JsonNode[] {
  if (!node) return [];
  if (node.type === 'array') return items(node).flatMap(kerasTensors);
  if (node.type !== 'object') return [];
  const history = prop(prop(node, 'config'), 'keras_history');
  return str(prop(node, 'class_name')) === '__keras_tensor__' && history ? [history] : [];
}

/** The list a Keras 3 tensor object sits in (merge layers take a list of tensors), if any. */
function findListOf(node: JsonNode): JsonNode | undefined {
  let current: JsonNode | undefined = node;
  while (current && current.type !== 'array') current = current.parent;
  return current && current.parent?.type === 'array' ? current : undefined;
}
