import type { AttrValue, Attrs } from '../../ir';

// What the graph-model reader tells the op mapping about one GraphDef node: its op, its decoded
// attributes (TensorFlow's own names) and what is known about each input. The mapping
// (ops-map*.ts) turns that into op-table nodes with normalised attributes.

export interface TfInputView {
  /** The input as the file names it (`conv1/Relu6`, `split:1`); control inputs (`^x`) are not here. */
  readonly name: string;
  /** True for Const nodes: a weight or an operand the file stores. */
  readonly constant: boolean;
  /** A Const's shape, from the manifest or the node's own `value` attribute. */
  readonly shape?: readonly number[];
  /** A small Const's values (shapes, axes, paddings), where the shards were read. */
  readonly values?: readonly number[];
}

export interface TfNodeView {
  readonly op: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly inputs: readonly TfInputView[];
}

/** One op-table node a GraphDef node becomes. */
export interface MappedOp {
  readonly op: string;
  /** Raw values under the op schema's names; the reader normalises them with the schema. */
  readonly attrs: Attrs;
  /** The GraphDef input positions the node reads, in order (default: all). Later links of a chain read the previous link first. */
  readonly inputs?: readonly number[];
}

/**
 * A GraphDef node as op-table nodes: usually one; a fused node whose parts no single op holds
 * (`_FusedConv2D` with `FusedBatchNorm` or `Prelu`) is a chain, the last link carrying the node's name.
 */
export type Mapped = { readonly chain: readonly MappedOp[] } | { readonly unknown: string };
