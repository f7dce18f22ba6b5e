// IEEE 754 half precision (float16) bits → a number: fp16 weights in ONNX initializers, Keras HDF5
// datasets and ONNX Runtime outputs all arrive as 16-bit words.

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
