import type * as tfc from '@tensorflow/tfjs-core';
import type { OnnxContext, OnnxEmitter, OnnxValue } from '../engine/onnx-emitter';
import type { TensorShape } from '../ir';
import type { AttrSpec } from './attrs';

// The shape of an op definition. Everything CNN Lens knows about a layer kind lives in one OpDef:
// its attributes and defaults, its shape rule, its weights (hence its parameter count), its cost,
// and its display label. Analysis, diagram, inspector, executor and editor all read the same table.

/** Drives colour and grouping in the diagram. */
export type Family =
  | 'input' | 'conv' | 'dense' | 'pool' | 'norm' | 'activation' | 'merge'
  | 'reshape' | 'regularization' | 'padding' | 'resize' | 'other' | 'unknown';

/** A weight tensor the op owns; parameters are the sum of their sizes. */
export interface WeightShape {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
}

/** Thrown by a shape rule; the message names the attribute or input at fault. */
export class ShapeError extends Error {}

export type AttrSchema<A> = { readonly [K in keyof A]: AttrSpec<A[K]> };

/**
 * What an input position of an op means, for formats that pass weights as inputs (ONNX's Conv reads
 * X, W, B). 'data': a tensor computed by the graph (a constant there is a parameter of the node, as
 * paddle2onnx stores weights in Constant nodes); 'static': a small operand that configures the op
 * (Reshape's shape, Slice's starts, Clip's bounds), never a parameter; `{ weight }`: the op's
 * weight of that name in `weights()`, whose trainable flag and declared size it takes.
 */
export type Operand = 'data' | 'static' | { readonly weight: string };

/** Known values of small tensors (shape arithmetic), per input; undefined where unknown. */
export type Values = readonly (readonly number[] | undefined)[];

export interface OpDef<A = any> {
  readonly kind: string;
  readonly family: Family;
  /** One line for documentation and the inspector. */
  readonly summary: string;
  readonly attrs: AttrSchema<A>;
  /** Number of inputs the op accepts. */
  readonly arity: { readonly min: number; readonly max: number };
  /** The meaning of each input position (default: all 'data'); the last entry repeats for variadic ops. */
  readonly operands?: readonly Operand[];
  readonly label: (a: A) => string;
  /**
   * Output shape (batch first), or a ShapeError. `values` holds the known values of small inputs
   * (ONNX Reshape's target shape, Slice's starts): undefined where a value is not known.
   */
  readonly shape: (inputs: readonly TensorShape[], a: A, values: Values) => TensorShape;
  /** Ops with several outputs (Split): every output's shape; `shape` is then the first. */
  readonly shapes?: (inputs: readonly TensorShape[], a: A, values: Values) => readonly TensorShape[];
  /**
   * The output's value when the inputs' values are known (Shape, Gather, Concat, Unsqueeze, …):
   * how exporters' shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape) folds at
   * analysis. Only for small integer-like tensors; undefined when it cannot be computed.
   */
  readonly fold?: (values: Values, inputs: readonly TensorShape[], out: TensorShape, a: A) => readonly number[] | undefined;
  /** A legal but suspicious use worth a warning (e.g. Dense on a 4-D tensor), or undefined. */
  readonly warn?: (inputs: readonly TensorShape[], a: A) => string | undefined;
  readonly weights?: (inputs: readonly TensorShape[], a: A) => readonly WeightShape[];
  /** Multiply-accumulates of the op's contraction (convolutions, dense), bias excluded. */
  readonly macs?: (inputs: readonly TensorShape[], out: TensorShape, a: A) => number;
  /** All floating-point operations; see README "Counting conventions" for each op's rule. */
  readonly flops: (inputs: readonly TensorShape[], out: TensorShape, a: A) => number;
  /**
   * The op's TensorFlow.js kernel (inference). `tf` is passed in, so core never imports a backend;
   * `weights` are this node's tensors by the names `weights()` declares.
   */
  readonly run?: (tf: typeof tfc, inputs: readonly tfc.Tensor[], weights: Readonly<Record<string, tfc.Tensor>>, a: A) => tfc.Tensor;
  /**
   * The ONNX node(s) the op becomes (IR → ONNX, src/core/engine): emits them through `g` from the
   * input values (each in whatever layout it is stored) and returns the output value with its layout.
   */
  readonly onnx?: (g: OnnxEmitter, inputs: readonly OnnxValue[], a: A, context: OnnxContext) => OnnxValue;
}

export const defineOp = <A>(def: OpDef<A>): OpDef<A> => def;

/** What input `i` of an op is: its `operands` entry (the last one repeats), 'data' where the op lists none. */
export const operandRole = (op: OpDef | undefined, i: number): Operand => {
  const roles = op?.operands;
  return roles?.length ? roles[Math.min(i, roles.length - 1)] : 'data';
};
