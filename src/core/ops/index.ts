import activation from './activation';
import conv from './conv';
import dense from './dense';
import elementwise from './elementwise';
import input from './input';
import merge from './merge';
import normalization from './normalization';
import padding from './padding';
import pooling from './pooling';
import quantize from './quantize';
import reduce from './reduce';
import reshape from './reshape';
import resize from './resize';
import shapeOps from './shape-ops';
import type { OpDef } from './op';

// The op registry: every kind CNN Lens understands, by name. Adding an op means adding its
// definition to one family file; this list only gathers the families.

const ALL: readonly OpDef[] = [input, conv, dense, pooling, reduce, normalization, activation, merge, elementwise, reshape, shapeOps, padding, resize, quantize].flat();

export const OPS: ReadonlyMap<string, OpDef> = new Map(ALL.map((op) => [op.kind, op]));

export const getOp = (kind: string): OpDef | undefined => OPS.get(kind);

export type { OpDef, Family, WeightShape } from './op';
export { ShapeError } from './op';
