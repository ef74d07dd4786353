/**
 * Test media made at test time from the sample photos (nothing big is committed): a YUV4MPEG2
 * clip for Chromium's fake camera, and bad files for the bad-input tests.
 */
import { createDeflate } from 'node:zlib';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '../../src/node/images.ts';
import type { PixelBuffer } from '../../src/model/preprocess.ts';

// Outside test-results/, which Playwright empties at the start of every run (parallel runs included).
export const MEDIA_DIR = path.join(os.tmpdir(), 'ghostnet-e2e-media');

function ensureDir(): void {
  mkdirSync(MEDIA_DIR, { recursive: true });
}

/** Bilinear resize to w x h, then BT.601 studio-range 4:2:0 planes. */
function toI420(src: PixelBuffer, w: number, h: number): Buffer {
  const rgb = new Float64Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(src.height - 1, Math.max(0, ((y + 0.5) * src.height) / h - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(src.height - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(src.width - 1, Math.max(0, ((x + 0.5) * src.width) / w - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(src.width - 1, x0 + 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => src.data[(yy * src.width + xx) * src.channels + c];
        rgb[(y * w + x) * 3 + c] = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
      }
    }
  }
  const out = Buffer.alloc((w * h * 3) / 2);
  const u0 = w * h, v0 = u0 + (w * h) / 4;
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]];
    out[i] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  }
  for (let y = 0; y < h / 2; y++) {
    for (let x = 0; x < w / 2; x++) {
      let r = 0, g = 0, b = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        const i = (2 * y + dy) * w + 2 * x + dx;
        r += rgb[i * 3] / 4; g += rgb[i * 3 + 1] / 4; b += rgb[i * 3 + 2] / 4;
      }
      out[u0 + y * (w / 2) + x] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      out[v0 + y * (w / 2) + x] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  return out;
}

/** A looping clip showing each photo for `secondsEach` seconds; returns its path. */
export async function makeWebcamClip(photos: string[], { width = 320, height = 240, fps = 30, secondsEach = 1 } = {}): Promise<string> {
  ensureDir();
  const file = path.join(MEDIA_DIR, `webcam-${width}x${height}-${fps}fps-${photos.length}.y4m`);
  if (existsSync(file)) return file;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const photo of photos) {
    const decoded = await decodeImage(readFileSync(photo), photo);
    const frame = toI420(decoded, width, height);
    for (let i = 0; i < fps * secondsEach; i++) parts.push(Buffer.from('FRAME\n'), frame);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid grey PNG of width x height, streamed through zlib so the raw pixels never sit in memory. */
export async function makeHugePng(width: number, height: number): Promise<string> {
  ensureDir();
  const file = path.join(MEDIA_DIR, `huge-${width}x${height}.png`);
  if (existsSync(file)) return file;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0; // 8-bit greyscale
  const row = Buffer.alloc(1 + width);
  const deflate = createDeflate({ level: 6 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { deflate.on('end', resolve); deflate.on('error', reject); });
  for (let y = 0; y < height; y++) {
    row.fill(Math.round((y / height) * 255), 1); // a vertical gradient, so it is not all one colour
    if (!deflate.write(Buffer.from(row))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(chunks)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('error', reject);
    out.end(png, () => resolve());
  });
  return file;
}

/** The bad files: a text file, a JPEG cut after its header and filled with noise, an empty file. */
export function makeBadFiles(): { notImage: string; corrupt: string; empty: string } {
  ensureDir();
  const notImage = path.join(MEDIA_DIR, 'notes.txt');
  writeFileSync(notImage, 'This is a text file, not a photo.\n');
  const good = readFileSync('public/samples/n03028079_16731.JPEG');
  const corrupt = path.join(MEDIA_DIR, 'corrupt.jpg');
  const noise = Buffer.alloc(4000);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  // Keep the JPEG signature and the first segments, then garbage instead of the scan data.
  writeFileSync(corrupt, Buffer.concat([good.subarray(0, 200), noise]));
  const empty = path.join(MEDIA_DIR, 'empty.jpg');
  writeFileSync(empty, Buffer.alloc(0));
  return { notImage, corrupt, empty };
}
