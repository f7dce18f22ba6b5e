// Lays a big visible graph out one level of the hierarchy at a time, as Model Explorer does, instead of
// one ELK run over everything (INCLUDE_CHILDREN, whose cost grows with every expanded block). Each
// level — the top, or one expanded block's direct members — is a flat ELK graph: its layers and
// collapsed blocks, its expanded blocks as boxes of the size their own level came out, and small
// pseudo nodes where edges enter from outside (top row) or leave (bottom row). Levels are laid out
// deepest first and cached by their request: opening a block lays out its inside and the levels
// around it (whose box grew); every other block's inside keeps its layout untouched. The levels are
// then placed inside their boxes, and each edge is stitched from its pieces across the levels it
// crosses. Pure (no DOM): ELK runs wherever `run` sends it (the page's layout worker).
import { CONTAINER_HEADER, CONTAINER_PAD, fromElk, nodePlacementFor, outPortId, portId, toElk, type Box, type ElkEdge, type ElkNode, type ElkPoint, type ElkPort, type LaidOut, type Size } from './elk-graph';
import type { VisibleGraph, VisibleNode } from './model';

/** Models with more layers than this are laid out level by level (the zoo keeps one ELK run). */
export const LAZY_LAYOUT_MIN_LAYERS = 1000;

/**
 * A level of more items than this uses Brandes–Köpf placement: opening a block must stay quick, and
 * network simplex already costs 2–3× as much at 50–150 nodes (elkjs under Node, residual chains).
 */
const LEVEL_SIMPLEX_MAX = 40;

/** Levels kept; a level's layout is a few hundred boxes, so this is a few MB at most. */
const CACHE_LEVELS = 256;

const ROOT = '';
const MIN_CONTAINER: Size = { width: 180, height: 60 };
/** Pseudo nodes standing for a tensor entering or leaving a level. */
const entryId = (tensor: string): string => `in::${tensor}`;
const exitId = (tensor: string): string => `out::${tensor}`;

export interface LazyLayoutResult {
  readonly laid: LaidOut;
  /** Levels laid out by ELK this time (the rest came from the cache). */
  readonly levelsRun: number;
  /** Levels whose last layout was stretched around boxes that grew, without ELK. */
  readonly levelsStretched: number;
  readonly levels: number;
  /** ELK's own time in the worker, summed over the levels run. */
  readonly elkMs: number;
}

/** One edge piece at one level: between two of its items or pseudo nodes. */
interface Piece { readonly from: string; readonly to: string; readonly port?: number }
const pieceKey = (p: Piece): string => `piece:${p.from}>${p.to}#${p.port ?? ''}`;

interface Level {
  readonly id: string;
  readonly items: VisibleNode[];
  readonly pieces: Map<string, Piece>;
  readonly entries: Set<string>;
  readonly exits: Set<string>;
}

export class LazyLayout {
  private readonly cache = new Map<string, ElkNode>();
  /** Each level's last layout with its request's shape (sizes left out), for stretching. */
  private readonly last = new Map<string, { shape: string; result: ElkNode }>();

  constructor(private readonly run: (graph: ElkNode) => Promise<ElkNode & { elkMs?: number }>) {}

  async layout(graph: VisibleGraph, size: (id: string, kind: 'layer' | 'group') => Size): Promise<LazyLayoutResult> {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const levelOf = (id: string): string => byId.get(id)?.parent ?? ROOT;
    const levels = new Map<string, Level>();
    const level = (id: string): Level => {
      let l = levels.get(id);
      if (!l) levels.set(id, (l = { id, items: [], pieces: new Map(), entries: new Set(), exits: new Set() }));
      return l;
    };
    level(ROOT);
    for (const n of graph.nodes) {
      level(levelOf(n.id)).items.push(n);
      if (n.kind === 'container') level(n.id);
    }
    /** The chain of levels an item sits in, innermost first, ending at the top. */
    const chainOf = (id: string): string[] => {
      const chain: string[] = [];
      for (let l = levelOf(id); ; l = levelOf(l)) {
        chain.push(l);
        if (l === ROOT) return chain;
      }
    };
    // Each visible edge as pieces: out of every level below the common one on the source's side, across
    // the common level, into every level below it on the target's side.
    const routes = new Map<string, { level: string; piece: Piece }[]>();
    for (const e of graph.edges) {
      const up = chainOf(e.source);
      const down = chainOf(e.target);
      const common = up.find((l) => down.includes(l))!;
      const route: { level: string; piece: Piece }[] = [];
      const add = (at: string, piece: Piece): void => {
        const lv = level(at);
        const k = pieceKey(piece);
        if (!lv.pieces.has(k)) lv.pieces.set(k, piece);
        route.push({ level: at, piece });
      };
      // Source side: from the source (then from each block holding it) to that level's exit.
      let from = e.source;
      for (const at of up.slice(0, up.indexOf(common))) {
        level(at).exits.add(e.tensor);
        add(at, { from, to: exitId(e.tensor) });
        from = at;
      }
      const below = down.slice(0, down.indexOf(common)).reverse(); // outermost first
      const into = below.length ? below[0] : e.target;
      add(common, { from, to: into, port: into === e.target ? e.port : undefined });
      below.forEach((at, i) => {
        level(at).entries.add(e.tensor);
        const to = below[i + 1] ?? e.target;
        add(at, { from: entryId(e.tensor), to, port: to === e.target ? e.port : undefined });
      });
      routes.set(e.id, route);
    }

    // Deepest levels first: a block's box takes the size its inside came out.
    const depth = (id: string): number => (id === ROOT ? 0 : chainOf(id).length);
    const order = [...levels.keys()].sort((a, b) => depth(b) - depth(a));
    const laidLevels = new Map<string, ElkNode>();
    const boxSize = new Map<string, Size>();
    let levelsRun = 0;
    let levelsStretched = 0;
    let elkMs = 0;
    for (let i = 0; i < order.length;) {
      // One depth at a time, its levels in parallel.
      const d = depth(order[i]);
      const batch: string[] = [];
      while (i < order.length && depth(order[i]) === d) batch.push(order[i++]);
      await Promise.all(batch.map(async (id) => {
        const request = levelRequest(levels.get(id)!, (n) => (n.kind === 'container' ? boxSize.get(n.id)! : size(n.id, n.kind)), id === ROOT);
        const key = JSON.stringify(request);
        const shape = shapeKey(request);
        let result = this.cache.get(key);
        if (result) {
          this.cache.delete(key); // most recently used last
        } else {
          const before = this.last.get(id);
          result = before && before.shape === shape ? stretched(before.result, request) ?? undefined : undefined;
          if (result) levelsStretched++;
          else {
            const r = await this.run(request);
            levelsRun++;
            elkMs += r.elkMs ?? 0;
            result = r;
          }
        }
        this.last.set(id, { shape, result });
        this.cache.set(key, result);
        laidLevels.set(id, result);
        if (id !== ROOT) boxSize.set(id, { width: Math.max(MIN_CONTAINER.width, result.width ?? 0), height: Math.max(MIN_CONTAINER.height, result.height ?? 0) });
      }));
    }
    while (this.cache.size > CACHE_LEVELS) this.cache.delete(this.cache.keys().next().value!);

    // Place every level inside its box, top down.
    const boxes = new Map<string, Box>();
    const pieceAt = new Map<string, Map<string, ElkPoint[]>>();
    const pseudo = new Map<string, Map<string, Box>>();
    const place = (id: string, dx: number, dy: number): void => {
      const laid = fromElk(laidLevels.get(id)!);
      const points = new Map<string, ElkPoint[]>();
      for (const [k, r] of laid.edges) points.set(k, r.points.map((p) => ({ x: p.x + dx, y: p.y + dy })));
      pieceAt.set(id, points);
      const marks = new Map<string, Box>();
      for (const [child, b] of laid.boxes) {
        const abs = { x: b.x + dx, y: b.y + dy, width: b.width, height: b.height };
        if (child.startsWith('in::') || child.startsWith('out::')) marks.set(child, abs);
        else boxes.set(child, abs);
      }
      pseudo.set(id, marks);
      for (const n of levels.get(id)!.items) if (n.kind === 'container') place(n.id, boxes.get(n.id)!.x, boxes.get(n.id)!.y);
    };
    place(ROOT, 0, 0);

    // Stitch each edge: its pieces in order, joined by short orthogonal jogs at the block borders.
    const edges: LaidOut['edges'] = new Map();
    for (const [id, route] of routes) {
      const points: ElkPoint[] = [];
      for (const { level: at, piece } of route) {
        const part = pieceAt.get(at)?.get(pieceKey(piece));
        if (!part?.length) continue;
        const last = points[points.length - 1];
        if (last) {
          const first = part[0];
          const midY = (last.y + first.y) / 2;
          points.push({ x: last.x, y: midY }, { x: first.x, y: midY });
        }
        points.push(...part);
      }
      edges.set(id, { points: withoutRepeats(points) });
    }
    const top = laidLevels.get(ROOT)!;
    return { laid: { boxes, edges, width: top.width ?? 0, height: top.height ?? 0 }, levelsRun, levelsStretched, levels: levels.size, elkMs };
  }
}

/** A request with its nodes' sizes left out: equal shapes differ only in how big their boxes are. */
const shapeKey = (request: ElkNode): string => JSON.stringify({ ...request, children: request.children?.map((c) => ({ ...c, width: 0, height: 0 })) });

/**
 * A level's last layout, stretched for a request of the same shape whose boxes only grew (a block
 * opened inside, or a nested one grew): everything right of a grown box moves right by its growth,
 * everything below it moves down. Moving all points past a line by the same amount keeps every edge
 * orthogonal and attached, and keeps every box where the user last saw it, relative to its
 * neighbours. Null when a box shrank (closing a block finds its earlier layout in the cache, or ELK runs).
 */
function stretched(before: ElkNode, request: ElkNode): ElkNode | null {
  const want = new Map((request.children ?? []).map((c) => [c.id, c]));
  const children = (before.children ?? []).map((c) => ({ ...c }));
  const points = (before.edges ?? []).map((e) => ({ ...e, sections: (e.sections ?? []).map((sc) => ({ startPoint: { ...sc.startPoint }, endPoint: { ...sc.endPoint }, bendPoints: (sc.bendPoints ?? []).map((b) => ({ ...b })) })) }));
  let width = before.width ?? 0;
  let height = before.height ?? 0;
  for (const c of children) {
    const w = want.get(c.id);
    if (!w) return null;
    const dw = (w.width ?? 0) - (c.width ?? 0);
    const dh = (w.height ?? 0) - (c.height ?? 0);
    if (dw < 0 || dh < 0) return null;
    if (dw === 0 && dh === 0) continue;
    const right = (c.x ?? 0) + (c.width ?? 0);
    const bottom = (c.y ?? 0) + (c.height ?? 0);
    const move = (p: { x?: number; y?: number }): void => {
      if ((p.x ?? 0) >= right - 0.01) p.x = (p.x ?? 0) + dw;
      if ((p.y ?? 0) >= bottom - 0.01) p.y = (p.y ?? 0) + dh;
    };
    for (const o of children) if (o !== c) move(o);
    for (const e of points) for (const sc of e.sections) [sc.startPoint, sc.endPoint, ...sc.bendPoints].forEach(move);
    c.width = w.width;
    c.height = w.height;
    width += dw;
    height += dh;
  }
  return { ...before, children, edges: points, width, height };
}

/** The flat ELK request for one level; coordinates relative to the level's box (a block's header and padding included). */
function levelRequest(lv: Level, sizeOf: (n: VisibleNode) => Size, isRoot: boolean): ElkNode {
  // The root's options (spacing, routing, ports) as the one-run layout has them, minus the hierarchy.
  const options = { ...toElk({ nodes: [], edges: [], rep: new Map() }, { size: () => ({ width: 0, height: 0 }) }).layoutOptions };
  delete options['elk.hierarchyHandling'];
  options['elk.layered.nodePlacement.strategy'] = nodePlacementFor(lv.items.length, LEVEL_SIMPLEX_MAX);
  if (!isRoot) options['elk.padding'] = `[top=${CONTAINER_HEADER + 8},left=${CONTAINER_PAD},bottom=${CONTAINER_PAD},right=${CONTAINER_PAD}]`;
  const fanOut = new Map<string, number>();
  for (const p of lv.pieces.values()) fanOut.set(p.from, (fanOut.get(p.from) ?? 0) + 1);
  const children: ElkNode[] = lv.items.map((n) => {
    const s = sizeOf(n);
    const node: ElkNode = { id: n.id, width: s.width, height: s.height };
    const ports: ElkPort[] = n.kind === 'layer'
      ? Array.from({ length: n.ports }, (_, k) => ({ id: portId(n.id, k), width: 1, height: 1, layoutOptions: { 'elk.port.side': 'NORTH', 'elk.port.index': String(k) } }))
      : [];
    if ((fanOut.get(n.id) ?? 0) > 1) ports.push({ id: outPortId(n.id), width: 1, height: 1, layoutOptions: { 'elk.port.side': 'SOUTH' } });
    if (ports.length) {
      node.ports = ports;
      node.layoutOptions = { 'elk.portConstraints': 'FIXED_ORDER', 'elk.portAlignment.default': 'DISTRIBUTED' };
    }
    return node;
  });
  for (const t of lv.entries) children.push({ id: entryId(t), width: 2, height: 1, layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' } });
  for (const t of lv.exits) children.push({ id: exitId(t), width: 2, height: 1, layoutOptions: { 'elk.layered.layering.layerConstraint': 'LAST' } });
  const ported = new Set(lv.items.filter((n) => n.kind === 'layer' && n.ports > 0).map((n) => n.id));
  const edges: ElkEdge[] = [...lv.pieces.values()].map((p) => ({
    id: pieceKey(p),
    sources: [(fanOut.get(p.from) ?? 0) > 1 && !p.from.startsWith('in::') ? outPortId(p.from) : p.from],
    targets: [p.port !== undefined && ported.has(p.to) ? portId(p.to, p.port) : p.to],
  }));
  return { id: '__root__', layoutOptions: options, children, edges };
}

function withoutRepeats(points: readonly ElkPoint[]): ElkPoint[] {
  const out: ElkPoint[] = [];
  for (const p of points) {
    const q = out[out.length - 1];
    if (!q || Math.abs(q.x - p.x) > 0.01 || Math.abs(q.y - p.y) > 0.01) out.push(p);
  }
  return out;
}
