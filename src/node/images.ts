/** Decode JPEG and PNG files in Node (pure JS, no native code) into RGBA pixels. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { PixelBuffer } from '../model/preprocess.ts';

/** Refuse images whose decoded pixels would not fit comfortably in memory. */
export const MAX_IMAGE_PIXELS = 120_000_000;

export function decodeImage(bytes: Uint8Array, name = 'image'): PixelBuffer {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty (0 bytes)`);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (!isJpeg && !isPng) throw new Error(`${name}: not a JPEG or PNG image`);
  try {
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
      return { width: img.width, height: img.height, data: img.data, channels: 4 };
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (png.width * png.height > MAX_IMAGE_PIXELS) throw new Error('the image is too large');
    return { width: png.width, height: png.height, data: png.data, channels: 4 };
  } catch (e) {
    throw new Error(`${name}: the image cannot be decoded (${(e as Error).message.split('\n')[0]})`);
  }
}
