import { blockCounter, blockOfName, namedBlocks } from '../analysis/blocks';
import { blockKey, hierarchy } from '../analysis/hierarchy';
import type { Analysis } from '../analysis/types';
import { shapeText } from '../analysis/units';
import type { Graph, IRNode, TensorRef } from '../ir';
import { EditError } from './types';

// A block as the duplicateBlock edit sees it: its layers, the one tensor it reads from outside, the
// one layer whose output leaves it, and the names its copy gets. Format-neutral: the write-back in
// formats/ turns this into text.

export interface BlockSpan {
  /** The block's key ('conv2_block2'), without the nested model's prefix. */
  readonly key: string;
  /** The nested model holding the block, if any. */
  readonly scope?: string;
  /** Its layers, in the graph's (topological) order. */
  readonly members: readonly IRNode[];
  /** The one tensor it reads from outside. */
  readonly input: TensorRef;
  /** The one layer read from outside (or the model's output). */
  readonly output: IRNode;
}

/** Finds `block` ('conv2_block2', its display name 'block 3', or 'outer/conv2_block2') and checks it has one way in and one way out. */
export function findBlock(graph: Graph, block: string): BlockSpan {
  const cut = block.lastIndexOf('/');
  const scope = cut < 0 ? undefined : block.slice(0, cut);
  const wanted = block.slice(cut + 1);
  // The blocks the diagram draws (hierarchy.ts), so the edit acts on exactly what the user sees.
  const { groups, groupOf } = hierarchy(graph);
  const group = groups.find((g) => blockKey(g.id) === block) ?? groups.find((g) => blockKey(g.id) !== null && g.parent === scope && g.name === wanted);
  const members = group ? graph.nodes.filter((n) => groupOf.get(n.id) === group.id) : [];
  if (!group || !members.length) throw new EditError(`there is no block "${block}" in the model`);
  const key = blockKey(group.id)!.slice(scope === undefined ? 0 : scope.length + 1);
  const shared = members.find((n) => n.sharesWeightsWith || graph.nodes.some((o) => o.sharesWeightsWith === n.id));
  if (shared) throw new EditError(`${key} cannot be duplicated: its layer "${shared.layer}" is called more than once (shared weights)`);
  const inside = new Set(members.map((n) => n.id));
  const inputs = new Map<string, TensorRef>();
  for (const n of members) for (const ref of n.inputs) if (!inside.has(ref.node)) inputs.set(`${ref.node}:${ref.index}`, ref);
  if (inputs.size !== 1) {
    const names = [...inputs.values()].map((r) => r.node).join(', ');
    throw new EditError(`${key} reads ${inputs.size} tensors from outside${names ? ` (${names})` : ''}; only a block with one input can be duplicated`);
  }
  const readOutside = (n: IRNode): boolean =>
    graph.outputs.some((o) => o.node === n.id) || graph.nodes.some((o) => !inside.has(o.id) && o.inputs.some((r) => r.node === n.id));
  const exits = members.filter(readOutside);
  if (exits.length !== 1) {
    throw new EditError(`${key} has ${exits.length} outputs read from outside${exits.length ? ` (${exits.map((n) => n.layer).join(', ')})` : ''}; only a block with one output can be duplicated`);
  }
  return { key, scope, members, input: [...inputs.values()][0], output: exits[0] };
}

/** The block holding layer `id`, as findBlock names it ('conv2_block2', 'outer/conv2_block2'), if any. */
export function blockOfLayer(graph: Graph, id: string): string | undefined {
  const group = hierarchy(graph).groupOf.get(id);
  return (group && blockKey(group)) ?? undefined;
}

/**
 * Refuses a block whose output shape differs from its input shape (a downsampling or projection
 * block, an Inception module that widens): a copy after it would read a tensor it was not built for.
 */
export function assertIdentityBlock(analysis: Analysis, span: BlockSpan): void {
  const input = analysis.byId.get(span.input.node)?.outputShape;
  const output = analysis.byId.get(span.output.id)?.outputShape;
  if (!input || !output) throw new EditError(`${span.key} cannot be duplicated: its shapes are unknown (fix the problems above it first)`);
  if (shapeText(input) === shapeText(output)) return;
  const changes: string[] = [];
  const spatialIn = input.slice(1, -1).join('×');
  const spatialOut = output.slice(1, -1).join('×');
  if (spatialIn !== spatialOut) {
    const smaller = output.slice(1, -1).every((d, i) => d !== null && input[i + 1] !== null && d <= input[i + 1]!);
    changes.push(smaller ? `downsamples (${spatialIn} → ${spatialOut})` : `resizes (${spatialIn} → ${spatialOut})`);
  }
  const [cIn, cOut] = [input[input.length - 1], output[output.length - 1]];
  if (cIn !== cOut) changes.push(`changes the channels (${cIn ?? '?'} → ${cOut ?? '?'})`);
  throw new EditError(
    `${span.key} cannot be duplicated: it turns ${shapeText(input)} into ${shapeText(output)} (it ${changes.join(' and ') || 'changes the shape'}), ` +
      'so a copy after it would not fit; only a block whose output shape equals its input shape (an identity block) can be repeated',
  );
}

/**
 * The copy's layer names: each member's name with the block counter moved to the next free block of
 * the same convention (conv2_block2 → conv2_block4 when conv2_block3 exists; inception_4b → inception_4f;
 * conv_dw_3 → conv_dw_14 in a 13-block MobileNet). A copy so named is a block of its own in the
 * diagram and can itself be duplicated; a `_copy` suffix would read as part of the original block.
 */
export function copyNames(graph: Graph, span: BlockSpan): Map<string, string> {
  const taken = new Set(graph.nodes.filter((n) => n.group === span.scope).map((n) => n.layer));
  const keys = new Set([...namedBlocks([...taken]).values()].map((b) => b.key));
  const spans = span.members.map((n) => ({ name: n.layer, at: blockCounter(n.layer) }));
  const unnumbered = spans.find((s) => !s.at);
  if (unnumbered) throw new EditError(`${span.key} cannot be duplicated: its layer names (${unnumbered.name}) carry no block number for the copy to continue`);
  let counter = spans[0].name.slice(spans[0].at!.start, spans[0].at!.end);
  for (let tries = 0; tries < 1000; tries++) {
    const next = nextCounter(counter);
    if (!next) break;
    counter = next;
    const names = new Map(spans.map((s) => [s.name, s.name.slice(0, s.at!.start) + counter + s.name.slice(s.at!.end)]));
    const copies = [...names.values()];
    const key = namedBlocks([...taken, ...copies]).get(copies[0])?.key ?? blockOfName(copies[0])?.key;
    if (key && !keys.has(key) && copies.every((c) => !taken.has(c))) return names;
  }
  throw new EditError(`${span.key} cannot be duplicated: no free block number follows it`);
}

/** 2 → 3; 4b → 4c (Inception, EfficientNet letter the blocks of a stage); 4z has no successor. */
function nextCounter(counter: string): string | null {
  if (/^\d+$/.test(counter)) return String(Number(counter) + 1);
  const m = /^(\d+)([a-y])$/.exec(counter);
  return m ? `${m[1]}${String.fromCharCode(m[2].charCodeAt(0) + 1)}` : null;
}
