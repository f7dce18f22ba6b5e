// The group tree the diagram draws, computed once on the host: the format's own groups (Keras nested
// models, ONNX name scopes) and, for Keras-style formats, the blocks their layer names follow
// (blocks.ts). The webview reads the result and parses no names.
import type { Graph, IRGroup, IRNode } from '../ir';
import { namedBlocks } from './blocks';

/** What the hierarchy needs of a graph; a hand-made report's layers can give it too (test fixtures). */
export interface HierarchySource {
  readonly format: Graph['format'];
  readonly groups: Graph['groups'];
  readonly nodes: readonly Pick<IRNode, 'id' | 'op' | 'group'>[];
}

export interface Hierarchy {
  /** The format's groups, then the derived blocks in the order of their first layer. */
  readonly groups: readonly IRGroup[];
  /** Node id → its innermost group, for every node inside one. */
  readonly groupOf: ReadonlyMap<string, string>;
}

/**
 * Formats whose layer names carry Keras's block conventions (conv2_block1_1_conv). Graph formats such
 * as ONNX bring their hierarchy as name scopes, and their node names are opaque.
 */
const NAMED_BLOCK_FORMATS: ReadonlySet<string> = new Set(['keras2-json', 'keras3-json', 'tfjs-layers', 'keras2-h5', 'keras3-h5', 'keras3-archive']);

/** Prefixed so that a block id never collides with a layer name or a nested model's id. */
const BLOCK_PREFIX = 'block:';

/** The block a group id stands for, as the editor names it ('conv2_block2', 'outer/conv2_block2'), or null for any other group. */
export const blockKey = (groupId: string): string | null => (groupId.startsWith(BLOCK_PREFIX) ? groupId.slice(BLOCK_PREFIX.length) : null);

/** A node's own name inside its nested model: `outer/conv2_block1_1_conv` → conv2_block1_1_conv. */
const lastSegment = (id: string): string => id.slice(id.lastIndexOf('/') + 1);

export function hierarchy(graph: HierarchySource): Hierarchy {
  const groupOf = new Map<string, string>();
  for (const n of graph.nodes) if (n.group) groupOf.set(n.id, n.group);
  if (!NAMED_BLOCK_FORMATS.has(graph.format)) return { groups: graph.groups, groupOf };

  const formatGroups = new Set(graph.groups.map((g) => g.id));
  const layers = graph.nodes.filter((n) => n.op !== 'Input');
  // One pass over every scope's names: a stem numbering blocks (b1_, b2_, …) counts across nested models.
  const named = namedBlocks(layers.map((n) => lastSegment(n.id)));
  // Candidates first; a block needs two layers or more (a lone `block3_pool` is just a layer).
  const candidate = new Map<string, IRGroup>();
  const members = new Map<string, number>();
  for (const n of layers) {
    const b = named.get(lastSegment(n.id));
    if (!b) continue;
    const id = `${BLOCK_PREFIX}${n.group ? `${n.group}/` : ''}${b.key}`;
    if (formatGroups.has(id)) continue; // a nested model already holds that id: it keeps it
    candidate.set(n.id, { id, name: b.name, kind: 'block', ...(n.group ? { parent: n.group } : {}) });
    members.set(id, (members.get(id) ?? 0) + 1);
  }
  const blocks = new Map<string, IRGroup>();
  for (const [node, block] of candidate) {
    if ((members.get(block.id) ?? 0) < 2) continue;
    if (!blocks.has(block.id)) blocks.set(block.id, block);
    groupOf.set(node, block.id);
  }
  return { groups: [...graph.groups, ...blocks.values()], groupOf };
}
