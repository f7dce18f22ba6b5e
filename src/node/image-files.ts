import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceError } from '../core/formats/source';
import { encodePng, ImageError, imageFromBytes, type ReadImageOptions, type ReadImageResult, type RgbImage } from '../core/style/image-io';
import { readUserFile } from './file-source';

// Image files on disk for style transfer: read (a regular file within the size limit, then
// core's decoding and sizing) and written as PNG.

export function readImage(path: string, options: ReadImageOptions = {}): ReadImageResult {
  let bytes: Uint8Array;
  try {
    bytes = readUserFile(path, 'image');
  } catch (e) {
    if (e instanceof SourceError) throw new ImageError(path, `cannot read ${path}: ${e.reason}`);
    throw e;
  }
  return imageFromBytes(bytes, path, options);
}

/** Writes a PNG, making its folder when needed. */
export function writePng(path: string, img: RgbImage): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(img));
}
