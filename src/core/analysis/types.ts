import type { Diagnostic, Graph, TensorShape } from '../ir';

/** What analysis knows about one node. Counts are per forward pass of the whole batch. */
export interface NodeAnalysis {
  readonly id: string;
  /** Input shapes as the node receives them; `undefined` where upstream failed. */
  readonly inputShapes: readonly (TensorShape | undefined)[];
  /** Undefined when the shape rule failed here or upstream. */
  readonly outputShape?: TensorShape;
  /** Every output's shape (Split has several); `outputShape` is the first. */
  readonly outputShapes: readonly (TensorShape | undefined)[];
  /** The output's value where analysis knows it (constants, folded shape arithmetic). */
  readonly value?: readonly number[];
  /** A constant, or shape arithmetic folded to one: not drawn; its consumers show it as a weight or operand. */
  readonly folded: boolean;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly params: number;
  /** Multiply-accumulates of convolutions and dense layers, bias excluded. */
  readonly macs: number;
  /** Every floating-point operation: 2 per MAC plus bias, normalisation, activation, pooling, element-wise. */
  readonly flops: number;
  /** Bytes of the weights this node owns (float32 unless the manifest says otherwise). */
  readonly weightBytes: number;
  /** Bytes of this node's output tensor (float32). */
  readonly activationBytes: number;
}

export interface Totals {
  readonly params: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  readonly macs: number;
  readonly flops: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
}

export interface Analysis {
  readonly graph: Graph;
  /** Aligned with `graph.nodes`. */
  readonly nodes: readonly NodeAnalysis[];
  readonly byId: ReadonlyMap<string, NodeAnalysis>;
  readonly totals: Totals;
  /** Parse diagnostics followed by analysis diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
  /** The input shapes analysis ran with (after overrides), by input node id. */
  readonly inputShapes: ReadonlyMap<string, TensorShape>;
  /** Open dimensions of the inputs that analysis filled in (symbolic `batch`, an open batch). */
  readonly assumedDims: readonly AssumedDim[];
  /** Weight bytes by stored dtype ('float32', 'float16', 'int8', …). */
  readonly weightBytesByDtype: Readonly<Record<string, number>>;
}

export interface AssumedDim {
  readonly input: string;
  readonly axis: number;
  /** The dimension's name in the file, or 'batch' for an unnamed open batch. */
  readonly name: string;
  readonly value: number;
}

export interface AnalysisOptions {
  /** Batch size replacing an open batch dimension; default 1. */
  readonly batch?: number;
  /** Replaces the shape of every input (or of the named inputs), batch included, e.g. [1, 160, 160, 3]. */
  readonly inputShape?: TensorShape | Readonly<Record<string, TensorShape>>;
}
