// The diagram's view of a ModelReport: the group tree (report.groups: nested models, name scopes and
// blocks, all found on the host) and, for a given set of collapsed groups, the visible graph. Pure: no DOM.
import type { ModelReport, ReportLayer } from '../src/core/analysis/report-types';
import type { TensorShape } from '../src/core/ir';

// Block ids are the host's (src/core/analysis/hierarchy.ts); the editor duplicates blocks by their key.
export { blockKey } from '../src/core/analysis/hierarchy';

export interface GroupInfo {
  readonly id: string;
  /** Display name: 'conv2_block1', 'block 3', 'inception_3a', or the nested model's name. */
  readonly name: string;
  readonly kind: 'model' | 'block';
  readonly parent?: string;
  /** Direct member layers, in topological order. */
  readonly layers: string[];
  /** Direct child groups. */
  readonly children: string[];
  /** Every layer inside, at any depth, in topological order. */
  allLayers: string[];
  params: number;
  macs: number | null;
  flops: number | null;
  /** The shape leaving the group (the last layer read from outside, else the last layer). */
  outputShape: TensorShape | null;
  /** The layer that tensor comes from: what a collapsed group's activation thumbnail shows. */
  outputLayer: string | null;
  /** Dominant family of the members, for colour. */
  family: string;
}

export interface ModelView {
  readonly report: ModelReport;
  readonly layers: ReadonlyMap<string, ReportLayer>;
  /** Layer id → its index in report.layers. */
  readonly order: ReadonlyMap<string, number>;
  readonly groups: ReadonlyMap<string, GroupInfo>;
  /** Layer id → innermost group id. */
  readonly groupOf: ReadonlyMap<string, string>;
  /** Layer id → ids of the layers that read it. */
  readonly consumers: ReadonlyMap<string, string[]>;
}

export function buildModelView(report: ModelReport): ModelView {
  const layers = new Map<string, ReportLayer>();
  const order = new Map<string, number>();
  report.layers.forEach((l, i) => {
    layers.set(l.name, l);
    order.set(l.name, i);
  });
  const consumers = new Map<string, string[]>();
  for (const l of report.layers) for (const i of l.inputs) {
    const list = consumers.get(i) ?? [];
    if (!list.includes(l.name)) list.push(l.name);
    consumers.set(i, list);
  }

  const groups = new Map<string, GroupInfo>();
  const mk = (id: string, name: string, kind: 'model' | 'block', parent?: string): GroupInfo => ({
    id, name, kind, parent, layers: [], children: [], allLayers: [], params: 0, macs: null, flops: null, outputShape: null, outputLayer: null, family: 'other',
  });
  const groupIds = new Set(report.groups.map((g) => g.id)); // a Set: a 50,000-node export has 15,000 scopes
  for (const g of report.groups) groups.set(g.id, mk(g.id, g.name, g.kind, g.parent && groupIds.has(g.parent) ? g.parent : undefined));

  const groupOf = new Map<string, string>();
  for (const l of report.layers) if (l.group && groups.has(l.group)) groupOf.set(l.name, l.group);
  for (const g of groups.values()) if (g.parent) groups.get(g.parent)?.children.push(g.id);
  for (const l of report.layers) {
    const g = groupOf.get(l.name);
    if (!g) continue;
    groups.get(g)!.layers.push(l.name);
    for (let a: string | undefined = g; a; a = groups.get(a)?.parent) groups.get(a)!.allLayers.push(l.name);
  }
  // Drop empty groups (nested models whose layers all moved elsewhere never happen, but be safe).
  for (const [id, g] of [...groups]) if (g.allLayers.length === 0) {
    groups.delete(id);
    if (g.parent) {
      const p = groups.get(g.parent);
      if (p) p.children.splice(p.children.indexOf(id), 1);
    }
  }
  for (const g of groups.values()) {
    const inside = new Set(g.allLayers);
    let macs: number | null = 0;
    let flops: number | null = 0;
    const famWeight = new Map<string, number>();
    for (const id of g.allLayers) {
      const l = layers.get(id)!;
      g.params += l.params;
      macs = macs === null || l.macs === null ? null : macs + l.macs;
      flops = flops === null || l.flops === null ? null : flops + l.flops;
      const w = l.family === 'conv' || l.family === 'dense' ? 3 : l.family === 'merge' || l.family === 'pool' ? 2 : 1;
      famWeight.set(l.family, (famWeight.get(l.family) ?? 0) + w);
    }
    g.macs = macs;
    g.flops = flops;
    g.family = [...famWeight].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'other';
    const exits = g.allLayers.filter((id) => (consumers.get(id) ?? []).some((c) => !inside.has(c)));
    const exit = exits[exits.length - 1] ?? g.allLayers[g.allLayers.length - 1];
    g.outputShape = layers.get(exit)?.outputShape ?? null;
    g.outputLayer = exit ?? null;
  }
  return { report, layers, order, groups, groupOf, consumers };
}

/** The chain of groups around a layer or group, innermost first. */
export function ancestors(view: ModelView, id: string): string[] {
  const out: string[] = [];
  let g = view.layers.has(id) ? view.groupOf.get(id) : view.groups.get(id)?.parent;
  while (g) {
    out.push(g);
    g = view.groups.get(g)?.parent;
  }
  return out;
}

/** The visible item standing for a layer: itself, or its outermost collapsed group. */
export function representative(view: ModelView, collapsed: ReadonlySet<string>, layerId: string): string {
  let rep = layerId;
  for (const g of ancestors(view, layerId)) if (collapsed.has(g)) rep = g;
  return rep;
}

export interface VisibleNode {
  readonly id: string;
  readonly kind: 'layer' | 'group' | 'container';
  /** The expanded group holding this item, if any. */
  readonly parent?: string;
  /** For multi-input layers: the number of input ports. */
  readonly ports: number;
}

export interface VisibleEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Input port index at the target, when the target has ports. */
  readonly port?: number;
  /** The layer whose output this edge carries. */
  readonly tensor: string;
}

export interface VisibleGraph {
  readonly nodes: VisibleNode[];
  readonly edges: VisibleEdge[];
  /** Layer id → the visible item standing for it. */
  readonly rep: Map<string, string>;
}

export function visibleGraph(view: ModelView, collapsed: ReadonlySet<string>): VisibleGraph {
  // Per group, the outermost collapsed group around it (itself included), or null: memoised, so that
  // a graph of 35,000 layers in 15,000 scopes walks each chain once (what `representative` gives).
  const outermost = new Map<string, string | null>();
  const collapsedAround = (g: string | undefined): string | null => {
    if (!g) return null;
    let found = outermost.get(g);
    if (found === undefined) outermost.set(g, (found = collapsedAround(view.groups.get(g)?.parent) ?? (collapsed.has(g) ? g : null)));
    return found;
  };
  const rep = new Map<string, string>();
  for (const id of view.layers.keys()) rep.set(id, collapsedAround(view.groupOf.get(id)) ?? id);
  const nodes: VisibleNode[] = [];
  const hidden = (g: string): boolean => collapsedAround(view.groups.get(g)?.parent) !== null;
  for (const g of view.groups.values()) {
    if (hidden(g.id)) continue;
    nodes.push({ id: g.id, kind: collapsed.has(g.id) ? 'group' : 'container', parent: g.parent, ports: 0 });
  }
  const edges: VisibleEdge[] = [];
  const seen = new Set<string>();
  for (const l of view.report.layers) {
    const target = rep.get(l.name)!;
    const isLayer = target === l.name;
    const srcs = l.inputs.filter((i) => view.layers.has(i));
    const ported = isLayer && srcs.length > 1;
    if (isLayer) nodes.push({ id: l.name, kind: 'layer', parent: view.groupOf.get(l.name), ports: ported ? srcs.length : 0 });
    srcs.forEach((input, k) => {
      const source = rep.get(input)!;
      if (source === target) return;
      const key = ported ? `${source}→${target}#${k}` : `${source}→${target}`;
      if (seen.has(key)) return;
      seen.add(key);
      edges.push({ id: `e${edges.length}`, source, target, port: ported ? k : undefined, tensor: input });
    });
  }
  return { nodes, edges, rep };
}

/** Groups to collapse when a model opens: every group when the model is big, none otherwise. */
export function defaultCollapsed(view: ModelView, threshold = 150): Set<string> {
  if (view.layers.size <= threshold) return new Set();
  return new Set(view.groups.keys());
}

/** Number of layers a visible item stands for. */
export const layerCount = (view: ModelView, id: string): number => (view.layers.has(id) ? 1 : view.groups.get(id)?.allLayers.length ?? 0);
