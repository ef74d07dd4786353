/**
 * Recognise an image by its first bytes and read its size from the header, without decoding it.
 * This tells "not an image" from "a corrupt image", and refuses absurdly large images before the
 * browser or the CLI allocates their pixels. Shared by both, so they sniff files alike.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif';

export interface ImageHeader {
  readonly format: ImageFormat;
  /** Null when the header is present but its size could not be read (the decoder will judge). */
  readonly width: number | null;
  readonly height: number | null;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function jpegSize(b: Uint8Array): [number, number] | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    }
    i += 2 + len;
  }
  return null;
}

/** The format and size of an image from its first bytes (64 KiB suffice for JPEG headers), or null. */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    return { format: 'jpeg', width: size?.[0] ?? null, height: size?.[1] ?? null };
  }
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') {
    const ok = b.length >= 24 && ascii(b, 12, 4) === 'IHDR';
    return { format: 'png', width: ok ? dv.getUint32(16) : null, height: ok ? dv.getUint32(20) : null };
  }
  if (b.length >= 6 && ascii(b, 0, 3) === 'GIF') {
    const ok = b.length >= 10;
    return { format: 'gif', width: ok ? dv.getUint16(6, true) : null, height: ok ? dv.getUint16(8, true) : null };
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { format: 'webp', width: null, height: null };
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') {
    const ok = b.length >= 26;
    return { format: 'bmp', width: ok ? Math.abs(dv.getInt32(18, true)) : null, height: ok ? Math.abs(dv.getInt32(22, true)) : null };
  }
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp' && /avi[fs]/.test(ascii(b, 8, 4))) return { format: 'avif', width: null, height: null };
  return null;
}
