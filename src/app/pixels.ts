/**
 * Browser images -> PixelBuffer (RGBA bytes), through one reusable canvas. The model's own
 * preprocessing (PIL-exact resize) then runs on these bytes, exactly as in the CLI.
 */
import type { PixelBuffer } from '../model/index.ts';

/** Larger images are first scaled down by the browser so a 100-megapixel photo cannot exhaust memory. */
export const MAX_DECODED_SIDE = 4096;
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

let canvas: OffscreenCanvas | HTMLCanvasElement | null = null;

function context(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (!canvas) canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!ctx) throw new Error('this browser cannot read image pixels (no 2D canvas)');
  return ctx;
}

/** Pixels of anything drawable (image, bitmap, video frame, canvas) at its own size or `width` x `height`. */
export function pixelsOf(source: CanvasImageSource, width: number, height: number): PixelBuffer {
  const ctx = context(width, height);
  ctx.drawImage(source, 0, 0, width, height);
  const img = ctx.getImageData(0, 0, width, height);
  return { width, height, data: img.data, channels: 4 };
}

export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

/** Decode a user's file (or a fetched sample) into pixels, with a clear message for bad input. */
export async function pixelsFromBlob(blob: Blob, name: string): Promise<{ pixels: PixelBuffer; note: string | null }> {
  if (blob.size === 0) throw new ImageInputError(`"${name}" is empty (0 bytes)`);
  if (blob.size > MAX_FILE_BYTES) throw new ImageInputError(`"${name}" is ${(blob.size / 1e6).toFixed(0)} MB; images up to ${MAX_FILE_BYTES / 1e6} MB are accepted`);
  if (blob.type && !blob.type.startsWith('image/')) throw new ImageInputError(`"${name}" is not an image (${blob.type})`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new ImageInputError(`"${name}" could not be decoded as an image (corrupt or unsupported format)`);
  }
  try {
    const { width, height } = bitmap;
    if (width === 0 || height === 0) throw new ImageInputError(`"${name}" has no pixels`);
    const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(width, height));
    if (scale < 1) {
      const w = Math.max(1, Math.round(width * scale));
      const h = Math.max(1, Math.round(height * scale));
      const small = await createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
      try {
        return { pixels: pixelsOf(small, w, h), note: `"${name}" is ${width} x ${height}; it was scaled to ${w} x ${h} before classification` };
      } finally {
        small.close();
      }
    }
    return { pixels: pixelsOf(bitmap, width, height), note: null };
  } finally {
    bitmap.close();
  }
}
