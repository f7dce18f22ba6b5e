import type { AttrValue, Attrs, DType } from '../../ir';

// What the ONNX parser tells the op mapping about one node: its type, attributes as decoded from
// the protobuf (ONNX's own names), and what the file declares about each input. The mapping
// (ops-map.ts) turns that into an op of the registry with normalised attributes.

/** A decoded TENSOR attribute (Constant's `value`, ConstantOfShape's `value`). */
export interface OnnxTensorAttr {
  readonly tensor: { readonly dtype: DType; readonly dims: readonly number[]; readonly values?: readonly number[] };
}

export interface OnnxInputView {
  /** The name in the file ('' never appears here: absent optional inputs are null in `inputs`). */
  readonly name: string;
  /** The shape the file declares: an initializer's or Constant's dims, or a value_info / graph input entry (symbolic dimensions null). */
  readonly shape?: readonly (number | null)[];
  readonly dtype?: DType;
  /** True for initializers and Constant outputs (a weight the file stores). */
  readonly constant: boolean;
  /** Values of small constants (axes, shapes, scales). */
  readonly values?: readonly number[];
}

export interface OnnxNodeView {
  readonly opType: string;
  /** '' (or 'ai.onnx') for the standard operators; anything else is a custom domain. */
  readonly domain: string;
  /** The model's opset version for the node's domain. */
  readonly opset: number;
  /** ints → number, INTS → number[], FLOAT(S) likewise, STRING(S) decoded as UTF-8, TENSOR → OnnxTensorAttr. */
  readonly attrs: Readonly<Record<string, AttrValue | OnnxTensorAttr>>;
  /** One entry per input position; null where an optional input is left empty (''). */
  readonly inputs: readonly (OnnxInputView | null)[];
  /** How many outputs the node names (Split without sizes makes that many equal parts). */
  readonly outputs?: number;
}

/** An ONNX node as an op of the registry. */
export interface MappedOp {
  /** The op kind in src/core/ops (Conv2D, Add, Reshape, …). */
  readonly op: string;
  /** Raw attribute values under the op schema's (camelCase) names; the parser normalises them with the schema. */
  readonly attrs: Attrs;
  /** Which input positions the IR node reads, in order (default: every non-empty one). */
  readonly inputs?: readonly number[];
}

/** The mapping could not place the node: it becomes an opaque node with this reason as a diagnostic. */
export interface UnmappedOp {
  readonly unknown: string;
}
