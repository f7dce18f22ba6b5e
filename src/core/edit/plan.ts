import { analyze } from '../analysis/analyze';
import type { Analysis } from '../analysis/types';
import { formatOfGraph, parseModel } from '../formats/registry';
import type { AttrValue, Diagnostic } from '../ir';
import { assertIdentityBlock, findBlock } from './block';
import { requiredDefaults } from './catalog';
import { AttrError } from '../ops/attrs';
import { getOp } from '../ops';
import { applyTextEdits, EditError, type EditVocabulary, type ModelEdit, type PlannedEdit } from './types';

// Plans an edit: validates it, computes the text edits, and analyses the result. An edit whose
// own layer would be wrong (a kernel larger than its input, negative filters, a cycle, a bad
// value) is refused with the reason; one that only breaks layers downstream is allowed, and the
// problems it creates are returned so the UI can mark them (the user can undo in one step).

/** Problem codes that make an edit invalid wherever they appear. */
const ALWAYS_REFUSED = new Set(['cycle', 'attribute', 'json', 'missing-input', 'duplicate-name']);

export function planEdit(text: string, fileName: string, edit: ModelEdit, before: Analysis = analyze(parseModel(text, fileName))): PlannedEdit {
  const editing = formatOfGraph(before.graph)?.edits;
  if (!editing) throw new EditError(`${fileName}: ${before.graph.format === 'unknown' ? 'not a model CNN Lens reads' : `CNN Lens shows ${before.graph.format} models read-only`}, so it cannot be edited from the diagram`);
  if (edit.kind === 'setAttribute') validateAttribute(before, editing.vocabulary, edit.layer, edit.attr, edit.value);
  if (edit.kind === 'insertLayer') edit = withRequiredAttrs(before, editing.vocabulary, edit);
  if (edit.kind === 'duplicateBlock') assertIdentityBlock(before, findBlock(before.graph, edit.block));
  const { edits, focus } = editing.plan(text, before.graph, edit);
  const after = applyTextEdits(text, edits);
  const analysis = analyze(parseModel(after, fileName));
  const known = new Set(before.diagnostics.map(key));
  const created = analysis.diagnostics.filter((d) => d.severity === 'error' && !known.has(key(d)));
  const target = focus ?? ('layer' in edit ? edit.layer : undefined);
  const fatal = created.filter((d) => ALWAYS_REFUSED.has(d.code) || (target !== undefined && d.node === target && edit.kind !== 'deleteLayer'));
  if (fatal.length) throw new EditError(fatal.map((d) => d.message).join('; '));
  return { edits, text: after, newProblems: created, focus };
}

/** Fills the attributes a new layer cannot do without (filters, units, …) from the tensor it will read. */
function withRequiredAttrs(analysis: Analysis, vocabulary: EditVocabulary, edit: Extract<ModelEdit, { kind: 'insertLayer' }>): ModelEdit {
  if (!getOp(edit.op) || !vocabulary.ops.has(edit.op)) throw new EditError(`"${edit.op}" is not a layer kind CNN Lens can write into a ${analysis.graph.format} model`);
  const anchor = analysis.byId.get(edit.anchor);
  const input = edit.position === 'after' ? anchor?.outputShape : anchor?.inputShapes[0];
  const channels = input?.[input.length - 1] ?? null;
  return { ...edit, attrs: { ...(requiredDefaults(edit.op, channels) as Record<string, AttrValue>), ...edit.attrs } };
}

/** Problems are compared by layer and message, since offsets move with the edit. */
const key = (d: Diagnostic): string => `${d.code}|${d.message}`;

function validateAttribute(analysis: Analysis, vocabulary: EditVocabulary, id: string, attr: string, value: unknown): void {
  const node = analysis.graph.nodes.find((n) => n.id === id);
  if (!node) throw new EditError(`there is no layer "${id}" in the model`);
  const spec = getOp(node.op)?.attrs[attr];
  if (!spec || !vocabulary.writes(node.op, attr)) throw new EditError(`${node.op} layers have no attribute "${attr}" in a ${analysis.graph.format} model`);
  const allowed = vocabulary.values(attr);
  if (allowed && typeof value === 'string' && !allowed.includes(value.toLowerCase())) throw new EditError(`${id}: ${attr}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  try {
    spec.parse(value);
  } catch (e) {
    if (e instanceof AttrError) throw new EditError(`${id}: ${attr}: ${e.message}`);
    throw e;
  }
}
