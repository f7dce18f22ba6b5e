import type { TensorShape } from '../ir';
import { getOp } from '../ops';
import { formatOfGraph } from '../formats/registry';
import { autoGroups } from './auto-groups';
import { hierarchy } from './hierarchy';
import { runtimeWeights } from './stored-weights';
import type { ModelReport, ReportLayer, ReportWeight } from './report-types';
import type { Analysis, Totals } from './types';

// Turns an Analysis into plain JSON: unknown numbers (NaN) become null, Maps become arrays.

const known = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function buildReport(analysis: Analysis): ModelReport {
  const { graph } = analysis;
  const shapeOf = (id: string): TensorShape | null => analysis.byId.get(id)?.outputShape ?? null;
  // Constants and folded shape arithmetic are not drawn: their consumers list them as weights or operands.
  const hidden = (id: string): boolean => analysis.byId.get(id)?.folded === true;
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const weightsOf = (inputs: readonly { node: string }[]): ReportWeight[] =>
    inputs.flatMap((r, position) => {
      const source = nodeById.get(r.node);
      const tensor = source?.tensor ? graph.constants?.[source.tensor] : undefined;
      return tensor ? [{ name: tensor.name, input: position, shape: tensor.shape, dtype: tensor.dtype, bytes: tensor.byteLength }] : [];
    });
  // The whole group tree (nested models, name scopes, Keras blocks): the webview derives none of it.
  const own = hierarchy(graph);
  const drawnLayers = graph.nodes.flatMap((node, i): ReportLayer[] => {
    const a = analysis.nodes[i];
    if (a.folded) return [];
    const drawn = node.inputs.map((r, k) => ({ r, k })).filter(({ r }) => !hidden(r.node));
    const weights = weightsOf(node.inputs);
    const op = getOp(node.op);
    let label = '';
    try {
      label = op ? op.label(node.attrs) : node.sourceClass;
    } catch {
      label = node.sourceClass; // attributes that a label cannot show are reported by analysis already
    }
    return [{
      name: node.id,
      type: node.op,
      inputs: drawn.map(({ r }) => r.node),
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
      group: own.groupOf.get(node.id),
      attrs: node.attrs,
      inputShapes: drawn.map(({ k }) => a.inputShapes[k] ?? null),
      nonTrainableParams: a.nonTrainableParams,
      range: node.range,
      ...(node.sourceAttrs ? { sourceAttrs: node.sourceAttrs } : {}),
      ...(weights.length ? { weights } : {}),
      ...(a.outputShapes.length > 1 ? { outputShapes: a.outputShapes.map((s) => s ?? null) } : {}),
    }];
  });
  // Where a level of that tree holds too many layers to draw (a flat 50,000-node export), runs of them become groups.
  const { groups, groupOf } = autoGroups(own.groups, drawnLayers.map((l) => ({ id: l.name, inputs: l.inputs, group: l.group })));
  const layers = drawnLayers.map((l) => (groupOf.get(l.name) === l.group ? l : { ...l, group: groupOf.get(l.name) }));
  const format = formatOfGraph(graph);
  const totals = Object.fromEntries(Object.entries(analysis.totals).map(([k, v]) => [k, known(v)])) as { [K in keyof Totals]: number | null };
  return {
    model: {
      name: graph.name,
      format: graph.format,
      inputs: graph.inputs.map((id) => ({
        name: id,
        shape: shapeOf(id),
        ...(graph.symbolicDims?.[id] ? { dimNames: graph.symbolicDims[id] } : {}),
        ...(analysis.assumedDims.some((d) => d.input === id && graph.symbolicDims?.[id]?.[d.axis]) ? { assumed: analysis.assumedDims.filter((d) => d.input === id && graph.symbolicDims?.[id]?.[d.axis]).map(({ axis, name, value }) => ({ axis, name, value })) } : {}),
      })),
      outputs: graph.outputs.map((r) => ({ name: r.node, shape: analysis.byId.get(r.node)?.outputShapes[r.index] ?? null })),
      readOnly: !format?.edits,
      ...(format?.layout ? { layout: format.layout } : {}),
    },
    memory: { weightBytesByDtype: analysis.weightBytesByDtype, ...runtimeWeights(analysis) },
    layers,
    totals,
    diagnostics: analysis.diagnostics.map((d) => ({ severity: d.severity, layer: d.node ?? null, message: d.message, range: d.range ?? null, code: d.code })),
    groups,
  };
}

