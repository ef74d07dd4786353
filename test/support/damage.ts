/** Damaged files made at test time from committed checkpoints (nothing damaged is committed). */
import { Uint8ArrayReader, ZipReader, configure } from '@zip.js/zip.js';

configure({ useWebWorkers: false });

/**
 * A copy of a zip-format .pth with one bit flipped in the middle of its largest tensor's data: still
 * a well-formed zip and pickle, so only the entry's CRC-32 can tell. Returns the entry's name.
 */
export async function flipByteInLargestTensor(pth: Uint8Array): Promise<{ bytes: Uint8Array; entry: string }> {
  const reader = new ZipReader(new Uint8ArrayReader(pth));
  const entries = (await reader.getEntries()).filter((e) => /\/data\/\d+$/.test(e.filename));
  await reader.close();
  if (entries.length === 0) throw new Error('not a zip-format PyTorch checkpoint');
  const largest = entries.reduce((a, b) => (b.compressedSize > a.compressedSize ? b : a));
  const view = new DataView(pth.buffer, pth.byteOffset, pth.byteLength);
  // Local file header: 30 fixed bytes, then the name and the extra field, then the stored data.
  const dataStart = largest.offset + 30 + view.getUint16(largest.offset + 26, true) + view.getUint16(largest.offset + 28, true);
  const bytes = pth.slice();
  bytes[dataStart + Math.floor(largest.compressedSize / 2)] ^= 0x10;
  return { bytes, entry: largest.filename };
}
