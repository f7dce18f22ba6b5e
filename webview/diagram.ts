// The SVG diagram: draws a laid-out visible graph, and owns pan, zoom, fit, selection and search
// highlighting. It knows nothing about the host; main.ts wires it up.
import { human } from '../src/core/analysis/units';
import { dims, svg, TextMeasure } from './dom';
import { decorateEdge } from './edge-drag';
import { CONTAINER_HEADER, type Box, type ElkPoint, type LaidOut, type Size } from './elk-graph';
import { layerCount, type ModelView, type VisibleGraph } from './model';

export const MINOR_FAMILIES = new Set(['activation', 'norm', 'regularization', 'padding']);

const MIN_W = 208;

/** Shorter op names for the node face (the inspector shows the full type). */
const SHORT: Record<string, string> = {
  BatchNormalization: 'BatchNorm',
  LayerNormalization: 'LayerNorm',
  GlobalAveragePooling2D: 'GlobalAvgPool2D',
  GlobalMaxPooling2D: 'GlobalMaxPool2D',
  AveragePooling2D: 'AvgPool2D',
  MaxPooling2D: 'MaxPool2D',
  DepthwiseConv2D: 'DepthwiseConv2D',
  SeparableConv2D: 'SeparableConv2D',
  Conv2DTranspose: 'ConvTranspose2D',
};
export const shortType = (t: string): string => SHORT[t] ?? t;
/** The name on a layer's face: the last part of a scoped id (its block is drawn around it); the tooltip says it whole. */
const faceName = (id: string): string => id.slice(id.lastIndexOf('/') + 1);
/** Wide enough for the layer names of the zoo whole (ResNet's `conv5_block3_3_conv`, Inception's branches). */
const MAX_W = 340;
const MAJOR_H = 46;
/** A layer whose name has no room beside its shape gets a line of its own, this much taller. */
const NAME_LINE = 15;
/** The width a layer's shape gets beside its name: "112×112×128" in 11 px mono. */
const SHAPE_ROOM = 76;
/** The smallest zoom Fit goes to: 11 px names stay about 8 px on screen, still legible; a graph too
 * big for it scrolls (pans) along its long axis. "Fit all" shows everything, however small. */
export const READABLE_ZOOM = 0.75;
const MINOR_H = 28;
const GROUP_W = 208;
const GROUP_H = 66;
/**
 * Graphs with more visible items than this keep only what is near the viewport in the document (the
 * rest is detached, and put back as the view moves). Chrome lays out every SVG <text> again whenever
 * the zoom (the CTM's scale) changes, and walks every element under the transformed group even when
 * hidden: without culling each wheel step on a 1,400-block model cost 100–200 ms.
 */
export const CULL_MIN = 300;

/** Below this zoom a big graph's text (then under 4 px) is not drawn: Chrome re-lays out SVG text at every zoom step. */
export const TEXT_MIN_ZOOM = 0.3;

interface Cullable { readonly el: SVGGElement; readonly parent: Element; readonly box: Box; shown: boolean; text: boolean }

export type HeatMode = 'none' | 'macs' | 'params' | 'latency';

export interface DiagramEvents {
  select(id: string | null): void;
  toggle(groupId: string): void;
  hover(id: string | null, clientX: number, clientY: number): void;
  /** Right-click (or the context-menu key) on a visible item. */
  contextMenu?(id: string, clientX: number, clientY: number): void;
}

export interface Transform { x: number; y: number; k: number }

export class Diagram {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly layerContainers: SVGGElement;
  private readonly layerEdges: SVGGElement;
  private readonly layerLabels: SVGGElement;
  private readonly layerHeads: SVGGElement;
  private readonly layerNodes: SVGGElement;
  private readonly layerFlash: SVGGElement;
  private flashTimer = 0;
  /** Draw output dots (drag to connect) on layers. */
  editable = false;
  private readonly measure: TextMeasure;
  private t: Transform = { x: 0, y: 0, k: 1 };
  private laid: LaidOut | null = null;
  private graph: VisibleGraph | null = null;
  private view: ModelView | null = null;
  private nodeEls = new Map<string, SVGGElement>();
  private edgeEls = new Map<string, SVGGElement>();
  private selected: string | null = null;
  private anim = 0;
  /** Elements culled by viewport, when the graph is big; empty otherwise. */
  private cullables: Cullable[] = [];
  private cullOff = false;
  /** The svg's size, kept by a ResizeObserver so that culling never forces a layout. */
  private viewSize: { width: number; height: number } | null = null;
  onZoom: (k: number) => void = () => {};
  /** Cull (and drop text at far zoom) however few items are shown: set for big models, whose top level alone may hold hundreds of blocks. */
  cullAlways = false;
  /** Width at the right end of layer and block nodes kept free of text for activation thumbnails (thumbnails.ts). */
  thumbRoom = 0;

  constructor(host: HTMLElement, private readonly events: DiagramEvents) {
    this.measure = new TextMeasure();
    this.svg = svg('svg', { class: 'diagram edge-labels', tabindex: 0, role: 'application', 'aria-label': 'Model diagram' });
    const defs = svg('defs', {},
      svg('marker', { id: 'cl-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, markerUnits: 'userSpaceOnUse', orient: 'auto' }, svg('path', { d: 'M0,1 L10,5 L0,9 z', class: 'arrow' })),
      svg('marker', { id: 'cl-arrow-hot', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto' }, svg('path', { d: 'M0,1 L10,5 L0,9 z', class: 'arrow hot' })),
    );
    this.viewport = svg('g', { class: 'viewport' });
    this.layerContainers = svg('g', { class: 'containers' });
    this.layerEdges = svg('g', { class: 'edges' });
    this.layerNodes = svg('g', { class: 'nodes' });
    this.layerLabels = svg('g', { class: 'edge-labels-layer' });
    this.layerHeads = svg('g', { class: 'container-heads' });
    this.layerFlash = svg('g', { class: 'flashes' });
    this.viewport.append(this.layerContainers, this.layerEdges, this.layerHeads, this.layerNodes, this.layerLabels, this.layerFlash);
    this.svg.append(defs, this.viewport);
    host.append(this.svg);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((entries) => {
        const r = entries[entries.length - 1].contentRect;
        this.viewSize = { width: r.width, height: r.height };
        this.cull();
      }).observe(this.svg);
    }
    this.installPanZoom();
  }

  // ---------- sizes (asked by the layout before drawing) ----------

  private fonts() {
    const f = this.measure;
    return { type: `600 12px ${f.sans}`, small: `11px ${f.sans}`, mono: `11px ${f.mono}` };
  }

  size(view: ModelView, id: string, kind: 'layer' | 'group'): Size {
    const F = this.fonts();
    const m = this.measure;
    if (kind === 'group') {
      const g = view.groups.get(id)!;
      const w = Math.max(GROUP_W, 26 + m.width(g.name, F.type) + 14 + m.width(`${g.allLayers.length} layers`, F.small) + 12);
      return { width: Math.min(MAX_W, Math.ceil(w)), height: GROUP_H };
    }
    const l = view.layers.get(id)!;
    if (MINOR_FAMILIES.has(l.family)) {
      const w = 14 + m.width(shortType(l.type), F.type) + 16 + m.width(dims(l.outputShape), F.mono) + 12;
      return { width: Math.min(MAX_W, Math.max(MIN_W, Math.ceil(w))), height: MINOR_H };
    }
    const line1 = 14 + m.width(shortType(l.type), F.type) + 14 + m.width(l.label, F.small) + 12;
    const shapeW = m.width(dims(l.outputShape), F.mono);
    const nameW = m.width(faceName(id), F.small);
    // Room for a usual shape whatever it is now, so that an edit changing the shape keeps the width (and the layout).
    const line2 = 14 + Math.max(SHAPE_ROOM, shapeW) + 16 + nameW + 12;
    // The name whole beside the shape where MAX_W allows, else on a third line.
    if (line2 <= MAX_W) return { width: Math.min(MAX_W, Math.max(MIN_W, Math.ceil(Math.max(line1, line2)))), height: MAJOR_H };
    return { width: Math.min(MAX_W, Math.max(MIN_W, Math.ceil(Math.max(line1, 14 + shapeW + 12, 14 + nameW + 12)))), height: MAJOR_H + NAME_LINE };
  }

  // ---------- drawing ----------

  render(view: ModelView, graph: VisibleGraph, laid: LaidOut, heat: HeatMode): void {
    this.view = view;
    this.graph = graph;
    this.laid = laid;
    this.nodeEls.clear();
    this.edgeEls.clear();
    this.layerContainers.replaceChildren();
    this.layerEdges.replaceChildren();
    this.layerNodes.replaceChildren();
    this.layerLabels.replaceChildren();
    this.layerHeads.replaceChildren();
    this.layerFlash.replaceChildren();
    const diagByLayer = new Map<string, 'error' | 'warning'>();
    for (const d of view.report.diagnostics) {
      if (!d.layer || d.severity === 'info') continue;
      if (diagByLayer.get(d.layer) !== 'error') diagByLayer.set(d.layer, d.severity);
    }
    for (const n of graph.nodes) {
      const box = laid.boxes.get(n.id);
      if (!box) continue;
      if (n.kind === 'container') {
        const [frame, head] = this.drawContainer(view, n.id, box);
        this.layerContainers.append(frame);
        this.layerHeads.append(head);
      }
      else {
        const el = n.kind === 'group' ? this.drawGroup(view, n.id, box) : this.drawLayer(view, n.id, box, diagByLayer.get(n.id));
        this.nodeEls.set(n.id, el);
        this.layerNodes.append(el);
      }
    }
    const labelled = new Set<string>();
    // Labels keep off container titles, nodes and each other.
    const heads: Box[] = graph.nodes.filter((n) => n.kind === 'container').map((n) => laid.boxes.get(n.id)).filter((b): b is Box => !!b).map((b) => ({ ...b, height: CONTAINER_HEADER }));
    const placed: Box[] = [...this.nodeEls.keys()].map((id) => laid.boxes.get(id)!).filter(Boolean);
    const consumerCount = new Map<string, number>();
    for (const e of graph.edges) consumerCount.set(`${e.source}|${e.tensor}`, (consumerCount.get(`${e.source}|${e.tensor}`) ?? 0) + 1);
    for (const e of graph.edges) {
      const r = laid.edges.get(e.id);
      if (!r || r.points.length < 2) continue;
      const g = svg('g', { class: 'edge', 'data-source': e.source, 'data-target': e.target });
      const d = roundedPath(r.points, 6);
      g.append(svg('path', { d, 'marker-end': 'url(#cl-arrow)' }));
      if (this.editable && view.layers.has(e.target)) decorateEdge(g, e, r.points, d);
      this.layerEdges.append(g);
      this.edgeEls.set(e.id, g);
      // One shape label per tensor: on the shared stub below the source when it fans out, else on the
      // edge's longest vertical run.
      const key = `${e.source}|${e.tensor}`;
      if (labelled.has(key)) continue;
      const l = view.layers.get(e.tensor);
      if (!l) continue;
      const fanOut = (consumerCount.get(key) ?? 1) > 1;
      const text = dims(l.outputShape);
      const tw = Math.ceil(this.measure.width(text, `10px ${this.measure.mono}`)) + 8;
      const at = labelPoint(r.points, fanOut, heads);
      if (!at) continue;
      const rect = { x: at.x - tw / 2, y: at.y - 7, width: tw, height: 14 };
      if (placed.some((o) => overlaps(o, rect, 2))) continue;
      placed.push(rect);
      labelled.add(key);
      this.layerLabels.append(svg('g', { class: 'edge-label', 'data-tensor': e.tensor },
        svg('rect', { ...rect, rx: 3 }),
        svg('text', { x: at.x, y: at.y + 0.5 }, text)));
    }
    this.svg.setAttribute('data-layers', String(view.layers.size));
    this.cullables = [];
    if (graph.nodes.length > CULL_MIN || this.cullAlways) {
      const add = (el: Element, box: Box | undefined): void => void (box && this.cullables.push({ el: el as SVGGElement, parent: el.parentElement!, box, shown: true, text: true }));
      for (const [id, el] of this.nodeEls) add(el, laid.boxes.get(id));
      for (const el of this.layerContainers.children) add(el, laid.boxes.get((el as SVGGElement).dataset.id!));
      for (const el of this.layerHeads.children) add(el, laid.boxes.get((el as SVGGElement).dataset.id!));
      for (const e of graph.edges) {
        const el = this.edgeEls.get(e.id);
        const pts = laid.edges.get(e.id)?.points;
        if (!el || !pts?.length) continue;
        const xs = pts.map((p) => p.x);
        const ys = pts.map((p) => p.y);
        const x = Math.min(...xs);
        const y = Math.min(...ys);
        add(el, { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y });
      }
      for (const el of this.layerLabels.children) {
        const r = el.firstElementChild!;
        add(el, { x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), width: Number(r.getAttribute('width')), height: Number(r.getAttribute('height')) });
      }
      this.cull();
    }
    this.applyHeat(heat);
    if (this.selected) this.setSelection(this.selected);
  }

  private drawLayer(view: ModelView, id: string, b: Box, diag?: 'error' | 'warning'): SVGGElement {
    const l = view.layers.get(id)!;
    const F = this.fonts();
    const m = this.measure;
    const minor = MINOR_FAMILIES.has(l.family);
    const fam = /^[a-z]+$/.test(l.family) ? l.family : 'unknown';
    const g = svg('g', {
      class: `node layer fam-${fam}${minor ? ' minor' : ''}${diag ? ` has-${diag}` : ''}`,
      transform: `translate(${b.x},${b.y})`, 'data-id': id, 'data-kind': 'layer', 'data-count': 1,
      role: 'button', 'aria-label': `${l.type} ${id}, output ${dims(l.outputShape)}`,
    });
    g.append(
      svg('rect', { class: 'halo', x: -3, y: -3, width: b.width + 6, height: b.height + 6, rx: 9 }),
      svg('rect', { class: 'body', width: b.width, height: b.height, rx: 6 }),
      svg('rect', { class: 'accent', x: 4, y: 6, width: 3, height: b.height - 12, rx: 1.5 }),
    );
    const w = b.width - this.thumbRoom;
    if (minor) {
      const y = b.height / 2;
      const type = shortType(l.type);
      const typeW = m.width(type, F.type);
      const shape = dims(l.outputShape);
      const shapeW = m.width(shape, F.mono);
      g.append(svg('text', { class: 'type', x: 14, y }, type));
      const room = w - 14 - typeW - 6 - shapeW - 20;
      if (l.label && room > 16) g.append(svg('text', { class: 'label', x: 14 + typeW + 6, y }, m.fit(l.label, F.small, room)));
      g.append(svg('text', { class: 'shape', x: w - 10, y, 'text-anchor': 'end' }, shape));
    } else {
      const type = shortType(l.type);
      const typeW = m.width(type, F.type);
      g.append(svg('text', { class: 'type', x: 14, y: 15 }, type));
      if (l.label) g.append(svg('text', { class: 'label', x: w - 10, y: 15, 'text-anchor': 'end' }, m.fit(l.label, F.small, w - 14 - typeW - 24)));
      const shape = dims(l.outputShape);
      const shapeW = m.width(shape, F.mono);
      g.append(svg('text', { class: 'shape', x: 14, y: 32 }, shape));
      const name = faceName(id);
      if (b.height >= MAJOR_H + NAME_LINE) g.append(svg('text', { class: 'name', x: 14, y: 32 + NAME_LINE }, m.fit(name, F.small, w - 14 - 10)));
      else {
        const room = w - 14 - shapeW - 16 - 10;
        if (room > 24) g.append(svg('text', { class: 'name', x: w - 10, y: 32, 'text-anchor': 'end' }, m.fit(name, F.small, room)));
      }
    }
    if (diag) g.append(svg('circle', { class: 'diag-dot', cx: w - 5, cy: 5, r: 3.5 }));
    if (this.editable) g.append(svg('circle', { class: 'port-out', cx: b.width / 2, cy: b.height, r: 4.5 }, svg('title', {}, 'Drag onto a layer to connect')));
    return g;
  }

  private drawGroup(view: ModelView, id: string, b: Box): SVGGElement {
    const grp = view.groups.get(id)!;
    const F = this.fonts();
    const m = this.measure;
    const fam = /^[a-z]+$/.test(grp.family) ? grp.family : 'other';
    const count = grp.allLayers.length;
    const g = svg('g', {
      class: `node group fam-${fam}`, transform: `translate(${b.x},${b.y})`, 'data-id': id, 'data-kind': 'group', 'data-count': count,
      role: 'button', 'aria-expanded': 'false', 'aria-label': `${grp.kind === 'model' ? 'Nested model' : 'Block'} ${grp.name}, ${count} layers, collapsed`,
    });
    const w = b.width;
    const hgt = b.height;
    g.append(
      svg('rect', { class: 'halo', x: -3, y: -3, width: w + 6, height: hgt + 6, rx: 9 }),
      svg('rect', { class: 'stack', x: 6, y: 6, width: w, height: hgt, rx: 6 }),
      svg('rect', { class: 'stack', x: 3, y: 3, width: w, height: hgt, rx: 6 }),
      svg('rect', { class: 'body', width: w, height: hgt, rx: 6 }),
      svg('rect', { class: 'accent', x: 4, y: 6, width: 3, height: hgt - 12, rx: 1.5 }),
      // The twistie: a click here expands the block (a click elsewhere on it selects it).
      svg('g', { class: 'twistie', 'data-toggle': id }, svg('rect', { class: 'hit', x: 2, y: 1, width: 22, height: 26, rx: 3 }), svg('text', { class: 'chev', x: 13, y: 15 }, '▶')),
    );
    const countText = `${count} layers`;
    const countW = m.width(countText, F.small);
    g.append(
      svg('text', { class: 'type', x: 26, y: 15 }, m.fit(grp.name, F.type, w - this.thumbRoom - 26 - countW - 22)),
      svg('text', { class: 'meta', x: w - this.thumbRoom - 10, y: 15, 'text-anchor': 'end' }, countText),
      svg('text', { class: 'meta', x: 14, y: 33 }, `${human(grp.params, 1)} params · ${human(grp.macs, 1)} MACs`),
      svg('text', { class: 'shape', x: 14, y: 50 }, dims(grp.outputShape)),
    );
    return g;
  }

  private drawContainer(view: ModelView, id: string, b: Box): [SVGGElement, SVGGElement] {
    const grp = view.groups.get(id)!;
    const F = this.fonts();
    const m = this.measure;
    const g = svg('g', { class: 'container', transform: `translate(${b.x},${b.y})`, 'data-id': id, 'data-kind': 'container', 'aria-expanded': 'true' });
    const meta = `${grp.allLayers.length} layers · ${human(grp.params, 1)} params`;
    const metaW = m.width(meta, F.small);
    const head = svg('g', { class: 'container-head head', 'data-toggle': id, 'data-id': id, transform: `translate(${b.x},${b.y})`, role: 'button', 'aria-label': `Collapse ${grp.name}` },
      svg('rect', { width: b.width, height: CONTAINER_HEADER }),
      svg('text', { x: 12, y: CONTAINER_HEADER / 2 + 1 }, '▼'),
      svg('text', { class: 'title', x: 26, y: CONTAINER_HEADER / 2 + 1 }, m.fit(grp.name, F.type, Math.max(40, b.width - 26 - metaW - 20))),
    );
    if (b.width - metaW > 120) head.append(svg('text', { x: b.width - 10, y: CONTAINER_HEADER / 2 + 1, 'text-anchor': 'end' }, meta));
    g.append(svg('rect', { class: 'frame', width: b.width, height: b.height, rx: 8 }));
    return [g, head];
  }

  /** Per-layer latency (ms) from the last profile, for the latency overlay. */
  latency: ReadonlyMap<string, number> = new Map();

  applyHeat(mode: HeatMode): { max: number } | null {
    const view = this.view;
    this.svg.classList.toggle('heat', mode !== 'none');
    if (!view || mode === 'none') return null;
    const latency = (id: string): number => this.latency.get(id) ?? 0;
    const value = (id: string): number => {
      const l = view.layers.get(id);
      if (l) return (mode === 'latency' ? latency(id) : mode === 'macs' ? l.macs : l.params) ?? 0;
      const g = view.groups.get(id);
      if (mode === 'latency') return g ? g.layers.reduce((s, m) => s + latency(m), 0) : 0;
      return (mode === 'macs' ? g?.macs : g?.params) ?? 0;
    };
    let max = 0;
    for (const id of this.nodeEls.keys()) max = Math.max(max, value(id));
    // Square-root scale: separates the heavy layers better than log, keeps light ones visible.
    for (const [id, el] of this.nodeEls) el.style.setProperty('--h', (max > 0 ? Math.sqrt(Math.max(0, value(id)) / max) : 0).toFixed(3));
    return { max };
  }

  // ---------- edit feedback ----------

  /** Marks changed items for a moment, each with a badge ("params −1,792 · → 56×56×32"). */
  flash(changes: ReadonlyMap<string, string>, ms = 2600): void {
    clearTimeout(this.flashTimer);
    this.layerFlash.replaceChildren();
    for (const el of this.withClass('.changed')) el.classList.remove('changed');
    const F = this.fonts();
    for (const [id, text] of changes) {
      const el = this.nodeEls.get(id);
      const b = this.laid?.boxes.get(id);
      if (!el || !b) continue;
      el.classList.add('changed');
      if (!text) continue;
      const minus = text.includes('−');
      const plus = /\+/.test(text) || text.startsWith('new');
      const tw = Math.ceil(this.measure.width(text, F.mono)) + 12;
      const x = b.x + b.width - tw + 6;
      const y = b.y - 11;
      this.layerFlash.append(svg('g', { class: `delta-badge ${minus ? 'minus' : plus ? 'plus' : 'neutral'}`, 'data-id': id, transform: `translate(${x},${y})` },
        svg('rect', { width: tw, height: 17, rx: 8.5 }),
        svg('text', { x: tw / 2, y: 9 }, text)));
    }
    this.flashTimer = window.setTimeout(() => {
      this.layerFlash.replaceChildren();
      for (const el of this.withClass('.changed')) el.classList.remove('changed');
    }, ms);
  }

  /** The layout drawn now. */
  get laidOut(): LaidOut | null {
    return this.laid;
  }

  /** Where an item's top-left corner is on screen (px in the svg), or null. */
  screenOf(id: string): { x: number; y: number } | null {
    const b = this.laid?.boxes.get(id);
    if (!b) return null;
    return { x: b.x * this.t.k + this.t.x, y: b.y * this.t.k + this.t.y };
  }

  /** Pans so that an item's top-left corner is at (x, y) on screen: the edited node stays under the eye. */
  keepAt(id: string, x: number, y: number): void {
    const now = this.screenOf(id);
    if (!now) return;
    cancelAnimationFrame(this.anim);
    this.t = { ...this.t, x: this.t.x + x - now.x, y: this.t.y + y - now.y };
    this.apply();
  }

  /** The input port of `target` whose edge ends nearest (x, y), within a few pixels; undefined otherwise. */
  portAt(target: string, x: number, y: number): number | undefined {
    if (!this.graph || !this.laid) return undefined;
    let best: { d: number; port: number } | undefined;
    for (const e of this.graph.edges) {
      if (e.target !== target || e.port === undefined) continue;
      const pts = this.laid.edges.get(e.id)?.points;
      const end = pts?.[pts.length - 1];
      if (!end) continue;
      const d = Math.hypot(end.x - x, (end.y - y) / 2);
      if (d < 16 && (!best || d < best.d)) best = { d, port: e.port };
    }
    return best?.port;
  }

  /** Client point → graph point. */
  toGraph(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.svg.getBoundingClientRect();
    return { x: (clientX - r.left - this.t.x) / this.t.k, y: (clientY - r.top - this.t.y) / this.t.k };
  }

  // ---------- selection and search ----------

  /** Elements with a class, in the document or culled out of it. */
  private withClass(selector: string): Element[] {
    const found = [...this.svg.querySelectorAll(selector)];
    for (const c of this.cullables) if (!c.shown && c.el.matches(selector)) found.push(c.el);
    return found;
  }

  setSelection(id: string | null): void {
    this.selected = id;
    for (const el of this.withClass('.selected')) el.classList.remove('selected');
    for (const el of this.withClass('.edge.hot')) {
      el.classList.remove('hot');
      el.querySelector('path')?.setAttribute('marker-end', 'url(#cl-arrow)');
    }
    if (!id) return;
    const el = this.nodeEls.get(id) ?? (this.layerContainers.querySelector(`[data-id="${cssEscape(id)}"]`) as SVGGElement | null);
    el?.classList.add('selected');
    for (const e of this.edgeEls.values()) {
      if (e.dataset.source === id || e.dataset.target === id) {
        e.classList.add('hot');
        e.querySelector('path')?.setAttribute('marker-end', 'url(#cl-arrow-hot)');
        this.layerEdges.append(e); // draw on top
      }
    }
  }

  setMatches(ids: ReadonlySet<string> | null): void {
    this.svg.classList.toggle('searching', !!ids);
    for (const el of this.withClass('.match')) el.classList.remove('match');
    if (!ids) return;
    for (const id of ids) this.nodeEls.get(id)?.classList.add('match');
  }

  setEdgeLabels(on: boolean): void {
    this.svg.classList.toggle('edge-labels', on);
  }

  /** Each visible node (layers and collapsed groups, culled ones too) with its element and box. */
  eachNode(fn: (id: string, el: SVGGElement, box: Box) => void): void {
    for (const [id, el] of this.nodeEls) {
      const b = this.laid?.boxes.get(id);
      if (b) fn(id, el, b);
    }
  }

  has(id: string): boolean {
    return this.nodeEls.has(id);
  }

  box(id: string): Box | undefined {
    return this.laid?.boxes.get(id);
  }

  /** Visible nodes (layers and collapsed groups) with their boxes. */
  visibleBoxes(): [string, Box][] {
    return [...this.nodeEls.keys()].map((id) => [id, this.laid!.boxes.get(id)!] as [string, Box]);
  }

  neighbours(id: string, dir: 'in' | 'out'): string[] {
    const g = this.graph;
    if (!g) return [];
    const out = g.edges.filter((e) => (dir === 'out' ? e.source === id : e.target === id)).map((e) => (dir === 'out' ? e.target : e.source));
    return [...new Set(out)].filter((n) => this.nodeEls.has(n));
  }

  // ---------- viewport ----------

  /** Hides what lies far outside the viewport (big graphs only); before the transform, so that no
   * layout ever runs with every text in the tree. */
  private cull(): void {
    if (!this.cullables.length || this.cullOff) return;
    const vw = this.viewSize?.width || this.svg.clientWidth || 1;
    const vh = this.viewSize?.height || this.svg.clientHeight || 1;
    const { x, y, k } = this.t;
    const text = k >= TEXT_MIN_ZOOM;
    // Half a viewport of margin on each side: small pans change nothing.
    const x0 = (-x - vw / 2) / k;
    const x1 = (vw * 1.5 - x) / k;
    const y0 = (-y - vh / 2) / k;
    const y1 = (vh * 1.5 - y) / k;
    for (const c of this.cullables) {
      const b = c.box;
      const show = b.x < x1 && b.x + b.width > x0 && b.y < y1 && b.y + b.height > y0;
      if (show && c.text !== text) setText(c, text);
      if (show === c.shown) continue;
      c.shown = show;
      if (show) c.parent.append(c.el);
      else c.el.remove();
    }
  }

  /** Runs `fn` with every element shown (export reads the whole drawing), then culls again. */
  async withEverythingShown<T>(fn: () => T | Promise<T>): Promise<T> {
    this.cullOff = true;
    for (const c of this.cullables) {
      if (!c.text) setText(c, true);
      if (!c.shown) {
        c.shown = true;
        c.parent.append(c.el);
      }
    }
    try {
      return await fn();
    } finally {
      this.cullOff = false;
      this.cull();
    }
  }

  private apply(): void {
    const { x, y, k } = this.t;
    this.cull();
    this.viewport.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k.toFixed(4)})`);
    this.onZoom(k);
  }

  get scale(): number {
    return this.t.k;
  }

  private animateTo(target: Transform, ms = 220): void {
    cancelAnimationFrame(this.anim);
    const from = { ...this.t };
    const start = performance.now();
    const step = (now: number): void => {
      const p = Math.min(1, (now - start) / ms);
      const e = 1 - (1 - p) ** 3;
      this.t = { x: from.x + (target.x - from.x) * e, y: from.y + (target.y - from.y) * e, k: from.k + (target.k - from.k) * e };
      this.apply();
      if (p < 1) this.anim = requestAnimationFrame(step);
    };
    if (ms <= 0 || matchMedia('(prefers-reduced-motion: reduce)').matches) {
      this.t = target;
      this.apply();
    } else this.anim = requestAnimationFrame(step);
  }

  /** Fit: a readable zoom (fitTransform), the long axis scrolled to the selected node or the graph's start. */
  fit(animate = true): void {
    if (!this.laid) return;
    const { width: vw, height: vh } = this.svg.getBoundingClientRect();
    const b = this.selected ? this.laid.boxes.get(this.selected) : undefined;
    const t = fitTransform({ width: vw, height: vh }, this.laid, b && { x: b.x + b.width / 2, y: b.y + b.height / 2 });
    if (t) this.animateTo(t, animate ? 220 : 0);
  }

  /** Fit all: the whole graph in view, however small it gets (up to 125% for small ones). */
  fitAll(animate = true): void {
    if (!this.laid) return;
    const t = fitAllTransform(this.svg.getBoundingClientRect(), this.laid);
    if (t) this.animateTo(t, animate ? 220 : 0);
  }

  /** The opening view: Fit, from the graph's start. */
  initialView(): void {
    this.fit(false);
  }

  zoomBy(factor: number, cx?: number, cy?: number): void {
    const r = this.svg.getBoundingClientRect();
    const px = cx ?? r.width / 2;
    const py = cy ?? r.height / 2;
    const k = Math.min(4, Math.max(0.05, this.t.k * factor));
    const f = k / this.t.k;
    this.t = { k, x: px - (px - this.t.x) * f, y: py - (py - this.t.y) * f };
    this.apply();
  }

  /** Pans (without zooming out) so that the node is in view; centres it when it was off-screen. */
  reveal(id: string, animate = true): void {
    const b = this.laid?.boxes.get(id);
    if (!b) return;
    const r = this.svg.getBoundingClientRect();
    const { x, y, k } = this.t;
    const left = b.x * k + x;
    const top = b.y * k + y;
    // Only a node that is actually clipped moves the view (a node at the top edge stays put).
    const margin = 4;
    const inside = left >= margin && top >= margin && left + b.width * k <= r.width - margin && top + b.height * k <= r.height - margin;
    if (inside) return;
    const kk = Math.max(k, 0.6);
    this.animateTo({ k: kk, x: r.width / 2 - (b.x + b.width / 2) * kk, y: r.height / 2 - (b.y + b.height / 2) * kk }, animate ? 260 : 0);
  }

  private installPanZoom(): void {
    const s = this.svg;
    let drag: { id: number; x: number; y: number; tx: number; ty: number; moved: boolean } | null = null;
    // As in VS Code's editors: the wheel scrolls (Shift: sideways), Ctrl or ⌘ with the wheel zooms, and
    // so does a trackpad pinch (Chrome sends it as a wheel with ctrlKey). Fit leaves a big graph at a
    // readable zoom, so scrolling is how one reads along it.
    s.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = s.getBoundingClientRect();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? r.height : 1;
      if (e.ctrlKey || e.metaKey) {
        // A mouse notch (~100 px) zooms by about 0.6×; a pinch's small deltas zoom smoothly.
        const d = Math.max(-50, Math.min(50, e.deltaY * unit));
        this.zoomBy(Math.exp(-d * 0.01), e.clientX - r.left, e.clientY - r.top);
        return;
      }
      const sideways = e.shiftKey && !e.deltaX;
      cancelAnimationFrame(this.anim);
      this.t = { ...this.t, x: this.t.x - (sideways ? e.deltaY : e.deltaX) * unit, y: this.t.y - (sideways ? 0 : e.deltaY) * unit };
      this.apply();
    }, { passive: false });
    // Presses on output dots and edges never get here: edge-drag.ts takes them (a drag that rewires).
    s.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, tx: this.t.x, ty: this.t.y, moved: false };
    });
    s.addEventListener('contextmenu', (e) => {
      const node = (e.target as Element).closest?.('.node') as SVGGElement | null;
      if (!node || !this.events.contextMenu) return;
      e.preventDefault();
      this.events.contextMenu(node.dataset.id!, e.clientX, e.clientY);
    });
    s.addEventListener('pointermove', (e) => {
      if (drag && drag.id === e.pointerId) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (!drag.moved && Math.hypot(dx, dy) > 3) {
          drag.moved = true;
          s.setPointerCapture(e.pointerId);
          s.classList.add('panning');
          this.events.hover(null, 0, 0);
        }
        if (drag.moved) {
          cancelAnimationFrame(this.anim);
          this.t = { ...this.t, x: drag.tx + dx, y: drag.ty + dy };
          this.apply();
        }
        return;
      }
      const node = (e.target as Element).closest?.('.node') as SVGGElement | null;
      this.events.hover(node?.dataset.id ?? null, e.clientX, e.clientY);
    });
    s.addEventListener('pointerleave', () => this.events.hover(null, 0, 0));
    const end = (e: PointerEvent): void => {
      if (!drag || drag.id !== e.pointerId) return;
      const wasMoved = drag.moved;
      drag = null;
      s.classList.remove('panning');
      if (s.hasPointerCapture(e.pointerId)) s.releasePointerCapture(e.pointerId);
      if (wasMoved || e.type === 'pointercancel') return;
      const target = e.target as Element;
      const toggle = target.closest?.('[data-toggle]') as SVGGElement | null;
      if (toggle) {
        // A collapsed block's ▶: selected, then opened (the arrow keys go on from inside it).
        if (toggle.closest('.node')) this.events.select(toggle.dataset.toggle!);
        return this.events.toggle(toggle.dataset.toggle!);
      }
      const node = target.closest?.('.node') as SVGGElement | null;
      this.events.select(node?.dataset.id ?? null);
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('dblclick', (e) => {
      const node = (e.target as Element).closest?.('.node.group') as SVGGElement | null;
      if (node) this.events.toggle(node.dataset.id!);
    });
  }

  /** Layers drawn, counting each collapsed group as the layers it holds. */
  drawnLayerCount(): number {
    return this.view ? [...this.nodeEls.keys()].reduce((a, id) => a + layerCount(this.view!, id), 0) : 0;
  }
}

/**
 * Fit's view of a graph of `size` in a view of `view` px: the whole graph where it fits at READABLE_ZOOM
 * or more (up to 125% for small ones), centred; else its short axis fitted between READABLE_ZOOM and
 * 100%, and along the long one (which then scrolls) `focus` centred within the graph's ends, or the
 * graph's start. Null when either has no size.
 */
export function fitTransform(view: Size, size: Size, focus?: ElkPoint): Transform | null {
  const { width: vw, height: vh } = view;
  const { width, height } = size;
  if (!vw || !vh || !width || !height) return null;
  const all = fitAllTransform(view, size)!;
  if (all.k >= READABLE_ZOOM) return all;
  const tall = height / vh >= width / vw;
  const k = Math.max(READABLE_ZOOM, Math.min(1, tall ? vw / width : vh / height));
  const place = (room: number, length: number, at: number | undefined): number => {
    if (length * k <= room) return (room - length * k) / 2;
    const want = at === undefined ? FIT_MARGIN : room / 2 - at * k;
    return Math.min(FIT_MARGIN, Math.max(room - length * k - FIT_MARGIN, want));
  };
  return { k, x: place(vw, width, focus?.x), y: place(vh, height, focus?.y) };
}
const FIT_MARGIN = 8;

/** Fit all's view: the whole graph, centred, at up to 125%; null when either has no size. */
export function fitAllTransform(view: Size, size: Size): Transform | null {
  const { width: vw, height: vh } = view;
  const { width, height } = size;
  if (!vw || !vh || !width || !height) return null;
  const k = Math.min(vw / width, vh / height, 1.25);
  return { k, x: (vw - width * k) / 2, y: (vh - height * k) / 2 };
}

function setText(c: Cullable, on: boolean): void {
  c.text = on;
  for (const t of c.el.querySelectorAll('text')) {
    if (on) t.removeAttribute('display');
    else t.setAttribute('display', 'none');
  }
}

/** An orthogonal polyline with rounded corners. */
export function roundedPath(points: readonly ElkPoint[], radius: number): string {
  if (points.length < 2) return '';
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p0 = points[i - 1];
    const p = points[i];
    const p1 = points[i + 1];
    const d0 = Math.hypot(p.x - p0.x, p.y - p0.y);
    const d1 = Math.hypot(p1.x - p.x, p1.y - p.y);
    const r = Math.min(radius, d0 / 2, d1 / 2);
    if (r < 0.5) {
      d += ` L${p.x},${p.y}`;
      continue;
    }
    const ax = p.x + ((p0.x - p.x) / d0) * r;
    const ay = p.y + ((p0.y - p.y) / d0) * r;
    const bx = p.x + ((p1.x - p.x) / d1) * r;
    const by = p.y + ((p1.y - p.y) / d1) * r;
    d += ` L${ax.toFixed(1)},${ay.toFixed(1)} Q${p.x},${p.y} ${bx.toFixed(1)},${by.toFixed(1)}`;
  }
  const last = points[points.length - 1];
  d += ` L${last.x},${last.y}`;
  return d;
}

const overlaps = (a: Box, b: Box, m = 0): boolean => a.x < b.x + b.width + m && b.x < a.x + a.width + m && a.y < b.y + b.height + m && b.y < a.y + a.height + m;

/**
 * Where a shape label sits on an edge: on a vertical run, away from container titles; the first run
 * for a fan-out (the shared trunk), else the longest.
 */
function labelPoint(points: readonly ElkPoint[], first: boolean, heads: readonly Box[]): ElkPoint | null {
  let best: { len: number; p: ElkPoint } | null = null;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (Math.abs(a.x - b.x) > 0.5) continue;
    // The run minus the title bands it crosses: keep the longest free interval.
    let free: [number, number][] = [[Math.min(a.y, b.y), Math.max(a.y, b.y)]];
    for (const hd of heads) {
      if (a.x < hd.x || a.x > hd.x + hd.width) continue;
      free = free.flatMap(([y0, y1]): [number, number][] => {
        const h0 = hd.y - 2;
        const h1 = hd.y + hd.height + 2;
        if (h1 <= y0 || h0 >= y1) return [[y0, y1]];
        return [[y0, Math.max(y0, h0)], [Math.min(y1, h1), y1]].filter(([s, e]) => e - s > 0) as [number, number][];
      });
    }
    for (const [y0, y1] of free) {
      const len = y1 - y0;
      if (!best || len > best.len) best = { len, p: { x: a.x, y: (y0 + y1) / 2 } };
    }
    if (first && best) break;
  }
  return best && best.len >= 16 ? best.p : null;
}

export const cssEscape = (s: string): string => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&'));
