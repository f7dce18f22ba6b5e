import type { AttrValue, Attrs, Diagnostic, Graph, IRNode, SourceRange, TensorRef } from '../../ir';
import { getOp } from '../../ops';
import { normaliseAttrs } from '../../ops/attrs';
import { baseName, type ModelSource } from '../source';
import { sortTopologically } from '../topology';
import { plain } from './fields';
import { inputLayerShapes, readNet, type CaffeBlobRef, type CaffeLayer } from './net';
import { mapCaffeLayer } from './ops-map';
import { parseTextFormat } from './text-format';

// Reads a Caffe deploy net (.prototxt, protobuf text format of NetParameter) into the IR. Blobs
// are Caffe's edges: each layer reads its bottoms and writes its tops, and an in-place layer (top
// equal to bottom: ReLU, Dropout, BatchNorm, Scale) takes the blob over, so the layers after it
// read its output. The batch a deploy file declares (10 in the BVLC files: the test harness's
// ten crops) is kept for the inspector; figures are per image, as for the other formats.

/** Layers whose output has their first bottom's shape: a flat blob stays flat through them. */
const SHAPE_KEEPING = new Set(['ReLU', 'PReLU', 'Sigmoid', 'TanH', 'AbsVal', 'Dropout', 'BatchNorm', 'Scale', 'Power', 'Softmax', 'Split', 'Eltwise', 'Concat']);

/** A prototxt net has `layer {` / `layers {` blocks or net-level `input:` lines at the start of a line (JSON never does). */
export function looksLikeCaffe(source: ModelSource): boolean {
  const head = source.text().slice(0, 64 * 1024);
  if (/^\s*[[{]/.test(head)) return false;
  return /^[ \t]*(layers?[ \t]*\{|input[ \t]*:)/m.test(head);
}

export function parseCaffe(source: ModelSource): Graph {
  const name = baseName(source.name).replace(/\.prototxt$/i, '');
  const parsed = parseTextFormat(source.text());
  if (parsed.error) {
    const diagnostic: Diagnostic = { severity: 'error', code: 'syntax', message: `${source.name}: ${parsed.error.message}`, range: parsed.error.range };
    return { name, format: 'caffe-prototxt', nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [diagnostic] };
  }
  return new CaffeReader(source, name).read(parsed.message);
}

class CaffeReader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: IRNode[] = [];
  private readonly ids = new Set<string>();
  /** Blob name → the output that holds it now (an in-place layer replaces it). */
  private readonly blobs = new Map<string, TensorRef>();
  /** Blobs known to be 2-D [N, features]: an InnerProduct reads them without a Flatten. */
  private readonly flat = new Set<string>();
  /** Blobs written and not yet read: what is left at the end is the net's output. */
  private readonly unread: string[] = [];

  constructor(private readonly source: ModelSource, private readonly fallbackName: string) {}

  read(message: Parameters<typeof readNet>[0]): Graph {
    const net = readNet(message);
    for (const p of net.problems) this.report('error', 'input', p.message, undefined, p.range);
    if (!net.layers.length && !net.inputs.length) this.report('error', 'caffe', 'the file declares no layers and no inputs: it is not a Caffe net definition (a solver.prototxt names its net in `net:`)');
    const inputs: string[] = [];
    for (const input of net.inputs) inputs.push(this.addInput(input.name, input.dims, 'input', input.range, input.nameRange, input.name));
    net.layers.forEach((layer, i) => {
      if (layer.type === 'Input') layer.tops.forEach((top, k) => inputs.push(this.addInput(top.name, inputLayerShapes(layer)[k], 'Input', layer.range, layer.nameRange, layer.tops.length > 1 ? `${layer.name}:${top.name}` : layer.name || top.name)));
      else this.readLayer(layer, i);
    });
    const outputs = this.unread.map((b) => this.blobs.get(b)!).filter((r, i, all) => all.findIndex((o) => o.node === r.node && o.index === r.index) === i);
    const sorted = sortTopologically(this.nodes);
    for (const cycle of sorted.cycles) this.report('error', 'cycle', `layers form a cycle: ${cycle.join(' → ')} → ${cycle[0]}`, cycle[0]);
    return { name: net.name || this.fallbackName, format: 'caffe-prototxt', nodes: sorted.nodes, inputs, outputs, groups: [], diagnostics: this.diagnostics };
  }

  private addInput(blob: string, dims: readonly number[], sourceClass: string, range: SourceRange, nameRange: SourceRange | undefined, id: string): string {
    const nodeId = this.uniqueId(id);
    if (!dims.length) this.report('error', 'input', `input "${blob}" declares no shape (input_shape, four input_dim or input_param.shape)`, nodeId, nameRange ?? range);
    // The batch is left open: the figures are per image whatever batch the deploy file was written for.
    const batchShape = dims.length ? [null, ...dims.slice(1)] : [null];
    this.nodes.push({ id: nodeId, layer: id, op: 'Input', sourceClass, attrs: { batchShape }, sourceAttrs: { dim: [...dims] }, inputs: [], outputNames: [blob], range, nameRange });
    this.write(blob, { node: nodeId, index: 0 }, dims.length === 2);
    return nodeId;
  }

  private readLayer(layer: CaffeLayer, index: number): void {
    const id = this.uniqueId(layer.name || `${layer.type}_${index}`);
    const refs = layer.bottoms.map((b) => this.take(b, id, layer.type));
    const sourceAttrs = Object.fromEntries(layer.message.fields.filter((f) => /_param$/.test(f.name)).map((f) => [f.name, f.value.kind === 'message' ? plain(f.value) : f.value.value])) as Record<string, AttrValue>;
    const mapped = mapCaffeLayer(layer);
    const base = { layer: layer.name || id, sourceClass: layer.sourceType, sourceAttrs, outputNames: layer.tops.map((t) => t.name), range: layer.range, nameRange: layer.nameRange };
    const inputFlat = layer.bottoms.length > 0 && layer.bottoms.every((b) => this.flat.has(b.name));
    if ('unknown' in mapped) {
      this.report('warning', 'unknown-layer', `${mapped.unknown}; shown as an opaque node, and shapes after it are unknown`, id, layer.nameRange ?? layer.range);
      this.nodes.push({ id, ...base, op: 'Unknown', attrs: sourceAttrs, inputs: refs });
      this.writeTops(layer, id, false);
      return;
    }
    let inputs = refs;
    if (mapped.flattenFrom !== undefined && !inputFlat) {
      const flattenId = this.uniqueId(`${id}/flatten`);
      // No range of its own: the layer's text belongs to the Dense, which hovers and edits should find.
      this.nodes.push({ id: flattenId, ...base, range: undefined, nameRange: undefined, outputNames: [`${id}/flatten`], sourceClass: `${layer.sourceType} (flattens its input)`, op: 'Flatten', attrs: this.normalise('Flatten', { axis: mapped.flattenFrom }, flattenId, layer) ?? {}, inputs: refs.slice(0, 1) });
      inputs = [{ node: flattenId, index: 0 }];
    }
    const attrs = this.normalise(mapped.op, mapped.attrs, id, layer);
    this.nodes.push({ id, ...base, op: attrs ? mapped.op : 'Unknown', attrs: attrs ?? sourceAttrs, inputs });
    const flatOut = mapped.op === 'Dense' || mapped.op === 'Flatten' || (mapped.op === 'ReshapeTo' && (mapped.attrs.shape as readonly number[]).length === 2) || (SHAPE_KEEPING.has(layer.type) && inputFlat);
    this.writeTops(layer, id, flatOut);
  }

  /** Attributes normalised by the op's schema, or undefined (with an error on the layer) where a value is not one the op takes. */
  private normalise(kind: string, raw: Attrs, id: string, layer: CaffeLayer): Attrs | undefined {
    const { values, error } = normaliseAttrs(getOp(kind)!.attrs, raw);
    if (!error) return values;
    this.report('error', 'attribute', error, id, layer.nameRange ?? layer.range);
    return undefined;
  }

  /** The tops a layer writes: Split and Slice write one output per top (Split's all the same one). */
  private writeTops(layer: CaffeLayer, id: string, flat: boolean): void {
    layer.tops.forEach((top, k) => this.write(top.name, { node: id, index: layer.type === 'Split' ? 0 : k }, flat));
  }

  private write(blob: string, ref: TensorRef, flat: boolean): void {
    this.blobs.set(blob, ref);
    if (flat) this.flat.add(blob);
    else this.flat.delete(blob);
    if (!this.unread.includes(blob)) this.unread.push(blob);
  }

  private take(bottom: CaffeBlobRef, id: string, type: string): TensorRef {
    const ref = this.blobs.get(bottom.name);
    const at = this.unread.indexOf(bottom.name);
    if (at >= 0) this.unread.splice(at, 1);
    if (ref) return ref;
    this.report('error', 'missing-input', `bottom "${bottom.name}" of ${type} layer "${id}" is produced by no layer or net input before it`, id, bottom.range);
    return { node: `\u0000missing:${bottom.name}`, index: 0 };
  }

  private uniqueId(name: string): string {
    let id = name;
    for (let k = 2; this.ids.has(id); k++) id = `${name}@${k}`;
    this.ids.add(id);
    return id;
  }

  private report(severity: Diagnostic['severity'], code: string, message: string, node?: string, range?: SourceRange): void {
    this.diagnostics.push({ severity, code, message: `${this.source.name}: ${node ? `${node}: ` : ''}${message}`, node, range });
  }
}
