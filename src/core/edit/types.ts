import type { AttrValue, Diagnostic, Graph, TensorShape } from '../ir';

// Edits of a model, as the diagram, the commands and other extensions ask for them. Layers are
// named by node id; attributes by the op schema's names (camelCase, as the inspector shows them).

export type ModelEdit =
  | { readonly kind: 'setAttribute'; readonly layer: string; readonly attr: string; readonly value: AttrValue }
  | { readonly kind: 'insertLayer'; readonly anchor: string; readonly position: 'after' | 'before'; readonly op: string; readonly name?: string; readonly attrs?: Readonly<Record<string, AttrValue>> }
  | { readonly kind: 'deleteLayer'; readonly layer: string }
  | { readonly kind: 'duplicateLayer'; readonly layer: string }
  /**
   * A copy of a whole block (see analysis/blocks: 'conv2_block2', 'inception_4b', 'mobilenet_block_3',
   * 'outer/conv2_block2' inside a nested model) inserted right after it: the copy reads the block's
   * output and the block's former readers read the copy's. Only for blocks whose output shape equals
   * their input shape; the copy is named as the next free block (conv2_block2 → conv2_block4).
   */
  | { readonly kind: 'duplicateBlock'; readonly block: string }
  | { readonly kind: 'renameLayer'; readonly layer: string; readonly newName: string }
  /** Feeds input `input` of `layer` from `from`; `input` equal to the current input count adds an input (Add, Concatenate). */
  | { readonly kind: 'connect'; readonly layer: string; readonly input: number; readonly from: string }
  | { readonly kind: 'setInputShape'; readonly layer?: string; readonly shape: TensorShape }
  /**
   * MobileNet's width multiplier α, applied to any model: every convolution's and dense layer's
   * width times `factor` (rounded down, as Keras's MobileNet does), except the classifier (the
   * last weighted layer), with Reshapes of the scaled channels following.
   */
  | { readonly kind: 'scaleWidth'; readonly factor: number };

/** A replacement of `length` characters at `offset` (UTF-16) by `content`, on the text the edit was planned on. */
export interface TextEdit {
  readonly offset: number;
  readonly length: number;
  readonly content: string;
}

/** An edit CNN Lens refuses, with the reason (the file is left untouched). */
export class EditError extends Error {}

export interface PlannedEdit {
  readonly edits: readonly TextEdit[];
  /** The text after the edit. */
  readonly text: string;
  /** Problems the edit creates downstream (allowed, shown to the user, undoable). */
  readonly newProblems: readonly Diagnostic[];
  /** The node the edit is about, after it (a renamed or inserted layer's new id). */
  readonly focus?: string;
}

/** Applies non-overlapping edits planned on `text`. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

/** What a format's edit planner can write: the op kinds, their attributes, the enum values where narrower than the op's. */
export interface EditVocabulary {
  readonly ops: ReadonlySet<string>;
  readonly writes: (kind: string, attr: string) => boolean;
  readonly values: (attr: string) => readonly string[] | undefined;
}

/** A format's edit planner: the text edits that make `edit` in the file `graph` was parsed from. */
export type EditPlanner = (text: string, graph: Graph, edit: ModelEdit) => { readonly edits: readonly TextEdit[]; readonly focus?: string };
