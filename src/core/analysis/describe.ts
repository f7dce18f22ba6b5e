import type { IRNode } from '../ir';
import type { Analysis } from './types';
import { bytes, grouped, human, percent, shapeText } from './units';
import { runtimeWeights } from './stored-weights';
import { totalsPhrases, totalsText, unknownsOf, type TotalsFacts } from './totals-text';
import { markdownCode, markdownText } from '../text/escape';

// Text about the model for the editor: what a hover, an inlay hint and a CodeLens say. Pure
// functions of the analysis, so the editor glue stays thin and these are unit-tested.

/** The innermost layer whose definition contains `offset` (a nested model's layers win over the model). */
export function nodeAtOffset(analysis: Analysis, offset: number): IRNode | undefined {
  let best: IRNode | undefined;
  for (const node of analysis.graph.nodes) {
    const r = node.range;
    if (r && r.start <= offset && offset <= r.end && (!best || r.end - r.start < best.range!.end - best.range!.start)) best = node;
  }
  return best;
}

/** Markdown for hovering a layer: its shapes and what it costs, with shares of the model's totals. */
export function hoverMarkdown(analysis: Analysis, id: string): string {
  const node = analysis.graph.nodes.find((n) => n.id === id);
  const a = analysis.byId.get(id);
  if (!node || !a) return '';
  const t = analysis.totals;
  // Names from the file only as code spans or escaped text: nothing in a hover can become a link or an image.
  const shared = node.sharesWeightsWith ? ` (weights shared with ${markdownCode(node.sharesWeightsWith)})` : '';
  // An op CNN Lens does not know, or no output shape: what it costs is not known (its stored weights, where the file has them, are).
  const unknownCosts = node.op === 'Unknown' || !a.outputShape;
  const unknownParams = unknownCosts && !node.inputs.some((r) => analysis.graph.nodes.find((n) => n.id === r.node)?.op === 'Constant');
  const lines = [
    `**${markdownText(node.id)}** · ${markdownCode(node.sourceClass)}${node.op === 'Unknown' ? ' (not understood by CNN Lens)' : ''}`,
    '',
    '| | |',
    '|---|---|',
    ...a.inputShapes.map((s, i) => `| input${a.inputShapes.length > 1 ? ` ${i + 1}` : ''} | \`${shapeText(s)}\` from ${markdownCode(node.inputs[i]?.node ?? '?')} |`),
    `| output | \`${shapeText(a.outputShape)}\` |`,
    unknownParams
      ? '| params | unknown (not counted in the totals) |'
      : `| params | ${grouped(a.params)}${a.nonTrainableParams ? ` (${grouped(a.nonTrainableParams)} non-trainable)` : ''}${shared} · ${percent(a.params, t.params)} |`,
    unknownCosts ? '| MACs | unknown (not counted in the totals) |' : `| MACs | ${human(a.macs)} · ${percent(a.macs, t.macs)} |`,
    `| FLOPs | ${unknownCosts ? 'unknown' : human(a.flops)} |`,
    `| memory | weights ${bytes(a.weightBytes)}, output ${bytes(a.activationBytes)} |`,
  ];
  const problems = analysis.diagnostics.filter((d) => d.node === id).map((d) => `⚠ ${markdownText(d.message)}`);
  // Shares of totals that leave layers out: say which totals they are.
  const facts = totalsFacts(analysis);
  const partial = unknownsOf(facts).layers.length ? [`Model: ${totalsText(facts)}`] : [];
  return [...lines, ...(problems.length ? ['', ...problems] : []), ...(partial.length ? ['', ...partial] : [])].join('\n');
}

/** One hint per layer, placed just after its definition: the output shape. */
export function inlayHints(analysis: Analysis): { offset: number; label: string; tooltip: string }[] {
  return analysis.graph.nodes.flatMap((node) => {
    const a = analysis.byId.get(node.id);
    if (!node.range || !a) return [];
    return [{ offset: node.range.end, label: ` → ${shapeText(a.outputShape)}`, tooltip: `${node.id}: output ${shapeText(a.outputShape)}, ${grouped(a.params)} params, ${human(a.macs)} MACs` }];
  });
}

/** What the totals texts need, from an analysis (without building the whole report). */
export function totalsFacts(analysis: Analysis): TotalsFacts {
  const constants = new Set(analysis.graph.nodes.filter((n) => n.op === 'Constant').map((n) => n.id));
  return {
    totals: analysis.totals,
    memory: { weightBytesByDtype: analysis.weightBytesByDtype, ...runtimeWeights(analysis) },
    layers: analysis.graph.nodes.flatMap((n, i) => (analysis.nodes[i].folded ? [] : [{ name: n.id, type: n.op, outputShape: analysis.nodes[i].outputShape ?? null, weights: n.inputs.filter((r) => constants.has(r.node)) }])),
  };
}

/** The one-line totals used by the CodeLens and the status bar's tooltip ("≥ 25.56M params · … · 3 layers unknown"). */
export const totalsLine = (analysis: Analysis): string => totalsText(totalsFacts(analysis));

/** The status bar's short form: params and MACs, and how many layers are unknown. */
export function totalsShort(analysis: Analysis): string {
  const phrases = totalsPhrases(totalsFacts(analysis));
  const note = phrases.find((p) => p.endsWith(' unknown'));
  return [...phrases.slice(0, 2), ...(note ? [note] : [])].join(' · ');
}
