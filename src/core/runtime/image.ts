import type * as tfc from '@tensorflow/tfjs-core';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_PIXELS } from '../formats/limits';

// Images in and out of the runtime: PNG (pngjs) and JPEG (jpeg-js) decoded to RGBA bytes, and RGBA
// bytes encoded as PNG (thumbnails, the bundled sample). Both codecs are pure JavaScript: nothing
// native, nothing fetched. Node only (pngjs needs zlib): the webview gets PNG data URLs, not this.

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major, RGBA. */
  readonly data: Uint8Array;
}

/** A file that is not a PNG or JPEG CNN Lens can read; the message names the file and the reason. */
export class ImageError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ImageError';
  }
}


export function imageKind(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Width and height from the header alone (PNG IHDR, JPEG SOFn), without decoding. */
export function imageHeaderSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const kind = imageKind(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === 'png' && bytes.length >= 24) return { width: view.getUint32(16), height: view.getUint32(20) };
  if (kind === 'jpeg') {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1];
      const len = view.getUint16(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
      i += 2 + len;
    }
  }
  return undefined;
}

/** Decodes a PNG or JPEG (recognised by its bytes, not its name) to RGBA; its header's size is checked first. */
export function decodeImage(bytes: Uint8Array, file = 'the image'): RgbaImage {
  const kind = imageKind(bytes);
  if (!kind) throw new ImageError(file, 'not a PNG or JPEG image (its first bytes are neither signature)');
  const size = imageHeaderSize(bytes);
  if (size && size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new ImageError(file, `its header says ${size.width}×${size.height} (${((size.width * size.height) / 1e6).toFixed(0)} MP), more than the ${MAX_IMAGE_PIXELS / (1024 * 1024)} MP CNN Lens decodes; downscale it first`);
  }
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new ImageError(file, `the ${kind === 'png' ? 'PNG' : 'JPEG'} cannot be decoded: ${(e as Error).message}`);
  }
}

/** True when every pixel is opaque grey (R = G = B, A = 255): feature-map thumbnails are. */
function isOpaqueGrey(data: Uint8Array): boolean {
  for (let p = 0; p < data.length; p += 4) if (data[p] !== data[p + 1] || data[p] !== data[p + 2] || data[p + 3] !== 255) return false;
  return true;
}

/**
 * Encodes RGBA bytes as a PNG file; an opaque grey image as an 8-bit greyscale PNG, which is a
 * quarter of the raw bytes (a ResNet-50 run's previews cross to the webview as ~3.5 MB of RGBA PNG
 * data URLs, ~1 MB greyscale).
 */
export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  // pngjs's own RGBA → grey conversion and its trying all five filters per row cost more than the
  // deflate: one byte per pixel handed over and one filter (Sub) encode MobileNet v1's 92
  // thumbnails in ≈15 ms instead of ≈100 ms (measured), the same pixels.
  if (isOpaqueGrey(image.data)) {
    const grey = Buffer.alloc(image.width * image.height);
    for (let i = 0; i < grey.length; i++) grey[i] = image.data[i * 4];
    png.data = grey;
    const out = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 1 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const out = PNG.sync.write(png, { filterType: 1 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A PNG as a `data:image/png;base64,…` URL. */
export const pngDataUrl = (image: RgbaImage): string => `data:image/png;base64,${Buffer.from(encodePng(image)).toString('base64')}`;

/**
 * The image as a float32 RGB tensor of pixel values 0–255, shape [1, height, width, 3], resized
 * bilinearly to `size` ([height, width]) when given. Resizing uses half-pixel centres, as
 * TensorFlow 2's `tf.image.resize` (and so Keras's image loading) does. Alpha is dropped.
 */
export function imageTensor(tf: typeof tfc, image: RgbaImage, size?: readonly [number, number]): tfc.Tensor4D {
  return tf.tidy(() => {
    const n = image.width * image.height;
    const rgb = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      rgb[i * 3] = image.data[i * 4];
      rgb[i * 3 + 1] = image.data[i * 4 + 1];
      rgb[i * 3 + 2] = image.data[i * 4 + 2];
    }
    const t = tf.tensor4d(rgb, [1, image.height, image.width, 3]);
    if (!size || (size[0] === image.height && size[1] === image.width)) return t;
    return tf.image.resizeBilinear(t, [size[0], size[1]], false, true);
  });
}
