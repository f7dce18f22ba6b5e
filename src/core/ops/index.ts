import activation from './activation';
import conv from './conv';
import dense from './dense';
import input from './input';
import merge from './merge';
import normalization from './normalization';
import padding from './padding';
import pooling from './pooling';
import reshape from './reshape';
import resize from './resize';
import type { OpDef } from './op';

// The op registry: every kind CNN Lens understands, by name. Adding an op means adding its
// definition to one family file; this list only gathers the families.

const ALL: readonly OpDef[] = [input, conv, dense, pooling, normalization, activation, merge, reshape, padding, resize].flat();

export const OPS: ReadonlyMap<string, OpDef> = new Map(ALL.map((op) => [op.kind, op]));

export const getOp = (kind: string): OpDef | undefined => OPS.get(kind);

export type { OpDef, Family, WeightShape } from './op';
export { ShapeError } from './op';
