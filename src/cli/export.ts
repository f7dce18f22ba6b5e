import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../core';
import { OnnxExportError } from '../core/engine/onnx-emitter';
import { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, type OnnxExport } from '../core/engine/onnx-export';
import { plainWeights } from '../core/engine/plain-weights';
import type { Analysis } from '../core';
import { parseSourceWithFiles } from '../core/formats/registry';
import type { ModelSource } from '../core/formats/source';
import { resolveRunWeights } from '../core/runtime/preprocess';
import { disposeWeights } from '../core/runtime/weight-map';
import { chooseBackend } from '../node/backend';
import { weightsSource } from '../node/weights-files';
import { openModelFile } from './files';
import { guarded, parseSeed } from './run';
import { parseShape } from './summary';
import { UsageError, type CommandResult } from './usage';
import { escapeControl } from '../core/text/escape';

export const EXPORT_USAGE = `cnn-lens export MODEL --onnx OUT.onnx [--weights DIR|FILE|random] [--seed N] [--opset N] [--input-shape 1,224,224,3]

  Writes the model as one ONNX file with its weights (an ONNX model is copied as it is).
  --onnx         the file to write
  --weights      a TF.js model.json (its shards), a Keras .h5 / .weights.h5 / .keras file, a folder holding one,
                 or "random"; default: the weights next to the model, else seeded random ones (said in the output)
  --seed         seed for random weights (default 0)
  --opset        the ONNX opset to write, ${MIN_OPSET} to ${MAX_OPSET} (default ${DEFAULT_OPSET})
  --input-shape  the input shape to export at, batch first (default: the model's; an open batch stays open)

  Exit status: 0 written, 1 the model has errors or a layer has no ONNX form, 2 usage, file or weights errors.`;

function parseOpset(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const opset = Number(text);
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new UsageError(`--opset "${text}": CNN Lens writes opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  return opset;
}

const shapeOf = (analysis: Analysis, id: string): string => JSON.stringify(analysis.inputShapes.get(id) ?? analysis.byId.get(id)?.outputShape);

export async function exportModel(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { onnx: { type: 'string' }, weights: { type: 'string' }, seed: { type: 'string' }, opset: { type: 'string' }, 'input-shape': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `export takes one model file, got ${positionals.length}: ${positionals.join(' ')}` : 'export needs a model file');
  const file = positionals[0];
  const out = values.onnx;
  if (!out) throw new UsageError('export needs --onnx OUT.onnx, the file to write');
  if (resolve(out) === resolve(file)) throw new UsageError(`--onnx ${out} is the model itself: name another file`);
  const opset = parseOpset(values.opset);
  const seed = parseSeed(values.seed);
  const inputShape = values['input-shape'] !== undefined ? parseShape(values['input-shape']) : undefined;
  if (values.weights && values.weights !== 'random' && !existsSync(values.weights)) throw new UsageError(`cannot read ${values.weights}: no such file or folder (give a weights file, a folder, or "random")`);

  return guarded('export', async () => {
    const model = openModelFile(file);
    const analysis = analyze(await parseSourceWithFiles(model), { inputShape });
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) return { stdout: '', stderr: errors.map((d) => `${file}: error: ${escapeControl(d.message)}`).join('\n') + `\n${file}: the model has errors; it cannot be exported`, code: 1 };
    let written: { exported: OnnxExport; weights: string; random: boolean };
    try {
      written = analysis.graph.format === 'onnx' ? copyOnnx(analysis, model, values) : await convert(analysis, model, values.weights, seed, opset);
    } catch (e) {
      if (e instanceof OnnxExportError) return { stdout: '', stderr: `cnn-lens export: ${file}: ${e.message}`, code: 1 };
      throw e;
    }
    const { exported, weights, random } = written;
    try {
      writeFileSync(out, exported.bytes);
    } catch (e) {
      return { stdout: '', stderr: `cnn-lens export: cannot write ${out}: ${(e as Error).message}`, code: 2 };
    }
    const lines = [
      `Wrote ${out} (${(exported.bytes.byteLength / 2 ** 20).toFixed(1)} MiB${analysis.graph.format === 'onnx' ? ', the ONNX file as it is' : `, ONNX opset ${opset ?? DEFAULT_OPSET}`}) from ${file}`,
      `Weights: ${weights}`,
      `Inputs: ${analysis.graph.inputs.map((id, i) => `${exported.inputs[i]} ${shapeOf(analysis, id)}`).join(', ')}`,
      `Outputs: ${analysis.graph.outputs.map((r, i) => `${exported.outputs[i]} ${shapeOf(analysis, r.node)}`).join(', ')}`,
    ];
    if (random) lines.push(`Note: ${weights}.`);
    return { stdout: lines.join('\n'), stderr: '', code: 0 };
  });
}

/** An ONNX model is its own export: its bytes, once the options that would change it are ruled out. */
function copyOnnx(analysis: Analysis, model: ModelSource, values: { weights?: string; opset?: string }) {
  if (values.weights) throw new UsageError(`${model.name} is an ONNX model and carries its own weights: drop --weights`);
  if (values.opset) throw new UsageError(`${model.name} is an ONNX model and is copied as it is: drop --opset`);
  const external = Object.values(analysis.graph.constants ?? {}).find((t) => t.location?.file);
  if (external) throw new UsageError(`${model.name} keeps weights in ${external.location!.file}: export writes one file, so copy the model with its data files instead`);
  return { exported: exportOnnx(analysis, new Map(), { source: model.bytes() }), weights: 'the ONNX file’s own', random: false };
}

/** Any other format: its weights resolved as `cnn-lens run` resolves them, then written as ONNX. */
async function convert(analysis: Analysis, model: ModelSource, weights: string | undefined, seed: number, opset: number | undefined) {
  // The loaders hand back tfjs tensors: the plain JavaScript backend reads them, nothing runs.
  const { tf } = await chooseBackend('cpu');
  const resolved = await resolveRunWeights(tf, analysis, model, weights === 'random' ? 'random' : weights ? weightsSource(weights) : undefined, seed);
  try {
    return { exported: exportOnnx(analysis, await plainWeights(resolved.weights), { opset }), weights: resolved.source, random: resolved.random };
  } finally {
    disposeWeights(resolved.weights);
  }
}
