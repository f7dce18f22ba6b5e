import type { IRNode } from '../ir';
import { MAX_REPORTED_ERRORS } from './limits';

// Orders nodes so every node follows the nodes it reads (files usually list layers in order, but
// shared layers and hand edits break that), and finds cycles, which no network may have.

/**
 * The nodes in an order where each follows its inputs, and the cycles found (the first
 * MAX_REPORTED_ERRORS; `moreCycles` counts the rest, so a tangled file costs linear time).
 */
export function sortTopologically(nodes: readonly IRNode[]): { nodes: IRNode[]; cycles: string[][]; moreCycles: number } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: IRNode[] = [];
  const cycles: string[][] = [];
  let moreCycles = 0;
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
        if (cycles.length >= MAX_REPORTED_ERRORS) moreCycles++;
        else cycles.push(stack.slice(stack.findIndex((f) => f.node.id === producer.id)).map((f) => f.node.id));
      } else if (!seen) {
        state.set(producer.id, 'visiting');
        stack.push({ node: producer, next: 0 });
      }
    }
  }
  return { nodes: order, cycles, moreCycles };
}

/** A cycle for a message: `a → b → c → a`, its middle elided past a dozen nodes. */
export function cycleText(cycle: readonly string[]): string {
  const shown = cycle.length > 12 ? [...cycle.slice(0, 6), `… ${cycle.length - 10} more …`, ...cycle.slice(-4)] : cycle;
  return `${shown.join(' → ')} → ${cycle[0]}`;
}

/** The message of the cycles no one listed. */
export const moreCyclesText = (more: number): string => `and ${more.toLocaleString('en-US')} more cycles`;
