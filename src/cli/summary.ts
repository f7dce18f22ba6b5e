import { parseArgs } from 'node:util';
import { analyze, buildReport } from '../core';
import { parseSource, parseSourceWithFiles } from '../core/formats/registry';
import type { ModelReport } from '../core/analysis/report-types';
import type { Dim, Graph } from '../core/ir';
import { renderCsv, renderMarkdown, renderTable } from '../core/analysis/summary-text';
import { openModelFile } from './files';
import { UsageError, type CommandResult } from './usage';
import { escapeControl } from '../core/text/escape';

export const SUMMARY_USAGE = `cnn-lens summary FILE [--input-shape 1,224,224,3] [--batch N] [--json | --csv | --markdown]

  Prints every layer's output shape, parameters and MACs, and the model's totals.
  --input-shape  replaces the model's input shape, batch first (e.g. MobileNet at 160: 1,160,160,3)
  --batch        batch size (default 1); counts scale with it
  --json         the stable JSON schema documented in README.md
  --csv          one row per layer, exact integers
  --markdown     a Markdown table

  Exit status: 0 ok, 1 the model has errors (printed after the analysis of the rest), 2 usage or file errors.`;

export function parseShape(text: string): Dim[] {
  const dims = text.split(/[,x×]/).map((s) => s.trim());
  const shape = dims.map((d) => (/^(none|null|\?|-1)$/i.test(d) ? null : Number(d)));
  if (!dims.length || shape.some((d) => d !== null && (!Number.isInteger(d) || d < 1))) {
    throw new UsageError(`--input-shape "${text}" is not a shape: give positive integers separated by commas, batch first, e.g. 1,224,224,3`);
  }
  return shape;
}

interface SummaryRequest {
  readonly file: string;
  readonly batch?: number;
  readonly inputShape?: Dim[];
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly markdown?: boolean;
}

function summaryRequest(argv: string[]): SummaryRequest {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'input-shape': { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' }, markdown: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `summary takes one model file, got ${positionals.length}: ${positionals.join(' ')}` : 'summary needs a model file');
  if ([values.json, values.csv, values.markdown].filter(Boolean).length > 1) throw new UsageError('choose one of --json, --csv and --markdown');
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && (!Number.isInteger(batch) || batch < 1)) throw new UsageError(`--batch "${values.batch}" must be a positive integer`);
  return { file: positionals[0], batch, inputShape: values['input-shape'] !== undefined ? parseShape(values['input-shape']) : undefined, json: values.json, csv: values.csv, markdown: values.markdown };
}

function summarize(request: SummaryRequest, graph: Graph): CommandResult {
  const { file } = request;
  const report = buildReport(analyze(graph, { batch: request.batch, inputShape: request.inputShape }));
  const problems = report.diagnostics.map((d) => `${file}: ${d.severity}: ${escapeControl(d.message)}`);
  const failed = report.diagnostics.some((d) => d.severity === 'error');
  // Not a model (or a format not read yet): the message alone, not a table of zeros.
  if (failed && !report.layers.length && !request.json) return { stdout: '', stderr: problems.join('\n'), code: 1 };
  const out = request.json ? JSON.stringify(stableJson(report), null, 2) : request.csv ? renderCsv(report) : request.markdown ? renderMarkdown(report) : renderTable(report);
  // In JSON mode the diagnostics are part of the document; stderr still tells a human why it failed.
  return { stdout: out, stderr: problems.join('\n'), code: failed ? 1 : 0 };
}

/** The summary of a file whose format parses without loading anything first (every text format; ONNX). */
export function summary(argv: string[]): CommandResult {
  const request = summaryRequest(argv);
  // Whatever format the file is in (the registry detects it), the same report and schema.
  return summarize(request, parseSource(openModelFile(request.file)));
}

/** The summary as the command line runs it: the format's parser loaded first (h5wasm for Keras .h5), the files next to the model checked. */
export async function summaryAsync(argv: string[]): Promise<CommandResult> {
  const request = summaryRequest(argv);
  return summarize(request, await parseSourceWithFiles(openModelFile(request.file)));
}

/** The documented `--json` schema (README "JSON output"): the core fields, in a fixed order. */
function stableJson(r: ModelReport) {
  return {
    model: { name: r.model.name, format: r.model.format, inputs: r.model.inputs, outputs: r.model.outputs },
    layers: r.layers.map((l) => ({
      name: l.name,
      type: l.type,
      inputs: l.inputs,
      outputShape: l.outputShape,
      params: l.params,
      trainableParams: l.trainableParams,
      macs: l.macs,
      flops: l.flops,
      weightBytes: l.weightBytes,
      activationBytes: l.activationBytes,
    })),
    totals: r.totals,
    memory: r.memory,
    diagnostics: r.diagnostics.map((d) => ({ severity: d.severity, layer: d.layer, message: d.message, range: d.range })),
  };
}
