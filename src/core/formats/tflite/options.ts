import type { AttrValue } from '../../ir';
import { ActivationFunctionType, CombinerType, FullyConnectedOptionsWeightsFormat, LSHProjectionType, LSTMKernelType, MirrorPadMode, Padding, ReduceWindowFunction, RngAlgorithm, TensorType, unionToBuiltinOptions, type Operator } from './schema_generated';

// An operator's builtin options (Conv2DOptions, Pool2DOptions, … ~150 tables) as plain attributes
// under TFLite's own field names, read through the generated classes' accessors rather than one
// hand-written reader per table: each zero-argument accessor is a scalar field, each `…Array`
// accessor a vector field, and enum fields are named by their enum (padding: 'SAME').

/** Enum-typed fields by accessor name: their values are shown by name. */
const ENUMS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  padding: Padding,
  fusedActivationFunction: ActivationFunctionType,
  weightsFormat: FullyConnectedOptionsWeightsFormat,
  mode: MirrorPadMode,
  combiner: CombinerType,
  type: LSHProjectionType,
  kernelType: LSTMKernelType,
  reduceFunction: ReduceWindowFunction,
  algorithm: RngAlgorithm,
};

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The builtin options of `op` under TFLite's names; {} for none. */
export function readOptions(op: Operator): Record<string, AttrValue> {
  const table = unionToBuiltinOptions(op.builtinOptionsType(), (obj) => op.builtinOptions(obj)) as object | null;
  if (!table) return {};
  const out: Record<string, AttrValue> = {};
  const proto = Object.getPrototypeOf(table) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const method = proto[key];
    if (key === 'constructor' || key.startsWith('__') || typeof method !== 'function') continue;
    if (key.endsWith('Array') && method.length === 0) {
      const values = (method as () => ArrayLike<number> | null).call(table);
      if (values) out[snake(key.slice(0, -'Array'.length))] = Array.from(values, Number);
      continue;
    }
    if (method.length !== 0 || key.endsWith('Length')) continue;
    const value = (method as () => unknown).call(table);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const names = ENUMS[key] ?? (/Type$/.test(key) ? TensorType : undefined); // output_type, in_data_type, quantized_bias_type, …
      out[snake(key)] = names?.[Number(value)] ?? Number(value);
    } else if (typeof value === 'boolean' || typeof value === 'string') out[snake(key)] = value;
  }
  return out;
}
