import type * as tfc from '@tensorflow/tfjs-core';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_PIXELS as MAX_DECODE_PIXELS } from '../formats/limits';
import { imageHeaderSize, imageKind as sniffImage } from '../runtime/image';

// Image files for style transfer: PNG and JPEG in (sniffed from their first bytes, never from the
// name), PNG out. Images are 8-bit RGB in memory (alpha is composited over white). Huge images are
// refused before decoding above MAX_DECODE_PIXELS (the header says how big they are) and downscaled
// with a notice above a caller's maximum side, so a 20,000-pixel photo never exhausts memory.
// (src/core/runtime/image.ts did not exist when this was written: this module is style's own.)
// Reading and writing the files is the host's: src/node/image-files.ts.

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  readonly data: Uint8Array;
}

/** A file that is not an image CNN Lens reads, or one too large to decode: the message names the file. */
export class ImageError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

/** Decodes PNG or JPEG bytes to RGB. `file` names the source in errors. */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  const kind = sniffImage(bytes);
  if (!kind) throw new ImageError(file, `${file} is not an image CNN Lens reads (PNG or JPEG): its first bytes are not a PNG or JPEG signature`);
  const size = imageHeaderSize(bytes);
  if (size && size.width * size.height > MAX_DECODE_PIXELS) {
    throw new ImageError(file, `${file} is ${size.width}×${size.height} (${((size.width * size.height) / 1e6).toFixed(0)} MP): too large to decode safely (limit ${MAX_DECODE_PIXELS / (1024 * 1024)} MP); downscale it first`);
  }
  let rgba: Uint8Array, width: number, height: number;
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_DECODE_PIXELS / 1e6 + 1, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (e) {
    throw new ImageError(file, `${file} looks like a ${kind.toUpperCase()} but cannot be decoded: ${(e as Error).message}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    const a = rgba[q + 3] / 255;
    data[p * 3] = Math.round(rgba[q] * a + 255 * (1 - a));
    data[p * 3 + 1] = Math.round(rgba[q + 1] * a + 255 * (1 - a));
    data[p * 3 + 2] = Math.round(rgba[q + 2] * a + 255 * (1 - a));
  }
  return { width, height, data };
}

export interface ReadImageOptions {
  /** Downscale (aspect kept) so that the longer side is at most this; a notice says so. */
  readonly maxSide?: number;
  /** Resize (aspect kept) so that the longer side is exactly this (the CLI's --size). */
  readonly size?: number;
}

export interface ReadImageResult {
  readonly image: RgbImage;
  readonly original: { readonly width: number; readonly height: number };
  /** Set when the image was downscaled to fit maxSide. */
  readonly notice?: string;
}

/** An image file's bytes decoded and sized as `options` ask; `path` names it in messages. */
export function imageFromBytes(bytes: Uint8Array, path: string, options: ReadImageOptions = {}): ReadImageResult {
  const image = decodeImage(bytes, path);
  const original = { width: image.width, height: image.height };
  let side = options.size ?? Math.max(image.width, image.height);
  let notice: string | undefined;
  if (options.maxSide && side > options.maxSide) {
    notice = `${path} is ${image.width}×${image.height}: downscaled so that its longer side is ${options.maxSide} px (the limit for this mode)`;
    side = options.maxSide;
  }
  const scaled = fitLongerSide(image, side);
  return { image: scaled, original, notice };
}

/** Resizes so that the longer side is `side` px, aspect kept (no-op when it already is). */
export function fitLongerSide(img: RgbImage, side: number): RgbImage {
  const longer = Math.max(img.width, img.height);
  if (longer === side) return img;
  const s = side / longer;
  return resizeImage(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
}

/** Area averaging when shrinking (no aliasing), bilinear when enlarging. Plain JS: no tensors for huge inputs. */
export function resizeImage(img: RgbImage, width: number, height: number): RgbImage {
  if (width === img.width && height === img.height) return img;
  const out = new Uint8Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  if (sx >= 1 && sy >= 1) {
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * sy);
      const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(x * sx);
        const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
        let r = 0, g = 0, b = 0;
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) {
            const i = (yy * img.width + xx) * 3;
            r += img.data[i];
            g += img.data[i + 1];
            b += img.data[i + 2];
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        const o = (y * width + x) * 3;
        out[o] = Math.round(r / n);
        out[o + 1] = Math.round(g / n);
        out[o + 2] = Math.round(b / n);
      }
    }
    return { width, height, data: out };
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c] * (1 - wx) + img.data[(y0 * img.width + x1) * 3 + c] * wx;
        const b = img.data[(y1 * img.width + x0) * 3 + c] * (1 - wx) + img.data[(y1 * img.width + x1) * 3 + c] * wx;
        out[(y * width + x) * 3 + c] = Math.round(a * (1 - wy) + b * wy);
      }
    }
  }
  return { width, height, data: out };
}

export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let p = 0; p < img.width * img.height; p++) {
    png.data[p * 4] = img.data[p * 3];
    png.data[p * 4 + 1] = img.data[p * 3 + 1];
    png.data[p * 4 + 2] = img.data[p * 3 + 2];
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** [1, H, W, 3] float32 in [0, 255]. */
export function imageToTensor(tf: typeof tfc, img: RgbImage): tfc.Tensor4D {
  return tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);
}

/** A [1, H, W, 3] (or [H, W, 3]) tensor in [0, 255] back to an 8-bit image (clipped, rounded). */
export function tensorToImage(t: tfc.Tensor): RgbImage {
  const shape = t.shape.length === 4 ? t.shape.slice(1) : t.shape;
  const values = t.dataSync();
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(values[i])));
  return { height: shape[0], width: shape[1], data };
}
