import type { IRNode } from '../ir';
import type { Analysis } from './types';
import { bytes, grouped, human, percent, shapeText } from './units';
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
  const lines = [
    `**${markdownText(node.id)}** · ${markdownCode(node.sourceClass)}${node.op === 'Unknown' ? ' (not understood by CNN Lens)' : ''}`,
    '',
    '| | |',
    '|---|---|',
    ...a.inputShapes.map((s, i) => `| input${a.inputShapes.length > 1 ? ` ${i + 1}` : ''} | \`${shapeText(s)}\` from ${markdownCode(node.inputs[i]?.node ?? '?')} |`),
    `| output | \`${shapeText(a.outputShape)}\` |`,
    `| params | ${grouped(a.params)}${a.nonTrainableParams ? ` (${grouped(a.nonTrainableParams)} non-trainable)` : ''}${shared} · ${percent(a.params, t.params)} |`,
    `| MACs | ${human(a.macs)} · ${percent(a.macs, t.macs)} |`,
    `| FLOPs | ${human(a.flops)} |`,
    `| memory | weights ${bytes(a.weightBytes)}, output ${bytes(a.activationBytes)} |`,
  ];
  const problems = analysis.diagnostics.filter((d) => d.node === id).map((d) => `⚠ ${markdownText(d.message)}`);
  return [...lines, ...(problems.length ? ['', ...problems] : [])].join('\n');
}

/** One hint per layer, placed just after its definition: the output shape. */
export function inlayHints(analysis: Analysis): { offset: number; label: string; tooltip: string }[] {
  return analysis.graph.nodes.flatMap((node) => {
    const a = analysis.byId.get(node.id);
    if (!node.range || !a) return [];
    return [{ offset: node.range.end, label: ` → ${shapeText(a.outputShape)}`, tooltip: `${node.id}: output ${shapeText(a.outputShape)}, ${grouped(a.params)} params, ${human(a.macs)} MACs` }];
  });
}

/** The one-line totals used by the CodeLens and the status bar. */
export function totalsLine(analysis: Analysis): string {
  const t = analysis.totals;
  return `${human(t.params)} params · ${human(t.macs)} MACs · ${human(t.flops)} FLOPs · ${bytes(t.weightBytes)} weights`;
}
