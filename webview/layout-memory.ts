// Keeps the diagram still across edits. ELK lays a graph out from scratch, so a small edit could move
// nodes far from it. This remembers the last layout and, for the next one:
//  - reuses it as is when the visible graph and every node's size are unchanged (an attribute edit that
//    changes no node's size): positions are identical and ELK is not asked at all;
//  - after an edit of the model, or when only node sizes changed, seeds ELK with the previous
//    coordinates and switches cycle breaking and layer assignment to ELK's INTERACTIVE strategies (with
//    the semi-interactive crossing minimisation the diagram already uses) at every level of the
//    hierarchy, so that unchanged nodes keep their layer and their order. New nodes start just below
//    the node feeding them. ELK's INTERACTIVE node placement is not used: in trials on the zoo it kept
//    fewer nodes on their column than network simplex.
//  - seeding usually keeps more nodes in place than a fresh layout but not always (a new long edge
//    pushes columns apart either way), so on zoo-sized graphs both are laid out and the stiller kept.
// Pure (no DOM): runs in the page and in unit tests with elkjs under Node.
import type { Box, ElkNode, LaidOut, Size } from './elk-graph';
import type { VisibleGraph } from './model';

/** Options that make ELK follow the seeded coordinates; set on the root and on every compound node. */
export const INTERACTIVE_OPTIONS: Readonly<Record<string, string>> = {
  'elk.layered.cycleBreaking.strategy': 'INTERACTIVE',
  'elk.layered.layering.strategy': 'INTERACTIVE',
  'elk.layered.crossingMinimization.semiInteractive': 'true',
  'elk.separateConnectedComponents': 'false',
};

/** What the visible graph is made of: nodes (kind, parent, ports) and edges; equal keys lay out alike. */
export function topologyKey(graph: VisibleGraph): string {
  const nodes = graph.nodes.map((n) => `${n.kind}:${n.id}<${n.parent ?? ''}>${n.ports}`);
  const edges = graph.edges.map((e) => `${e.source}>${e.target}#${e.port ?? ''}`);
  return `${nodes.join('\n')}\n--\n${edges.join('\n')}`;
}

/** The sizes a request gives its leaf nodes (compound nodes get theirs from ELK). */
export function requestSizes(root: ElkNode): Map<string, Size> {
  const sizes = new Map<string, Size>();
  const visit = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      if (c.children) visit(c);
      else sizes.set(c.id, { width: c.width ?? 0, height: c.height ?? 0 });
    }
  };
  visit(root);
  return sizes;
}

const sameSizes = (a: ReadonlyMap<string, Size>, b: ReadonlyMap<string, Size>): boolean =>
  a.size === b.size && [...a].every(([id, s]) => {
    const o = b.get(id);
    return !!o && o.width === s.width && o.height === s.height;
  });

/**
 * Where the nodes of a new graph start: their previous boxes (absolute), and for nodes that are new, a
 * guess: just below the first node feeding them that has a place, else just above one they feed.
 * A new compound node starts around its children's guesses.
 */
export function seedBoxes(graph: VisibleGraph, sizes: ReadonlyMap<string, Size>, previous: LaidOut): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const n of graph.nodes) {
    const b = previous.boxes.get(n.id);
    if (b) boxes.set(n.id, b);
  }
  for (const n of graph.nodes) {
    if (boxes.has(n.id) || n.kind === 'container') continue;
    const size = sizes.get(n.id) ?? { width: 0, height: 0 };
    const from = graph.edges.find((e) => e.target === n.id && boxes.has(e.source));
    const into = graph.edges.find((e) => e.source === n.id && boxes.has(e.target));
    if (from) {
      const p = boxes.get(from.source)!;
      boxes.set(n.id, { x: p.x, y: p.y + p.height + 1, ...size });
    } else if (into) {
      const c = boxes.get(into.target)!;
      boxes.set(n.id, { x: c.x, y: c.y - size.height - 1, ...size });
    }
  }
  // New compound nodes, innermost first (a child container is listed after its parent).
  for (const n of [...graph.nodes].reverse()) {
    if (boxes.has(n.id) || n.kind !== 'container') continue;
    const inside = graph.nodes.filter((c) => c.parent === n.id).map((c) => boxes.get(c.id)).filter((b): b is Box => !!b);
    if (!inside.length) continue;
    const x = Math.min(...inside.map((b) => b.x));
    const y = Math.min(...inside.map((b) => b.y));
    boxes.set(n.id, { x, y, width: Math.max(...inside.map((b) => b.x + b.width)) - x, height: Math.max(...inside.map((b) => b.y + b.height)) - y });
  }
  return boxes;
}

/**
 * How much to stretch the seeds along the flow so that no two nodes that did not overlap before overlap
 * now (ELK's interactive layering puts nodes whose vertical extents overlap in one layer): the largest
 * growth in height of a node, at least 1. Seeds are relative to their parents, so stretching all of
 * them by one factor keeps every gap.
 */
export function seedStretch(sizes: ReadonlyMap<string, Size>, previous: LaidOut): number {
  let k = 1;
  for (const [id, s] of sizes) {
    const b = previous.boxes.get(id);
    if (b && b.height > 0) k = Math.max(k, s.height / b.height);
  }
  return k;
}

/** Writes seed coordinates into an ELK request (relative to each node's parent, as ELK reads them) and turns on the interactive strategies. */
export function seedRequest(root: ElkNode, seeds: ReadonlyMap<string, Box>, stretch = 1): void {
  root.layoutOptions = { ...root.layoutOptions, ...INTERACTIVE_OPTIONS };
  const visit = (n: ElkNode, px: number, py: number): void => {
    for (const c of n.children ?? []) {
      const b = seeds.get(c.id);
      if (b) {
        c.x = b.x - px;
        c.y = (b.y - py) * stretch;
      }
      if (c.children?.length) {
        c.layoutOptions = { ...c.layoutOptions, ...INTERACTIVE_OPTIONS };
        visit(c, b ? b.x : px, b ? b.y : py);
      }
    }
  };
  visit(root, 0, 0);
}

/**
 * The node to keep at its screen place when no edited node is (a deletion, a change typed in the text):
 * the first in flow order that kept its layer's place across the flow as most nodes did. The input
 * side of an edit does not move down the flow, and ELK may shift the whole drawing sideways when its
 * width changes, so this keeps the most nodes still. Null when no node is shared.
 */
export function steadiest(previous: LaidOut, next: LaidOut, order: readonly string[]): string | null {
  const votes = new Map<number, number>();
  const dx = new Map<string, number>();
  for (const id of order) {
    const a = previous.boxes.get(id);
    const b = next.boxes.get(id);
    if (!a || !b) continue;
    const d = Math.round(b.x - a.x);
    dx.set(id, d);
    votes.set(d, (votes.get(d) ?? 0) + 1);
  }
  let mode: number | null = null;
  for (const [d, n] of votes) if (mode === null || n > votes.get(mode)!) mode = d;
  for (const [id, d] of dx) if (d === mode) return id;
  return null;
}

/**
 * How still a layout kept the nodes of the previous one, as a pair compared in order: how many stayed
 * on the column (across the flow) that most stayed on, then how many did not move at all relative to
 * `reference` (the node the view keeps under the eye), else to the first node in flow order (the input
 * side, which an edit further down leaves alone). Moving down the flow is how an insertion makes room,
 * so only the second count sees it.
 */
export function stillness(previous: LaidOut, next: LaidOut, order: readonly string[], reference?: string): [number, number] {
  const moves: [number, number][] = [];
  const ids = reference && previous.boxes.has(reference) && next.boxes.has(reference) ? [reference, ...order.filter((id) => id !== reference)] : order;
  for (const id of ids) {
    const a = previous.boxes.get(id);
    const b = next.boxes.get(id);
    // Centres across the flow (a node that widens stays on its column), tops along it.
    if (a && b) moves.push([Math.round(b.x + b.width / 2 - a.x - a.width / 2), Math.round(b.y - a.y)]);
  }
  if (!moves.length) return [0, 0];
  const columns = new Map<number, number>();
  for (const [dx] of moves) columns.set(dx, (columns.get(dx) ?? 0) + 1);
  const [fx, fy] = moves[0];
  return [Math.max(...columns.values()), moves.filter(([dx, dy]) => dx === fx && dy === fy).length];
}

/** Up to this many visible items, a seeded layout is raced against a fresh one (ELK twice) and the stiller kept. */
export const COMPARE_MAX = 300;

export type LayoutPlan =
  | { readonly reuse: LaidOut }
  /** Lay each request out, then `pick` the result to draw. The seeded request, if any, comes first. */
  | { readonly requests: readonly ElkNode[]; readonly seeded: boolean };

export class LayoutMemory {
  private last: { graph: VisibleGraph; key: string; sizes: Map<string, Size>; laid: LaidOut } | null = null;

  /**
   * What to do for this graph: reuse the last layout when nothing that ELK reads has changed; else ask
   * ELK, seeded with the last layout when only sizes changed or when `edited` (the model was edited,
   * not re-opened; a block expanded or collapsed gets a fresh layout). Seeding usually keeps more nodes
   * in place, but not always (a new long edge can push columns apart either way): on graphs of up to
   * COMPARE_MAX items a fresh layout is asked for too and `pick` keeps whichever moved fewer nodes.
   */
  plan(graph: VisibleGraph, request: ElkNode, edited: boolean): LayoutPlan {
    const key = topologyKey(graph);
    const sizes = requestSizes(request);
    const last = this.last;
    if (last && last.key === key && sameSizes(last.sizes, sizes)) return { reuse: last.laid };
    if (!last || (!edited && last.key !== key)) return { requests: [request], seeded: false };
    const seeded = structuredClone(request);
    seedRequest(seeded, seedBoxes(graph, sizes, last.laid), seedStretch(sizes, last.laid));
    return { requests: graph.nodes.length <= COMPARE_MAX ? [seeded, request] : [seeded], seeded: true };
  }

  /**
   * Of the laid-out requests (in `plan`'s order), the one that keeps the last layout stillest, as seen
   * with `reference` kept under the eye; the first on a tie.
   */
  pick(results: readonly LaidOut[], graph: VisibleGraph, reference?: string): { laid: LaidOut; index: number } {
    const last = this.last;
    if (!last || results.length < 2) return { laid: results[0], index: 0 };
    const order = graph.nodes.filter((n) => n.kind !== 'container').map((n) => n.id);
    const score = results.map((r) => stillness(last.laid, r, order, reference));
    let best = 0;
    for (let i = 1; i < results.length; i++) if (score[i][0] > score[best][0] || (score[i][0] === score[best][0] && score[i][1] > score[best][1])) best = i;
    return { laid: results[best], index: best };
  }

  remember(graph: VisibleGraph, request: ElkNode, laid: LaidOut): void {
    this.last = { graph, key: topologyKey(graph), sizes: requestSizes(request), laid };
  }

  /** Layers were renamed (old → new): the last layout is theirs under the new names, so a rename moves nothing. */
  rename(names: ReadonlyMap<string, string>): void {
    const last = this.last;
    if (!last || !names.size) return;
    const r = (id: string): string => names.get(id) ?? id;
    const graph: VisibleGraph = {
      nodes: last.graph.nodes.map((n) => ({ ...n, id: r(n.id), parent: n.parent && r(n.parent) })),
      edges: last.graph.edges.map((e) => ({ ...e, source: r(e.source), target: r(e.target), tensor: r(e.tensor) })),
      rep: new Map([...last.graph.rep].map(([layer, rep]) => [r(layer), r(rep)])),
    };
    const boxes = new Map([...last.laid.boxes].map(([id, b]) => [r(id), b]));
    this.last = { graph, key: topologyKey(graph), sizes: new Map([...last.sizes].map(([id, size]) => [r(id), size])), laid: { ...last.laid, boxes } };
  }
}
