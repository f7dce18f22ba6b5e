import { onnxDType } from './proto';
import { inputValues, intsAttr, knownShape, numberAttr, op, optionalInt, present, presentInputs, stringAttr, tensorAttrValues, unknown, type Mapper } from './ops-map-attrs';

// ONNX's tensor plumbing onto the op table: reshapes, slicing, shape arithmetic, padding and
// resampling. Operands that moved from attributes to inputs across opsets are read from whichever
// the node's opset uses; the op's shape rule reads input values at analysis (folded shapes included).

/** Squeeze / Unsqueeze: axes as an attribute before opset 13, as input 1 from then on. */
const axesOp = (kind: string): Mapper => (v) => (v.opset < 13 ? op(kind, { axes: intsAttr(v, 'axes') ?? null }, [0]) : op(kind));

const reshape: Mapper = (v) => {
  if (v.opset < 5) return op('ReshapeTo', { shape: intsAttr(v, 'shape') ?? null }, [0]);
  return op('ReshapeTo', { allowzero: numberAttr(v, 'allowzero', 0) === 1 }, [0, 1]);
};

/** Split's parts: the `split` attribute (< 13) or input 1; else num_outputs (18+); else as many equal parts as the node has outputs. */
const split: Mapper = (v) => {
  const axis = numberAttr(v, 'axis', 0);
  if (v.opset < 13) {
    const parts = intsAttr(v, 'split');
    return parts ? op('Split', { axis, split: parts }, [0]) : equalSplit(v, axis);
  }
  if (present(v, 1)) return op('Split', { axis }, [0, 1]);
  return equalSplit(v, axis);
};

function equalSplit(v: Parameters<Mapper>[0], axis: number) {
  const parts = numberAttr(v, 'num_outputs', v.outputs ?? 0);
  return parts > 0 ? op('Split', { axis, numOutputs: parts }, [0]) : unknown('Split into equal parts whose number the node does not say');
}

/** Slice's bounds: attributes before opset 10; inputs 1-4 after (steps without axes cannot be placed). */
const slice: Mapper = (v) => {
  if (v.opset < 10) return op('Slice', { starts: intsAttr(v, 'starts') ?? null, ends: intsAttr(v, 'ends') ?? null, axes: intsAttr(v, 'axes') ?? null }, [0]);
  if (present(v, 4) && !present(v, 3)) return unknown('Slice with steps but without axes');
  return op('Slice', {}, presentInputs(v, 0, 1, 2, 3, 4));
};

/** Pad: `pads` and `value` attributes before opset 11; inputs pads, constant_value, axes after (the value moves to the attribute). */
const pad: Mapper = (v) => {
  const mode = stringAttr(v, 'mode', 'constant');
  if (v.opset < 11) return op('Pad', { pads: intsAttr(v, 'pads') ?? intsAttr(v, 'paddings') ?? null, mode, value: numberAttr(v, 'value', 0) }, [0]);
  const value = present(v, 2) ? inputValues(v, 2)?.[0] : 0;
  if (value === undefined) return unknown('Pad with a constant value computed at run time');
  return op('Pad', { mode, value }, presentInputs(v, 0, 1, 3));
};

const MODES: Readonly<Record<string, string>> = { nearest: 'nearest', linear: 'linear', bilinear: 'linear', cubic: 'cubic' };

/** An operand given as an empty tensor counts as absent (exporters write scales = [] next to sizes). */
const given = (v: Parameters<Mapper>[0], i: number): boolean => present(v, i) && knownShape(v, i)?.[0] !== 0;

const resize: Mapper = (v) => {
  const mode = MODES[stringAttr(v, 'mode', 'nearest')];
  if (!mode) return unknown(`Resize with mode "${stringAttr(v, 'mode', '')}"`);
  if (stringAttr(v, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize') return unknown('Resize with tf_crop_and_resize (the output depends on the region of interest)');
  const common = { mode, axes: intsAttr(v, 'axes') ?? null, keepAspectRatioPolicy: stringAttr(v, 'keep_aspect_ratio_policy', 'stretch') };
  if (v.opset < 11) return op('Resize', { ...common, by: 'scales' }, [0, 1]);
  if (given(v, 3)) return op('Resize', { ...common, by: 'sizes' }, [0, 3]);
  if (given(v, 2)) return op('Resize', { ...common, by: 'scales' }, [0, 2]);
  return unknown('Resize with neither scales nor sizes');
};

/** Upsample (deprecated since opset 10): scales as an attribute before opset 9, as input 1 from then on. */
const upsample: Mapper = (v) => {
  const mode = MODES[stringAttr(v, 'mode', 'nearest')];
  if (!mode) return unknown(`Upsample with mode "${stringAttr(v, 'mode', '')}"`);
  if (v.opset < 9) return op('Resize', { mode, by: 'scales', scales: (v.attrs.scales as number[] | undefined) ?? null }, [0]);
  return op('Resize', { mode, by: 'scales' }, [0, 1]);
};

const cast: Mapper = (v) => {
  const to = onnxDType(numberAttr(v, 'to', 0));
  return to ? op('Cast', { to }) : unknown(`Cast to element type ${numberAttr(v, 'to', 0)}, which CNN Lens does not know`);
};

const constantOfShape: Mapper = (v) => {
  const value = tensorAttrValues(v, 'value');
  if (value === null) return unknown('ConstantOfShape whose fill value the reader did not decode');
  return op('ConstantOfShape', { value: value?.[0] ?? 0 });
};

/** Dropout's ratio: an attribute before opset 12, input 1 after (only the data passes on). */
const dropout: Mapper = (v) => op('Dropout', { rate: v.opset < 12 ? numberAttr(v, 'ratio', 0.5) : inputValues(v, 1)?.[0] ?? 0.5 }, [0]);

export const TENSOR_OPS: Readonly<Record<string, Mapper>> = {
  Flatten: (v) => op('Flatten', { axis: numberAttr(v, 'axis', 1) }),
  Reshape: reshape,
  Transpose: (v) => op('Transpose', { perm: intsAttr(v, 'perm') ?? null }),
  Concat: (v) => op('Concatenate', { axis: numberAttr(v, 'axis', 1) }),
  Split: split,
  Slice: slice,
  Squeeze: axesOp('Squeeze'),
  Unsqueeze: axesOp('Unsqueeze'),
  Gather: (v) => op('Gather', { axis: numberAttr(v, 'axis', 0) }),
  Shape: (v) => op('Shape', { start: numberAttr(v, 'start', 0), end: v.attrs.end === undefined ? null : numberAttr(v, 'end', 0) }),
  Size: () => op('Size'),
  ConstantOfShape: constantOfShape,
  Range: () => op('Range'),
  Expand: () => op('Expand'),
  Tile: () => op('Tile'),
  Cast: cast,
  Identity: () => op('Identity'),
  QuantizeLinear: (v) => op('QuantizeLinear', { axis: optionalInt(v, 'axis') ?? 1 }),
  DequantizeLinear: (v) => op('DequantizeLinear', { axis: optionalInt(v, 'axis') ?? 1 }),
  Dropout: dropout,
  Pad: pad,
  Resize: resize,
  Upsample: upsample,
};
