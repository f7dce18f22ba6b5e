import { DTYPE_BYTES, type DType } from '../../ir';
import { halfToFloat } from '../../runtime/half-float';
import type { TfliteQuantization, TfliteTensor } from './read';

// TFLite's affine quantisation, f = scale · (q − zero_point), per tensor or per channel along one
// axis: described for the inspector, and applied to stored weights so a quantised model runs in
// float32 (said so wherever it runs: the values are the float ones the integers stand for, not the
// integer kernels' results).

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(4))) : x.toExponential(3));

/** "scale 0.02352, zero point −128" or "per-channel on axis 0: 32 scales 0.001–0.04, zero points 0". */
export function describeQuantization(q: TfliteQuantization | undefined): string | undefined {
  if (!q || !q.scale.length) return undefined;
  if (q.scale.length === 1) return `scale ${fmt(q.scale[0])}, zero point ${q.zeroPoint[0] ?? 0}`;
  const zeros = [...new Set(q.zeroPoint)];
  return `per-channel on axis ${q.axis}: ${q.scale.length} scales ${fmt(Math.min(...q.scale))}–${fmt(Math.max(...q.scale))}, zero point${zeros.length === 1 ? ` ${zeros[0]}` : `s ${fmt(Math.min(...zeros))}–${fmt(Math.max(...zeros))}`}`;
}

/** One line per tensor for the inspector: name, stored type and shape, quantisation. */
export function describeTensor(t: TfliteTensor): string {
  const q = describeQuantization(t.quantization);
  return `${t.name} · ${t.typeName.toLowerCase()} [${t.shape.join(', ')}]${q ? ` · ${q}` : ''}`;
}

/** Integer and float types a weight can be stored in and read back as float32. */
const READ: Partial<Record<DType, (v: DataView, i: number) => number>> = {
  float32: (v, i) => v.getFloat32(i * 4, true),
  float16: (v, i) => halfToFloat(v.getUint16(i * 2, true)),
  float64: (v, i) => v.getFloat64(i * 8, true),
  int8: (v, i) => v.getInt8(i),
  uint8: (v, i) => v.getUint8(i),
  int16: (v, i) => v.getInt16(i * 2, true),
  int32: (v, i) => v.getInt32(i * 4, true),
  int64: (v, i) => Number(v.getBigInt64(i * 8, true)),
};

/** True when `dequantize` can read the tensor's stored type. */
export const readableDType = (dtype: DType | undefined): boolean => !!dtype && !!READ[dtype];

/**
 * The tensor's values as float32: floats as stored; integers through their quantisation (per
 * channel along its axis) where they have one, else as they are. `bytes` must hold the tensor
 * (the parser checked its size against the shape).
 */
export function dequantize(t: TfliteTensor, bytes: Uint8Array): Float32Array {
  const read = READ[t.dtype!];
  if (!read) throw new Error(`tensor "${t.name}" is stored as ${t.typeName}, which CNN Lens cannot read as numbers`);
  const n = t.shape.reduce((p, d) => p * d, 1);
  if (bytes.byteLength < n * DTYPE_BYTES[t.dtype!]) throw new Error(`tensor "${t.name}" holds ${bytes.byteLength} bytes, fewer than its shape needs`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = t.quantization;
  const isFloat = t.dtype === 'float32' || t.dtype === 'float16' || t.dtype === 'float64';
  if (!q || isFloat) {
    for (let i = 0; i < n; i++) out[i] = read(view, i);
    return out;
  }
  // Element i's channel along `axis`: (i / inner) mod channels, inner = the product of the later axes.
  const channels = q.scale.length;
  const inner = channels > 1 ? t.shape.slice(q.axis + 1).reduce((p, d) => p * d, 1) : 1;
  for (let i = 0; i < n; i++) {
    const c = channels > 1 ? Math.floor(i / inner) % channels : 0;
    out[i] = q.scale[c] * (read(view, i) - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0));
  }
  return out;
}
