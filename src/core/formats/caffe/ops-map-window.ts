import type { Attrs } from '../../ir';
import { num, nums } from './fields';
import type { TextMessage } from './text-format';

// What Caffe's window layers (Convolution, Deconvolution, Pooling) share: the 2-D kernel, stride,
// pad and dilation, each written once for both axes (`kernel_size: 3`, repeated `[3, 3]`) or per
// axis (`kernel_h`, `kernel_w`), as caffe.proto's ConvolutionParameter and PoolingParameter define.

export type Mapping = { readonly op: string; readonly attrs: Attrs; readonly flattenFrom?: number } | { readonly unknown: string };

export const op = (kind: string, attrs: Attrs): Mapping => ({ op: kind, attrs });
export const unknown = (reason: string): Mapping => ({ unknown: reason });

/** [h, w] from `name` (one value for both, or two) or from `name_h` / `name_w`; undefined when absent. */
export function pairOf(m: TextMessage | undefined, name: string, h: string, w: string, def?: number): readonly [number, number] | undefined {
  const both = nums(m, name);
  const nh = num(m, h);
  const nw = num(m, w);
  if (nh !== undefined || nw !== undefined) return [nh ?? both[0] ?? def ?? 0, nw ?? both[1] ?? both[0] ?? def ?? 0];
  if (both.length === 1) return [both[0], both[0]];
  if (both.length >= 2) return [both[0], both[1]];
  return def === undefined ? undefined : [def, def];
}

export interface Window {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
}

/** The window of a convolution or pooling message, or why it is not a 2-D one. */
export function windowOf(m: TextMessage | undefined, what: string): Window | { unknown: string } {
  const kernelCount = nums(m, 'kernel_size').length;
  if (kernelCount > 2) return { unknown: `${what} with a ${kernelCount}-D kernel; CNN Lens maps 2-D windows` };
  const kernel = pairOf(m, 'kernel_size', 'kernel_h', 'kernel_w');
  if (!kernel) return { unknown: `${what} without kernel_size (or kernel_h and kernel_w)` };
  const strides = pairOf(m, 'stride', 'stride_h', 'stride_w', 1)!;
  const [ph, pw] = pairOf(m, 'pad', 'pad_h', 'pad_w', 0)!;
  const dilation = pairOf(m, 'dilation', 'dilation_h', 'dilation_w', 1)!;
  return { kernel, strides, pads: [ph, pw, ph, pw], dilation };
}
