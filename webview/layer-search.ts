// The diagram's search (issue 11): a query matches layer names; `type:` filters by layer type.
// Names come first: "add" finds the `…_add` layers and the layers whose type starts with "add" (Add),
// never a type that merely contains it (ZeroPadding2D). `type:conv` alone lists every Conv2D, Conv…;
// `type:add block3` the Add layers whose name holds "block3".
import type { ReportLayer } from '../src/core/analysis/report-types';

export interface LayerQuery {
  /** Lower-case text to find in names; empty matches every name. */
  readonly name: string;
  /** Lower-case type prefix (after `type:`), or null when the query has none. */
  readonly type: string | null;
}

export function parseLayerQuery(q: string): LayerQuery {
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const typed = words.find((w) => w.startsWith('type:'));
  return { name: words.filter((w) => w !== typed).join(' '), type: typed === undefined ? null : typed.slice(5) };
}

/** The names of the matching layers: name matches in model order, then (plain queries) type matches. */
export function searchLayers(layers: readonly Pick<ReportLayer, 'name' | 'type'>[], q: string): string[] {
  const { name, type } = parseLayerQuery(q);
  if (type !== null) return layers.filter((l) => l.type.toLowerCase().startsWith(type) && l.name.toLowerCase().includes(name)).map((l) => l.name);
  if (!name) return [];
  const byName = layers.filter((l) => l.name.toLowerCase().includes(name));
  const named = new Set(byName.map((l) => l.name));
  const byType = layers.filter((l) => !named.has(l.name) && l.type.toLowerCase().startsWith(name));
  return [...byName, ...byType].map((l) => l.name);
}
