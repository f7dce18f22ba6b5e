import type { IRNode } from '../ir';

// Orders nodes so every node follows the nodes it reads (files usually list layers in order, but
// shared layers and hand edits break that), and finds cycles, which no network may have.

export function sortTopologically(nodes: readonly IRNode[]): { nodes: IRNode[]; cycles: string[][] } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: IRNode[] = [];
  const cycles: string[][] = [];
  // Iterative depth-first search: a 10,000-layer chain must not overflow the stack.
  for (const start of nodes) {
    if (state.has(start.id)) continue;
    const stack: { node: IRNode; next: number }[] = [{ node: start, next: 0 }];
    state.set(start.id, 'visiting');
    while (stack.length) {
      const top = stack[stack.length - 1];
      const input = top.node.inputs[top.next++];
      if (input === undefined) {
        state.set(top.node.id, 'done');
        order.push(top.node);
        stack.pop();
        continue;
      }
      const producer = byId.get(input.node);
      if (!producer) continue; // dangling reference: reported by the parser
      const seen = state.get(producer.id);
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.node.id === producer.id);
        cycles.push(stack.slice(from).map((f) => f.node.id));
      } else if (!seen) {
        state.set(producer.id, 'visiting');
        stack.push({ node: producer, next: 0 });
      }
    }
  }
  return { nodes: order, cycles };
}
