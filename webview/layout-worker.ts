// The layout worker: runs ELK's layered algorithm off the UI thread. The page builds the ELK graph
// (elk-graph.ts) and posts `{ id, graph }`; the worker answers `{ id, graph }` or `{ id, error }`.
// Bundled as an iife and started from a blob: URL (the webview's CSP allows `worker-src blob:`).
import ELK from 'elkjs/lib/elk.bundled.js';

// elk.bundled.js, loaded inside a worker, installs its own `self.onmessage` (it thinks it *is* the
// ELK worker). It lays out in-process through its fake worker, so take the handler back.
const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = null;

const elk = new ELK();

// Warm ELK up while the page is still reading the report: the first layout of a fresh worker
// otherwise pays for compiling ELK's code (about a second on a 1,000-node graph).
void elk
  .layout({ id: 'warm-up', layoutOptions: { 'elk.algorithm': 'layered' }, children: [{ id: 'a', width: 10, height: 10 }, { id: 'b', width: 10, height: 10 }], edges: [{ id: 'e', sources: ['a'], targets: ['b'] }] })
  .catch(() => undefined);

export interface LayoutRequest { readonly id: number; readonly graph: unknown }
export type LayoutResponse = { readonly id: number; readonly graph: unknown } | { readonly id: number; readonly error: string };

scope.onmessage = async (event: MessageEvent<LayoutRequest>) => {
  const { id, graph } = event.data;
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const t0 = performance.now();
    const result = await elk.layout(graph as any);
    // ELK's own time, apart from the transfer, read by the page's performance figures.
    (result as { elkMs?: number }).elkMs = performance.now() - t0;
    scope.postMessage({ id, graph: result } satisfies LayoutResponse);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies LayoutResponse);
  }
};
