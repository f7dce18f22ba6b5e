import type { Graph, IRNode } from '../../core/ir';

// ONNX Runtime's profiler trace (Chrome trace events) attributed back to the IR's layers.
//
// ORT writes one `cat: "Node"` event per kernel per run, named `<ORT node name>_kernel_time`, with
// the kernel's op in `args.op_name`, and one `cat: "Session"` event `model_run` per run. After its
// graph optimisations ORT's nodes are not the file's: a convolution, its batch norm, a residual
// Add and the ReLU after them can be one kernel, named after one of them: the original node's name
// (`/fc/Gemm`), or a value it computes plus a suffix (`/relu/Relu_output_0_nchwc`: NCHWc layout).
// Attribution, per kernel:
// 1. The kernel's name, stripped of ORT's suffixes, names an IR node (its node name, or a value it outputs).
// 2. When that layer's op is not the kernel's (a Conv kernel named after the ReLU's output), it is
//    not the chain's head: the chain extends upstream, through producers read only by the chain and
//    without a kernel, up to the layer whose op is the kernel's. Then every chain extends downstream
//    over the following layers that have no kernel of their own, each the only reader of the one
//    before (the activation, the residual Add fused after a convolution).
// 3. The kernel's time is shared among its chain by FLOPs (equally where none count any), and each
//    layer names the kernel and the layers fused with it.
// Kernels that name no layer (ReorderInput/ReorderOutput inserted for NCHWc) are reported apart;
// layers in no kernel were removed by ORT's optimiser (Dropout, Identity, folded constants).

export interface TraceEvent {
  readonly cat?: string;
  readonly name: string;
  readonly ph?: string;
  readonly ts: number;
  readonly dur?: number;
  readonly args?: { readonly op_name?: string; readonly [key: string]: unknown };
}

/** One ORT kernel, and the IR layers it computes. */
export interface KernelAttribution {
  /** ORT's node name (the event name without `_kernel_time`). */
  readonly kernel: string;
  readonly op: string;
  /** IR node ids, upstream first; empty for kernels that name no layer. */
  readonly layers: readonly string[];
}

export interface TraceAttribution {
  readonly kernels: ReadonlyMap<string, KernelAttribution>;
  /** Each attributed layer's kernel name. */
  readonly kernelOf: ReadonlyMap<string, string>;
  /** Per timed run: each kernel's time, ms (a kernel that ran twice in a run is summed). */
  readonly runs: readonly ReadonlyMap<string, number>[];
}

const KERNEL_SUFFIX = '_kernel_time';
/** Suffixes ORT's transformers add to the names of the nodes they make. */
const ORT_SUFFIXES = [/_nchwc$/, /_fused$/, /_token_\d+$/, /_\d+$/];

/** `FusedConv` computes a Conv, `NchwcConv` too: the op a kernel stands for, as the file would spell it. */
const baseOp = (op: string): string => op.replace(/^(Fused|Nchwc|Quant)/, '').replace(/(Fusion|Quant)$/, '');

/** Splits a trace into runs (`model_run` windows) and their kernel events, skipping the first `skip` runs (warm-up). */
export function kernelRuns(events: readonly TraceEvent[], skip = 0): { runs: Map<string, number>[]; ops: Map<string, string> } {
  const windows = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => [e.ts, e.ts + (e.dur ?? 0)] as const);
  const runs = windows.map(() => new Map<string, number>());
  const ops = new Map<string, string>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
    const kernel = e.name.slice(0, -KERNEL_SUFFIX.length);
    ops.set(kernel, e.args?.op_name ?? '');
    const w = windows.findIndex(([a, b]) => e.ts >= a && e.ts <= b);
    if (w < 0) continue;
    runs[w].set(kernel, (runs[w].get(kernel) ?? 0) + (e.dur ?? 0) / 1000);
  }
  return { runs: runs.slice(skip), ops };
}

/** Attributes each kernel of the trace to IR layers (see the header). */
export function attributeKernels(graph: Graph, ops: ReadonlyMap<string, string>, layerValues: ReadonlyMap<string, string>): Map<string, KernelAttribution> {
  const computed = graph.nodes.filter((n) => n.op !== 'Constant' && n.op !== 'Input');
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const byName = new Map<string, string>();
  for (const n of computed) {
    if (!byName.has(n.layer)) byName.set(n.layer, n.id);
    for (const v of n.outputNames ?? []) if (!byName.has(v)) byName.set(v, n.id);
  }
  for (const [id, v] of layerValues) if (byId.get(id)?.op !== 'Constant' && !byName.has(v)) byName.set(v, id);
  const readers = new Map<string, IRNode[]>();
  for (const n of graph.nodes) for (const r of n.inputs) readers.set(r.node, [...(readers.get(r.node) ?? []), n]);

  const resolve = (kernel: string): string | undefined => {
    let name = kernel;
    for (;;) {
      const id = byName.get(name);
      if (id) return id;
      const stripped = ORT_SUFFIXES.reduce((s, re) => (s === name ? s.replace(re, '') : s), name);
      if (stripped === name) return undefined;
      name = stripped;
    }
  };
  const named = new Map<string, string>(); // kernel → the layer its name resolves to
  for (const kernel of ops.keys()) {
    const id = resolve(kernel);
    if (id) named.set(kernel, id);
  }
  const owned = new Set(named.values());
  const onlyReader = (id: string): IRNode | undefined => {
    const r = readers.get(id) ?? [];
    return r.length === 1 ? r[0] : undefined;
  };

  const isKernelOp = (n: IRNode, op: string): boolean => n.sourceClass === baseOp(op) || n.op === baseOp(op);
  const chains = new Map<string, string[]>();
  // Upstream first, for every kernel named after its chain's tail: those claims must stand before
  // any chain grows downstream into them.
  for (const [kernel, id] of named) {
    const node = byId.get(id)!;
    const chain = [id];
    chains.set(kernel, chain);
    if (isKernelOp(node, ops.get(kernel)!)) continue;
    const stack = [node];
    while (stack.length) {
      const cur = stack.pop()!;
      if (cur !== node && isKernelOp(cur, ops.get(kernel)!)) continue;
      for (const ref of cur.inputs) {
        const p = byId.get(ref.node);
        if (!p || p.op === 'Constant' || p.op === 'Input' || owned.has(p.id) || onlyReader(p.id) !== cur) continue;
        chain.unshift(p.id);
        owned.add(p.id);
        stack.push(p);
      }
    }
  }
  // Then downstream from each chain's end, over the layers read only from it that have no kernel
  // of their own (an activation or a residual Add fused after the convolution).
  for (const chain of chains.values()) {
    for (let next = onlyReader(chain[chain.length - 1]); next && !owned.has(next.id) && next.op !== 'Constant'; next = onlyReader(next.id)) {
      chain.push(next.id);
      owned.add(next.id);
    }
  }
  const out = new Map<string, KernelAttribution>();
  for (const [kernel, op] of ops) {
    const chain = chains.get(kernel) ?? [];
    out.set(kernel, { kernel, op, layers: graph.nodes.filter((n) => chain.includes(n.id)).map((n) => n.id) });
  }
  return out;
}

/** Attributes a whole trace: kernels to layers, and each timed run's kernel times. */
export function attributeTrace(graph: Graph, events: readonly TraceEvent[], layerValues: ReadonlyMap<string, string>, warmupRuns = 0): TraceAttribution {
  const { runs, ops } = kernelRuns(events, warmupRuns);
  const kernels = attributeKernels(graph, ops, layerValues);
  const kernelOf = new Map<string, string>();
  for (const k of kernels.values()) for (const id of k.layers) kernelOf.set(id, k.kernel);
  return { kernels, kernelOf, runs };
}
