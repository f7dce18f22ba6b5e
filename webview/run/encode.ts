import type { RgbaImage } from '../../src/core/runtime/image';

// Preview pictures as PNG data URLs in the browser (a worker): the canvas encodes, where the
// extension host uses pngjs. The result is the same kind of URL the inspector shows for host runs.

export async function pngDataUrl(image: RgbaImage): Promise<string> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2-D canvas context for the preview pictures');
  const pixels = new Uint8ClampedArray(image.width * image.height * 4);
  pixels.set(image.data);
  context.putImageData(new ImageData(pixels, image.width, image.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new FileReaderSync().readAsDataURL(blob);
}
