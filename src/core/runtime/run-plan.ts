import type { Graph, IRNode } from '../ir';

// Which nodes a run computes, in what order, and how long each output must live: shared by the
// executor (which frees tensors by it) and the memory estimate (which adds their bytes up by it).

export interface RunPlan {
  /** The nodes the outputs and taps need, in topological order. */
  readonly order: readonly IRNode[];
  /** How many later nodes read each node's output. */
  readonly reads: ReadonlyMap<string, number>;
  /** Outputs and taps: kept to the end of the run. */
  readonly kept: ReadonlySet<string>;
  /** The tapped node ids, in the order asked. */
  readonly tapIds: readonly string[];
}

/** Plans a run of `graph` returning its outputs and the taps (every node, or these ids). */
export function planRun(graph: Graph, taps?: 'all' | readonly string[]): RunPlan {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const tapIds = taps === 'all' ? graph.nodes.map((n) => n.id) : [...(taps ?? [])];
  for (const id of tapIds) if (!byId.has(id)) throw new Error(`cannot tap "${id}": there is no such node in ${graph.name}`);
  for (const ref of graph.outputs) if (!byId.has(ref.node)) throw new Error(`the model's output refers to "${ref.node}", which is not a node of ${graph.name}`);
  const kept = new Set([...tapIds, ...graph.outputs.map((r) => r.node)]);
  const needed = new Set<string>();
  const stack = [...kept];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const ref of byId.get(id)?.inputs ?? []) stack.push(ref.node);
  }
  const order = graph.nodes.filter((n) => needed.has(n.id));
  const reads = new Map<string, number>();
  for (const node of order) for (const ref of node.inputs) reads.set(ref.node, (reads.get(ref.node) ?? 0) + 1);
  return { order, reads, kept, tapIds };
}
