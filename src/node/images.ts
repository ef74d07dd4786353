/**
 * Decode JPEG and PNG files in Node without native code. JPEG goes through mozjpeg (libjpeg-turbo)
 * compiled to wasm, the same decoder family as Chromium and PIL, so the CLI sees the same pixels
 * as the browser and the PyTorch reference (checked byte-exact on the samples by the tests).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { PNG } from 'pngjs';
import { readImageHeader } from '../model/image-header.ts';
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

export async function decodeImage(bytes: Uint8Array, name = 'image'): Promise<PixelBuffer> {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty (0 bytes)`);
  // The same header reader as the browser: format from the magic bytes, size before decoding.
  const header = readImageHeader(bytes);
  if (header?.format !== 'jpeg' && header?.format !== 'png') throw new Error(`${name}: not a JPEG or PNG image`);
  try {
    const { width, height } = header;
    if (!width || !height) throw new Error(`no image size in the ${header.format.toUpperCase()} header`);
    if (width * height > MAX_IMAGE_PIXELS) throw new Error(`${width} x ${height} is larger than ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
    if (header.format === 'jpeg') {
      await ensureJpeg();
      jpegWarnings.length = 0;
      const img = await decodeJpeg(bytes.slice().buffer);
      // A truncated file still "decodes" (grey below the cut); refuse it rather than classify half an image.
      if (jpegWarnings.some((w) => /premature end/i.test(w))) throw new Error('the JPEG data ends early (truncated file)');
      if (!img || img.width === 0) throw new Error('corrupt JPEG data');
      return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), channels: 4 };
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data, channels: 4 };
  } catch (e) {
    throw new Error(`${name}: the image cannot be decoded (${(e as Error).message.split('\n')[0]})`);
  }
}
