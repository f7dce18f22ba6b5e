import type { MappedOp, OnnxNodeView, UnmappedOp } from './node-view';
import type { Mapper } from './ops-map-attrs';
import { CONV_OPS } from './ops-map-conv';
import { MATH_OPS } from './ops-map-math';
import { TENSOR_OPS } from './ops-map-tensor';

// ONNX operator names and attributes onto the op table: a convolution is a convolution whatever the
// file, so costs follow the same conventions as for Keras. Only the mapping lives here (one file per
// family: ops-map-conv, -math, -tensor); every shape and cost rule is the op's own (src/core/ops).
// NCHW throughout (ONNX's layout). 'Constant' is not here: the reader makes graph constants of it.

export const ONNX_OPS: Readonly<Record<string, Mapper>> = { ...CONV_OPS, ...MATH_OPS, ...TENSOR_OPS };

/** The op a node maps to, or why it stays opaque (unknown op type, custom domain, unsupported form). */
export function mapOnnxNode(view: OnnxNodeView): MappedOp | UnmappedOp {
  if (view.domain !== '' && view.domain !== 'ai.onnx') return { unknown: `operator ${view.domain}.${view.opType} is from a custom domain CNN Lens does not know` };
  const mapper = ONNX_OPS[view.opType];
  return mapper ? mapper(view) : { unknown: `CNN Lens does not know the ONNX operator ${view.opType} yet` };
}
