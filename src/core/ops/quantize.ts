import { int } from './attrs';
import { defineOp, ShapeError } from './op';
import { numel } from './tensor-math';

// ONNX's quantisation boundaries in QDQ models: QuantizeLinear / DequantizeLinear around each
// quantised op. On activations they pass the shape through; over a stored weight the ONNX reader
// dissolves the DequantizeLinear into the int8 constant, so the weight is counted at its stored size.
// The scale and zero point are quantisation metadata (static operands), never parameters.
// FLOPs: quantize 3 per element (divide, round, add the zero point), dequantize 2 (subtract, multiply).

/** A quantisation boundary: the shape passes through; `flopsPerElement` as above. */
const boundary = (kind: string, summary: string, label: string, flopsPerElement: number) =>
  defineOp<{ axis: number }>({
    kind,
    family: 'other',
    summary,
    attrs: { axis: int(1) },
    arity: { min: 2, max: 3 },
    operands: ['data', 'static', 'static'],
    label: () => label,
    // Garbage parameters make every value NaN or infinite at run time: refused here, as no framework would run them.
    shape: ([x], _, values) => {
      const [, scale, zeroPoint] = values;
      const badScale = scale?.find((v) => !Number.isFinite(v) || v === 0);
      if (badScale !== undefined) throw new ShapeError(`scale ${badScale} is not a finite non-zero number`);
      const badZero = zeroPoint?.find((v) => !Number.isFinite(v));
      if (badZero !== undefined) throw new ShapeError(`zero point ${badZero} is not a finite number`);
      return x;
    },
    flops: (_, out) => flopsPerElement * numel(out),
  });

export const quantizeLinear = boundary('QuantizeLinear', 'Quantises to int8/uint8 with a scale and zero point (QDQ models).', 'quantize', 3);
export const dequantizeLinear = boundary('DequantizeLinear', 'Back to float from int8/uint8/int32 with a scale and zero point (QDQ models).', 'dequantize', 2);

/**
 * TFLite's QUANTIZE and DEQUANTIZE: one input, the scale and zero point being the tensors' own
 * quantisation. CNN Lens runs quantised models in float32 after dequantising their weights (and
 * says so), so on the engine both pass values through as they are.
 */
const tfliteBoundary = (kind: string, summary: string, label: string, flopsPerElement: number) =>
  defineOp<Record<string, never>>({
    kind,
    family: 'other',
    summary,
    attrs: {},
    arity: { min: 1, max: 1 },
    label: () => label,
    shape: ([x]) => x,
    flops: (_, out) => flopsPerElement * numel(out),
    run: (_tf, [x]) => x,
    onnx: (_g, [x]) => x,
  });

export const quantize = tfliteBoundary('Quantize', 'Quantises to the output tensor’s integer type with its scale and zero point (TFLite QUANTIZE); a float run passes values through.', 'quantize', 3);
export const dequantize = tfliteBoundary('Dequantize', 'Back to float from an integer or float16 tensor (TFLite DEQUANTIZE); a float run passes values through.', 'dequantize', 2);

export default [quantizeLinear, dequantizeLinear, quantize, dequantize];
