/**
 * Decode JPEG and PNG files in Node without native code. JPEG goes through mozjpeg (libjpeg-turbo)
 * compiled to wasm, the same decoder family as Chromium and PIL, so the CLI sees the same pixels
 * as the browser and the PyTorch reference (checked byte-exact on the samples by the tests).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { PNG } from 'pngjs';
import type { PixelBuffer } from '../model/preprocess.ts';

/** Refuse images whose decoded pixels would not fit comfortably in memory. */
export const MAX_IMAGE_PIXELS = 120_000_000;

let jpegReady: Promise<unknown> | null = null;
/** libjpeg's warnings for the current decode (it prints them instead of failing). */
const jpegWarnings: string[] = [];

function ensureJpeg(): Promise<unknown> {
  if (!jpegReady) {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
    // init(module, options) is the package's documented runtime form; its .d.ts only declares init(options).
    const init = initJpeg as unknown as (m: WebAssembly.Module, o: { printErr: (s: string) => void; print: (s: string) => void }) => Promise<void>;
    jpegReady = WebAssembly.compile(wasm).then((m) => init(m, { printErr: (msg) => jpegWarnings.push(msg), print: () => {} }));
  }
  return jpegReady;
}

/** Width and height from a JPEG's start-of-frame marker, without decoding. */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let p = 2;
  while (p + 9 < bytes.length) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1];
    const length = (bytes[p + 2] << 8) | bytes[p + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[p + 5] << 8) | bytes[p + 6], width: (bytes[p + 7] << 8) | bytes[p + 8] };
    }
    p += 2 + length;
  }
  return null;
}

export async function decodeImage(bytes: Uint8Array, name = 'image'): Promise<PixelBuffer> {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty (0 bytes)`);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (!isJpeg && !isPng) throw new Error(`${name}: not a JPEG or PNG image`);
  try {
    if (isJpeg) {
      const size = jpegSize(bytes);
      if (!size || size.width === 0 || size.height === 0) throw new Error('no image size in the JPEG header');
      if (size.width * size.height > MAX_IMAGE_PIXELS) throw new Error(`${size.width} x ${size.height} is larger than ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
      await ensureJpeg();
      jpegWarnings.length = 0;
      const img = await decodeJpeg(bytes.slice().buffer);
      // A truncated file still "decodes" (grey below the cut); refuse it rather than classify half an image.
      if (jpegWarnings.some((w) => /premature end/i.test(w))) throw new Error('the JPEG data ends early (truncated file)');
      if (!img || img.width === 0) throw new Error('corrupt JPEG data');
      return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), channels: 4 };
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (png.width * png.height > MAX_IMAGE_PIXELS) throw new Error('the image is too large');
    return { width: png.width, height: png.height, data: png.data, channels: 4 };
  } catch (e) {
    throw new Error(`${name}: the image cannot be decoded (${(e as Error).message.split('\n')[0]})`);
  }
}
