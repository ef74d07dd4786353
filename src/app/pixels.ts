/**
 * Browser images -> PixelBuffer (RGBA bytes), through one reusable canvas. The model's own
 * preprocessing (PIL-exact resize) then runs on these bytes, exactly as in the CLI.
 */
import type { PixelBuffer } from '../model/index.ts';
import { readImageHeader } from '../model/image-header.ts';
import { SETTINGS } from './settings.ts';

export const MAX_DECODED_SIDE = SETTINGS.image.maxDecodedSide;
export const MAX_FILE_BYTES = SETTINGS.image.maxFileBytes;

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

/**
 * Run a photo's whole path once on a tiny made-up image, so the first real photo does not pay for
 * it: Chromium connects a 2D canvas to the GPU process on its first draw (a wait of tens of
 * milliseconds on the main thread, longer while the GPU process is busy), and the resize code
 * runs slowly until the JavaScript engine has compiled it. The app calls this while the first
 * model downloads, when the main thread would otherwise wait.
 */
export async function warmPhotoPath(resize: (pixels: PixelBuffer) => unknown): Promise<void> {
  const side = 8;
  const bitmap = await createImageBitmap(new ImageData(side, side), DECODE);
  try {
    pixelsOf(bitmap, side, side);
  } finally {
    bitmap.close();
  }
  // A sample photo's size: enough iterations for the engine to optimise the loops.
  const w = 224;
  resize({ width: w, height: w, data: new Uint8ClampedArray(w * w * 4), channels: 4 });
}

export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

const megapixels = (w: number, h: number) => `${((w * h) / 1e6).toFixed(0)} megapixels`;

function fitted(width: number, height: number): { w: number; h: number } | null {
  const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(width, height));
  if (scale >= 1) return null;
  return { w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) };
}

// No colour-space conversion: the CLI (jpeg-js) reads the raw stored values, and so do we.
const DECODE: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };

/** Decode a user's file (or a fetched sample) into pixels, with a clear message for bad input. */
export async function pixelsFromBlob(blob: Blob, name: string): Promise<{ pixels: PixelBuffer; note: string | null }> {
  if (blob.size === 0) throw new ImageInputError(`"${name}" is empty (0 bytes); choose a photo (JPEG, PNG, GIF, WebP or BMP)`);
  if (blob.size > MAX_FILE_BYTES) throw new ImageInputError(`"${name}" is ${(blob.size / 1e6).toFixed(0)} MB; images up to ${MAX_FILE_BYTES / 1e6} MB are accepted`);
  const header = readImageHeader(new Uint8Array(await blob.slice(0, 65536).arrayBuffer()));
  if (!header && !blob.type.startsWith('image/')) {
    throw new ImageInputError(`"${name}" is not an image${blob.type ? ` (${blob.type})` : ''}; choose a photo (JPEG, PNG, GIF, WebP or BMP)`);
  }
  if (header?.width != null && header.height != null) {
    if (header.width === 0 || header.height === 0) throw new ImageInputError(`"${name}" has no pixels (${header.width} x ${header.height})`);
    if (header.width * header.height > SETTINGS.image.maxPixels) {
      throw new ImageInputError(`"${name}" is ${header.width} x ${header.height} pixels (${megapixels(header.width, header.height)}); images up to ${megapixels(SETTINGS.image.maxPixels, 1)} are accepted`);
    }
  }
  // Known to be large: let the decoder scale it down, so the full-size pixels never exist.
  const early = header?.width != null && header.height != null ? fitted(header.width, header.height) : null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, early ? { ...DECODE, resizeWidth: early.w, resizeHeight: early.h, resizeQuality: 'high' } : DECODE);
  } catch {
    const what = header ? `looks like a ${header.format.toUpperCase()} image but could not be decoded` : 'could not be decoded as an image';
    throw new ImageInputError(`"${name}" ${what} (the file is corrupt, truncated or in an unsupported format)`);
  }
  try {
    const { width, height } = bitmap;
    if (width === 0 || height === 0) throw new ImageInputError(`"${name}" has no pixels`);
    if (early) {
      return { pixels: pixelsOf(bitmap, width, height), note: `"${name}" is ${header!.width} x ${header!.height} pixels; it was scaled to ${width} x ${height} before classification` };
    }
    const late = fitted(width, height);
    if (late) {
      return { pixels: pixelsOf(bitmap, late.w, late.h), note: `"${name}" is ${width} x ${height} pixels; it was scaled to ${late.w} x ${late.h} before classification` };
    }
    return { pixels: pixelsOf(bitmap, width, height), note: null };
  } finally {
    bitmap.close();
  }
}
