import type { AttrValue, Graph } from '../../ir';
import { EditError, type EditVocabulary, type ModelEdit, type TextEdit } from '../../edit/types';
import { first, sub } from './fields';
import { parseTextFormat, type TextMessage } from './text-format';

// Write-back for Caffe prototxt: an attribute changed in the diagram becomes the smallest text
// edit — the value's own characters where the field is written, else one new line in the layer's
// `*_param` block (added if absent) — so comments, layout and VS Code's undo survive. Only the
// scalar fields below are written so far; other edits are refused with the reason.

/** Op attribute → the Caffe field that holds it, per op kind. */
const FIELDS: Readonly<Record<string, Readonly<Record<string, { readonly param: string; readonly field: string }>>>> = {
  Conv2D: { filters: { param: 'convolution_param', field: 'num_output' }, groups: { param: 'convolution_param', field: 'group' }, useBias: { param: 'convolution_param', field: 'bias_term' } },
  Conv2DTranspose: { filters: { param: 'convolution_param', field: 'num_output' }, groups: { param: 'convolution_param', field: 'group' }, useBias: { param: 'convolution_param', field: 'bias_term' } },
  Dense: { units: { param: 'inner_product_param', field: 'num_output' }, useBias: { param: 'inner_product_param', field: 'bias_term' } },
  Dropout: { rate: { param: 'dropout_param', field: 'dropout_ratio' } },
};

export const CAFFE_VOCABULARY: EditVocabulary = {
  ops: new Set(),
  writes: (kind, attr) => !!FIELDS[kind]?.[attr],
  values: () => undefined,
};

const literal = (value: AttrValue): string => (typeof value === 'boolean' ? String(value) : typeof value === 'number' && Number.isFinite(value) ? String(value) : JSON.stringify(value));

/** The indentation of the line `offset` is on. */
const indentAt = (text: string, offset: number): string => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1))![0];

/** A new `field: value` inside `m` (a `{ … }` block): on its own line after the last field, or inside empty braces. */
function insertInto(text: string, m: TextMessage, line: string): TextEdit {
  const last = m.fields[m.fields.length - 1];
  if (!last) return { offset: m.range.start + 1, length: 0, content: ` ${line} ` };
  const sameLine = !text.slice(m.range.start, last.range.end).includes('\n');
  return { offset: last.range.end, length: 0, content: sameLine ? ` ${line}` : `\n${indentAt(text, last.range.start)}${line}` };
}

export function planCaffeEdit(text: string, graph: Graph, edit: ModelEdit): { edits: TextEdit[]; focus?: string } {
  if (edit.kind !== 'setAttribute') throw new EditError(`Caffe models take attribute changes from the diagram so far; ${edit.kind} is not written into a prototxt yet`);
  const node = graph.nodes.find((n) => n.id === edit.layer);
  const target = node && FIELDS[node.op]?.[edit.attr];
  if (!node?.range || !target) throw new EditError(`${edit.layer}: ${edit.attr} cannot be written into this prototxt`);
  const parsed = parseTextFormat(text);
  if (!parsed.message) throw new EditError(`the file has a syntax error (${parsed.error.message}); fix it before editing from the diagram`);
  const layer = parsed.message.fields.find((f) => f.range.start === node.range!.start && f.value.kind === 'message')?.value as TextMessage | undefined;
  if (!layer) throw new EditError(`${edit.layer}: its layer is not where the model was read; save and try again`);
  const line = `${target.field}: ${literal(edit.value)}`;
  const param = sub(layer, target.param);
  if (!param) {
    const block = `${target.param} {\n${indentAt(text, layer.fields[0]?.range.start ?? layer.range.start)}  ${line}\n${indentAt(text, layer.fields[0]?.range.start ?? layer.range.start)}}`;
    return { edits: [insertInto(text, layer, block)], focus: edit.layer };
  }
  const written = first(param, target.field);
  if (written) return { edits: [{ offset: written.value.range.start, length: written.value.range.end - written.value.range.start, content: literal(edit.value) }], focus: edit.layer };
  return { edits: [insertInto(text, param, line)], focus: edit.layer };
}
