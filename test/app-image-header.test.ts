import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../src/model/image-header.ts';
import { decodeImage } from '../src/node/images.ts';
import { cameraError } from '../src/app/camera/camera.ts';

describe('readImageHeader', () => {
  it('reads a sample JPEG\'s size as the decoder then finds it', async () => {
    const bytes = new Uint8Array(readFileSync('public/samples/n03028079_16731.JPEG'));
    const header = readImageHeader(bytes.subarray(0, 65536));
    expect(header?.format).toBe('jpeg');
    const decoded = await decodeImage(bytes);
    expect({ width: header?.width, height: header?.height }).toEqual({ width: decoded.width, height: decoded.height });
  });

  it('reads a PNG header', () => {
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(png.buffer).setUint32(16, 12000);
    new DataView(png.buffer).setUint32(20, 9000);
    expect(readImageHeader(png)).toEqual({ format: 'png', width: 12000, height: 9000 });
  });

  it('does not take text, a checkpoint or nothing for an image', () => {
    expect(readImageHeader(new TextEncoder().encode('hello, not a photo'))).toBeNull();
    expect(readImageHeader(new Uint8Array(readFileSync('test/fixtures/checkpoints/ghostnet_025_tiny_random.pth').subarray(0, 64)))).toBeNull();
    expect(readImageHeader(new Uint8Array(0))).toBeNull();
  });

  it('recognises a JPEG whose scan data is garbage (so the page can say "corrupt", not "not an image")', () => {
    const bytes = new Uint8Array(readFileSync('public/samples/n03028079_16731.JPEG').subarray(0, 200));
    expect(readImageHeader(bytes)?.format).toBe('jpeg');
  });
});

describe('cameraError', () => {
  it('maps getUserMedia failures to messages a person can act on', () => {
    expect(cameraError(new DOMException('x', 'NotAllowedError')).kind).toBe('denied');
    expect(cameraError(new DOMException('x', 'NotFoundError')).kind).toBe('not-found');
    expect(cameraError(new DOMException('x', 'NotReadableError')).kind).toBe('in-use');
    expect(cameraError(new Error('odd')).message).toContain('odd');
  });
});
