import type { Diagnostic, Graph, IRTensor } from '../../ir';
import { siblingNameProblem, SourceError, type ModelSource, type SiblingFile } from '../source';

// ONNX external data: a model.onnx whose initializers name a file next to it (`location`, `offset`,
// `length`). The graph is drawn without reading those bytes, so models far larger than memory
// open; the files are checked (present, regular, large enough) by their sizes alone, and read only
// when weights are needed, slice by slice.

/** Problems only the files next to the model can show: a missing data file, a slice past its end. */
export async function checkExternalData(source: ModelSource, graph: Graph): Promise<Diagnostic[]> {
  const byFile = new Map<string, IRTensor[]>();
  for (const t of Object.values(graph.constants ?? {})) {
    const file = t.location?.file;
    if (file === undefined || siblingNameProblem(file)) continue; // the reader reported unreadable names already
    byFile.set(file, [...(byFile.get(file) ?? []), t]);
  }
  const problems: Diagnostic[] = [];
  for (const [file, tensors] of byFile) {
    let sibling: SiblingFile;
    try {
      sibling = await source.sibling(file);
    } catch (e) {
      const reason = e instanceof SourceError ? e.reason : e instanceof Error ? e.message : String(e);
      problems.push({ severity: 'warning', code: 'external-data', message: `${source.name}: the external data file "${file}" (${tensors.length} tensor${tensors.length === 1 ? '' : 's'}) cannot be read: ${reason}; the graph opens, but runs need those weights` });
      continue;
    }
    for (const t of tensors) {
      const end = t.location!.offset + t.location!.length;
      if (end > sibling.size) problems.push({ severity: 'error', code: 'external-data', message: `${source.name}: tensor "${t.name}" declares bytes ${t.location!.offset}–${end} of "${file}", past the end of the file (${sibling.size} bytes)` });
    }
  }
  return problems;
}

/** The stored bytes of one constant: a view into the model file, or a slice of its external data file. */
export async function onnxTensorBytes(source: ModelSource, _graph: Graph, tensor: IRTensor): Promise<Uint8Array> {
  const at = tensor.location;
  if (!at) throw new SourceError(source.name, `tensor "${tensor.name}" keeps its values in typed protobuf fields, which CNN Lens does not read as bytes yet`);
  if (at.file === undefined) return source.bytes().subarray(at.offset, at.offset + at.length);
  const problem = siblingNameProblem(at.file);
  if (problem) throw new SourceError(at.file, problem);
  const sibling = await source.sibling(at.file);
  if (at.offset + at.length > sibling.size) throw new SourceError(at.file, `tensor "${tensor.name}" declares bytes ${at.offset}–${at.offset + at.length}, past the end of the file (${sibling.size} bytes)`);
  return sibling.read(at.offset, at.length);
}
