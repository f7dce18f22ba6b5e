import type { TensorShape } from '../ir';
import { getOp } from '../ops';
import type { ModelReport, ReportLayer } from './report-types';
import type { Analysis, Totals } from './types';

// Turns an Analysis into plain JSON: unknown numbers (NaN) become null, Maps become arrays.

const known = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function buildReport(analysis: Analysis): ModelReport {
  const { graph } = analysis;
  const shapeOf = (id: string): TensorShape | null => analysis.byId.get(id)?.outputShape ?? null;
  const layers = graph.nodes.map((node, i): ReportLayer => {
    const a = analysis.nodes[i];
    const op = getOp(node.op);
    let label = '';
    try {
      label = op ? op.label(node.attrs) : node.sourceClass;
    } catch {
      label = node.sourceClass; // attributes that a label cannot show are reported by analysis already
    }
    return {
      name: node.id,
      type: node.op,
      inputs: node.inputs.map((r) => r.node),
      outputShape: a.outputShape ?? null,
      params: a.params,
      trainableParams: a.trainableParams,
      macs: known(a.macs),
      flops: known(a.flops),
      weightBytes: a.weightBytes,
      activationBytes: known(a.activationBytes),
      family: op?.family ?? 'unknown',
      label,
      sourceClass: node.sourceClass,
      group: node.group,
      attrs: node.attrs,
      inputShapes: a.inputShapes.map((s) => s ?? null),
      nonTrainableParams: a.nonTrainableParams,
      range: node.range,
    };
  });
  const totals = Object.fromEntries(Object.entries(analysis.totals).map(([k, v]) => [k, known(v)])) as { [K in keyof Totals]: number | null };
  return {
    model: {
      name: graph.name,
      format: graph.format,
      inputs: graph.inputs.map((id) => ({ name: id, shape: shapeOf(id) })),
      outputs: graph.outputs.map((r) => ({ name: r.node, shape: shapeOf(r.node) })),
    },
    layers,
    totals,
    diagnostics: analysis.diagnostics.map((d) => ({ severity: d.severity, layer: d.node ?? null, message: d.message, range: d.range ?? null, code: d.code })),
    groups: graph.groups,
  };
}
