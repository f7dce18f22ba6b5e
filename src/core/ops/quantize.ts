import { int } from './attrs';
import { defineOp } from './op';
import { numel } from './tensor-math';

// ONNX's quantisation boundaries in QDQ models: QuantizeLinear / DequantizeLinear around each
// quantised op. On activations they pass the shape through; over a stored weight the ONNX reader
// dissolves the DequantizeLinear into the int8 constant, so the weight is counted at its stored size.
// The scale and zero point are quantisation metadata (static operands), never parameters.
// FLOPs: quantize 3 per element (divide, round, add the zero point), dequantize 2 (subtract, multiply).

const quantAttrs = { axis: int(1) };

export const quantizeLinear = defineOp<{ axis: number }>({
  kind: 'QuantizeLinear',
  family: 'other',
  summary: 'Quantises to int8/uint8 with a scale and zero point (QDQ models).',
  attrs: quantAttrs,
  arity: { min: 2, max: 3 },
  operands: ['data', 'static', 'static'],
  label: () => 'quantize',
  shape: ([x]) => x,
  flops: (_, out) => 3 * numel(out),
});

export const dequantizeLinear = defineOp<{ axis: number }>({
  kind: 'DequantizeLinear',
  family: 'other',
  summary: 'Back to float from int8/uint8/int32 with a scale and zero point (QDQ models).',
  attrs: quantAttrs,
  arity: { min: 2, max: 3 },
  operands: ['data', 'static', 'static'],
  label: () => 'dequantize',
  shape: ([x]) => x,
  flops: (_, out) => 2 * numel(out),
});

export default [quantizeLinear, dequantizeLinear];
