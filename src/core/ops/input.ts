import type { TensorShape } from '../ir';
import { AttrError, type AttrSpec } from './attrs';
import { defineOp } from './op';

/** A declared shape, batch first, with null for open dimensions. */
const batchShape: AttrSpec<TensorShape> = {
  kind: 'ints',
  default: undefined,
  parse: (raw) => {
    if (Array.isArray(raw) && raw.length > 0 && raw.every((d) => d === null || (Number.isInteger(d) && d >= 0))) return raw as TensorShape;
    throw new AttrError(`expected a shape such as [null, 224, 224, 3], got ${JSON.stringify(raw)}`);
  },
};

export const input = defineOp<{ batchShape: TensorShape }>({
  kind: 'Input',
  family: 'input',
  summary: 'A model input; its shape can be overridden at analysis time (batch size, resolution).',
  attrs: { batchShape },
  arity: { min: 0, max: 0 },
  label: (a) => a.batchShape.slice(1).map((d) => d ?? '?').join('×'),
  shape: (_, a) => a.batchShape,
  flops: () => 0,
  // The executor feeds the input tensor through this node unchanged.
  run: (_tf, [x]) => x,
});

export default [input];
