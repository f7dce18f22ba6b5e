import type * as ort from 'onnxruntime-node';
import { halfToFloat } from '../../core/runtime/half-float';

// Values crossing the engine boundary: plain Float32 data with a shape, whatever ONNX Runtime's
// element type. Activations, thumbnails and the CLI's output all read float32; integer outputs
// (shape arithmetic, class indices) are converted, and non-numeric ones (strings) are left out.

export interface EngineTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** An ORT output as Float32 (a float32 output's own buffer, no copy), or undefined for non-numeric values. */
export function toEngineTensor(value: ort.OnnxValue): EngineTensor | undefined {
  const t = value as ort.Tensor;
  if (!('dims' in t) || t.location !== 'cpu') return undefined;
  const shape = [...t.dims];
  const data = t.data;
  if (data instanceof Float32Array) return { shape, data };
  if (t.type === 'float16') return { shape, data: Float32Array.from(data as Uint16Array, halfToFloat) };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return { shape, data: Float32Array.from(data, Number) };
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return { shape, data: Float32Array.from(data as unknown as ArrayLike<number>) };
  return undefined;
}

/** An input for ORT in the element type the model declares (float32 unless said otherwise). */
export function toOrtInput(Tensor: typeof ort.Tensor, type: string | undefined, x: EngineTensor): ort.Tensor {
  const dims = [...x.shape];
  switch (type) {
    case undefined:
    case 'float32':
      return new Tensor('float32', x.data, dims);
    case 'float64':
      return new Tensor('float64', Float64Array.from(x.data), dims);
    case 'int64':
      return new Tensor('int64', BigInt64Array.from(x.data, (v) => BigInt(Math.round(v))), dims);
    case 'int32':
      return new Tensor('int32', Int32Array.from(x.data, Math.round), dims);
    case 'uint8':
      return new Tensor('uint8', Uint8Array.from(x.data, Math.round), dims);
    case 'int8':
      return new Tensor('int8', Int8Array.from(x.data, Math.round), dims);
    case 'bool':
      return new Tensor('bool', Uint8Array.from(x.data, (v) => (v ? 1 : 0)), dims);
    default:
      throw new Error(`the model's input takes ${type} values, which CNN Lens cannot feed`);
  }
}
