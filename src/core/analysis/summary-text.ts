import type { ModelReport } from './report-types';
import { bytes, grouped, human, percent, shapeText } from './units';
import { atLeast, atLeastGrouped, runtimeWeightsText, storedWeightsText, unknownNote, unknownsOf } from './totals-text';
import { csvCell, escapeControl, markdownText } from '../text/escape';

// The summary as text: a torchinfo-style table, CSV, or Markdown. One row model for all three.

interface Row {
  readonly layer: string;
  readonly type: string;
  readonly output: string;
  readonly params: string;
  readonly paramShare: string;
  readonly macs: string;
  readonly macShare: string;
}

const HEADERS: Row = { layer: 'Layer', type: 'Type', output: 'Output shape', params: 'Params', paramShare: '% params', macs: 'MACs', macShare: '% MACs' };
const RIGHT_ALIGNED = new Set<keyof Row>(['params', 'paramShare', 'macs', 'macShare']);

function rows(report: ModelReport, exact: boolean): Row[] {
  const count = exact ? (n: number | null) => (n === null ? '' : String(n)) : (n: number | null) => (n ? grouped(n) : n === null ? '?' : '–');
  const unknown = new Set(unknownsOf(report).layers);
  return report.layers.map((l) => {
    // Not counted (an op CNN Lens does not know, no shape): '?', not a zero that reads as "none".
    const costs = !unknown.has(l.name);
    const params = costs || !!l.weights?.length;
    return {
      // Names from the file are shown, never obeyed: a table is read in a terminal or a Markdown viewer.
      layer: escapeControl(l.name),
      type: escapeControl(l.type === 'Unknown' ? `${l.sourceClass}?` : l.type),
      output: shapeText(l.outputShape),
      params: params ? count(l.params) : exact ? '' : '?',
      paramShare: params ? percent(l.params, report.totals.params) : '?',
      macs: !costs ? (exact ? '' : '?') : exact ? count(l.macs) : l.macs === null ? '?' : l.macs ? human(l.macs) : '–',
      macShare: costs ? percent(l.macs, report.totals.macs) : '?',
    };
  });
}

export function renderTable(report: ModelReport): string {
  const body = rows(report, false);
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(HEADERS[k].length, ...body.map((r) => r[k].length)));
  const line = (r: Row) => keys.map((k, i) => (RIGHT_ALIGNED.has(k) ? r[k].padStart(widths[i]) : r[k].padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  const t = report.totals;
  const inputs = report.model.inputs.map((i) => `${i.name} ${shapeText(i.shape)}${i.assumed?.length ? ` (${i.assumed.map((d) => `${d.name}=${d.value}`).join(', ')} assumed)` : ''}`).join(', ');
  const u = unknownsOf(report);
  const costs = u.layers.length > 0;
  const runtime = runtimeWeightsText(report);
  return [
    `Model: ${escapeControl(report.model.name)} (${report.model.format})   input: ${escapeControl(inputs)}`,
    rule,
    line(HEADERS),
    rule,
    ...body.map(line),
    rule,
    `Total params:          ${atLeastGrouped(t.params, u.params)} (${atLeast(human(t.params), u.params)})`,
    `Trainable params:      ${atLeastGrouped(t.trainableParams, u.params)}`,
    `Non-trainable params:  ${atLeastGrouped(t.nonTrainableParams, u.params)}`,
    `MACs (mult-adds):      ${atLeastGrouped(t.macs, costs)} (${atLeast(human(t.macs), costs)})`,
    `FLOPs:                 ${atLeastGrouped(t.flops, costs)} (${atLeast(human(t.flops), costs)})`,
    `Weights:               ${storedWeightsText(report, u.params)}${runtime ? `; ${runtime}` : ''}`,
    `Activations:           ${atLeast(bytes(t.activationBytes), costs)} (all layer outputs, float32)`,
    ...(costs ? [`Unknown:               ${unknownNote(u)} (${u.layers.slice(0, 5).join(', ')}${u.layers.length > 5 ? ', …' : ''}): the totals leave them out`] : []),
    rule,
  ].join('\n');
}


export function renderCsv(report: ModelReport): string {
  const header = ['layer', 'type', 'output_shape', 'params', 'trainable_params', 'macs', 'flops', 'weight_bytes', 'activation_bytes'];
  const lines = report.layers.map((l) =>
    [l.name, l.type === 'Unknown' ? l.sourceClass : l.type, shapeText(l.outputShape), l.params, l.trainableParams, l.macs ?? '', l.flops ?? '', l.weightBytes, l.activationBytes ?? '']
      .map((v) => csvCell(escapeControl(String(v))))
      .join(','),
  );
  return [header.join(','), ...lines].join('\n');
}

export function renderMarkdown(report: ModelReport): string {
  const body = rows(report, false);
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const t = report.totals;
  const u = unknownsOf(report);
  const costs = u.layers.length > 0;
  const runtime = runtimeWeightsText(report);
  return [
    `### ${markdownText(report.model.name)}`,
    '',
    `| ${keys.map((k) => HEADERS[k]).join(' | ')} |`,
    `|${keys.map((k) => (RIGHT_ALIGNED.has(k) ? '---:' : '---')).join('|')}|`,
    ...body.map((r) => `| ${keys.map((k) => (k === 'layer' || k === 'type' ? markdownText(r[k]) : cell(r[k]))).join(' | ')} |`),
    '',
    `**Total params** ${atLeastGrouped(t.params, u.params)} (trainable ${grouped(t.trainableParams)}, non-trainable ${grouped(t.nonTrainableParams)}) · **MACs** ${atLeastGrouped(t.macs, costs)} · **FLOPs** ${atLeastGrouped(t.flops, costs)} · **Weights** ${storedWeightsText(report, u.params)}${runtime ? `, ${runtime}` : ''}${costs ? ` · **${unknownNote(u)}**: the totals leave them out` : ''}`,
  ].join('\n');
}
