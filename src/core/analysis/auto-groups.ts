// Hierarchy for graphs that carry too little of their own. Wherever one level of the group tree (the
// top, or one group's direct members) holds more than AUTO_GROUP_LIMIT drawn items, its items are cut,
// in topological order, into runs of about √n items, and each run becomes a group ('auto:' ids). Cuts
// go where the fewest tensors cross (one, between residual blocks or along a chain between merges), so
// that a run has one way in and one way out. A level of more than LIMIT runs is cut again, so no level
// ever shows more than LIMIT items, however flat the graph. Deterministic: the same graph, the same groups.
// The diagram lays out one level at a time, so this is what keeps a 50,000-node export drawable.
import type { IRGroup } from '../ir';

/** The most items one level may hold before it is cut into runs (ELK lays out 400 nodes in ~0.2 s). */
export const AUTO_GROUP_LIMIT = 400;

/** Prefixed so that an automatic group's id never collides with a layer name or a format's group. */
export const AUTO_GROUP_PREFIX = 'auto:';

export interface AutoGroupLayer {
  readonly id: string;
  /** The drawn layers it reads. */
  readonly inputs: readonly string[];
  /** Its innermost group, if any. */
  readonly group?: string;
}

export interface AutoGrouped {
  readonly groups: IRGroup[];
  /** Layer id → its innermost group, for every layer inside one. */
  readonly groupOf: Map<string, string>;
}

interface Item {
  readonly id: string;
  readonly isLayer: boolean;
  /** Position of its first layer in topological order. */
  readonly first: number;
  readonly label: string;
}

/** An item being cut into runs: a layer, a group, or a run already made; named by its first and last members. */
interface RunItem { readonly id: string; readonly head: string; readonly tail: string; readonly isLayer: boolean }

/** Groups for `layers` (in topological order) over the `groups` they already have. */
export function autoGroups(groups: readonly IRGroup[], layers: readonly AutoGroupLayer[], limit = AUTO_GROUP_LIMIT): AutoGrouped {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const groupOf = new Map<string, string>();
  for (const l of layers) if (l.group && byId.has(l.group)) groupOf.set(l.id, l.group);
  const parentOf = (g: string): string | undefined => {
    const p = byId.get(g)?.parent;
    return p && byId.has(p) ? p : undefined;
  };
  // Each layer's chain of groups, innermost first; each group's first layer.
  const chains = layers.map((l) => {
    const chain: string[] = [];
    for (let g = groupOf.get(l.id); g; g = parentOf(g)) chain.push(g);
    return chain;
  });
  const firstOf = new Map<string, number>();
  chains.forEach((chain, i) => { for (const g of chain) if (!firstOf.has(g)) firstOf.set(g, i); });
  // Levels: '' is the top; each holds its direct layers and its child groups that hold drawn layers.
  const levels = new Map<string, Item[]>();
  const itemsOf = (level: string): Item[] => {
    let items = levels.get(level);
    if (!items) levels.set(level, (items = []));
    return items;
  };
  layers.forEach((l, i) => itemsOf(chains[i][0] ?? '').push({ id: l.id, isLayer: true, first: i, label: l.id.slice(l.id.lastIndexOf('/') + 1) }));
  for (const g of groups) if (firstOf.has(g.id)) itemsOf(parentOf(g.id) ?? '').push({ id: g.id, isLayer: false, first: firstOf.get(g.id)!, label: g.name });

  const position = new Map(layers.map((l, i) => [l.id, i]));
  const added: IRGroup[] = [];
  const newParent = new Map<string, string>();
  for (const [level, items] of levels) {
    if (items.length <= limit) continue;
    items.sort((a, b) => a.first - b.first);
    // The item standing for a layer at this level (the layer, or its group that is a direct member).
    const index = new Map(items.map((it, k) => [it.id, k]));
    const itemAt = (layer: number): number | undefined => {
      const chain = chains[layer];
      const at = level === '' ? chain.length : chain.indexOf(level);
      if (at < 0) return undefined;
      return index.get(at === 0 ? layers[layer].id : chain[at - 1]);
    };
    const edges: [number, number][] = [];
    layers.forEach((l, i) => {
      const b = itemAt(i);
      if (b === undefined) return;
      for (const input of l.inputs) {
        const p = position.get(input);
        const a = p === undefined ? undefined : itemAt(p);
        if (a !== undefined && a !== b) edges.push([a, b]);
      }
    });
    split(level, items.map((it) => ({ id: it.id, head: it.label, tail: it.label, isLayer: it.isLayer })), edges, 0);
  }

  /** Cuts one level's items into runs; recurses while the runs are still too many. */
  function split(level: string, items: readonly RunItem[], edges: readonly [number, number][], depth: number): void {
    const runs = cutPoints(items.length, edges, limit);
    const runOf = new Int32Array(items.length);
    const runItems: RunItem[] = [];
    runs.forEach(([start, end], k) => {
      if (end - start === 1) { // a run of one adds nothing to see: the item stays where it is
        runOf[start] = runItems.length;
        runItems.push(items[start]);
        return;
      }
      const id = `${AUTO_GROUP_PREFIX}${level}/${depth}.${k + 1}`;
      const head = items[start].head;
      const tail = items[end - 1].tail;
      added.push({ id, name: `${head} … ${tail}`, kind: 'block', ...(level ? { parent: level } : {}) });
      for (let i = start; i < end; i++) {
        runOf[i] = runItems.length;
        const it = items[i];
        if (it.isLayer) groupOf.set(it.id, id);
        else newParent.set(it.id, id);
      }
      runItems.push({ id, head, tail, isLayer: false });
    });
    if (runItems.length <= limit) return;
    // Too many runs still: cut the runs themselves (they then hang under the coarser runs).
    const runEdges = edges.map(([a, b]): [number, number] => [runOf[a], runOf[b]]).filter(([a, b]) => a !== b);
    split(level, runItems, runEdges, depth + 1);
  }

  const moved = (g: IRGroup): IRGroup => (newParent.has(g.id) ? { ...g, parent: newParent.get(g.id)! } : g);
  return { groups: [...groups.map(moved), ...added.map(moved)], groupOf };
}

/**
 * Runs [start, end) over `n` items in order: about √n items each (never more than `limit`), each cut
 * at the place within [s/2, 2s] where the fewest edges cross, nearest s on ties.
 */
export function cutPoints(n: number, edges: readonly (readonly [number, number])[], limit: number): [number, number][] {
  const s = Math.min(limit, Math.max(Math.ceil(Math.sqrt(n)), Math.ceil(n / limit)));
  // live[i]: the items at or before i read after i (the tensors crossing a cut after i).
  const lastUse = new Int32Array(n).fill(-1);
  for (const [a, b] of edges) if (b > a && b > lastUse[a]) lastUse[a] = b;
  const delta = new Int32Array(n + 1);
  for (let a = 0; a < n; a++) if (lastUse[a] > a) {
    delta[a] += 1;
    delta[lastUse[a]] -= 1;
  }
  const live = new Int32Array(n);
  for (let i = 0, run = 0; i < n; i++) live[i] = run += delta[i];
  const runs: [number, number][] = [];
  let start = 0;
  while (start < n) {
    const left = n - start;
    if (left <= Math.min(limit, Math.ceil(s * 1.5))) {
      runs.push([start, n]);
      break;
    }
    const lo = start + Math.max(1, Math.ceil(s / 2));
    const hi = Math.min(start + 2 * s, start + limit, n - 1);
    let best = lo;
    for (let end = lo; end <= hi; end++) {
      const cost = live[end - 1];
      const bestCost = live[best - 1];
      if (cost < bestCost || (cost === bestCost && Math.abs(end - start - s) < Math.abs(best - start - s))) best = end;
    }
    runs.push([start, best]);
    start = best;
  }
  return runs;
}
