import type { ModelReport } from './report-types';
import { bytes, grouped, human, percent, shapeText } from './units';
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
  return report.layers.map((l) => ({
    // Names from the file are shown, never obeyed: a table is read in a terminal or a Markdown viewer.
    layer: escapeControl(l.name),
    type: escapeControl(l.type === 'Unknown' ? `${l.sourceClass}?` : l.type),
    output: shapeText(l.outputShape),
    params: count(l.params),
    paramShare: percent(l.params, report.totals.params),
    macs: exact ? count(l.macs) : l.macs === null ? '?' : l.macs ? human(l.macs) : '–',
    macShare: percent(l.macs, report.totals.macs),
  }));
}

export function renderTable(report: ModelReport): string {
  const body = rows(report, false);
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(HEADERS[k].length, ...body.map((r) => r[k].length)));
  const line = (r: Row) => keys.map((k, i) => (RIGHT_ALIGNED.has(k) ? r[k].padStart(widths[i]) : r[k].padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  const t = report.totals;
  const inputs = report.model.inputs.map((i) => `${i.name} ${shapeText(i.shape)}${i.assumed?.length ? ` (${i.assumed.map((d) => `${d.name}=${d.value}`).join(', ')} assumed)` : ''}`).join(', ');
  return [
    `Model: ${escapeControl(report.model.name)} (${report.model.format})   input: ${escapeControl(inputs)}`,
    rule,
    line(HEADERS),
    rule,
    ...body.map(line),
    rule,
    `Total params:          ${grouped(t.params)} (${human(t.params)})`,
    `Trainable params:      ${grouped(t.trainableParams)}`,
    `Non-trainable params:  ${grouped(t.nonTrainableParams)}`,
    `MACs (mult-adds):      ${grouped(t.macs)} (${human(t.macs)})`,
    `FLOPs:                 ${grouped(t.flops)} (${human(t.flops)})`,
    `Weights:               ${weightsByDtype(report)}`,
    `Activations:           ${bytes(t.activationBytes)} (all layer outputs, float32)`,
    rule,
  ].join('\n');
}

/** "97.5 MiB (float32)", or "12.1 MiB (int8 11.9 MiB, float32 196 KiB)" for a mixed model, largest first. */
function weightsByDtype(report: ModelReport): string {
  const entries = Object.entries(report.memory.weightBytesByDtype).filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1]);
  const total = bytes(report.totals.weightBytes);
  if (entries.length <= 1) return `${total} (${entries[0]?.[0] ?? 'float32'})`;
  return `${total} (${entries.map(([dtype, b]) => `${dtype} ${bytes(b)}`).join(', ')})`;
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
  return [
    `### ${markdownText(report.model.name)}`,
    '',
    `| ${keys.map((k) => HEADERS[k]).join(' | ')} |`,
    `|${keys.map((k) => (RIGHT_ALIGNED.has(k) ? '---:' : '---')).join('|')}|`,
    ...body.map((r) => `| ${keys.map((k) => (k === 'layer' || k === 'type' ? markdownText(r[k]) : cell(r[k]))).join(' | ')} |`),
    '',
    `**Total params** ${grouped(t.params)} (trainable ${grouped(t.trainableParams)}, non-trainable ${grouped(t.nonTrainableParams)}) · **MACs** ${grouped(t.macs)} · **FLOPs** ${grouped(t.flops)} · **Weights** ${bytes(t.weightBytes)}`,
  ].join('\n');
}
