/**
 * The lab's data set as one compact static file (`public/lab/cifar10-lab.bin`): the original JPEG
 * files, concatenated, behind a small header. Decoding them with the same JPEG decoder as the CLI
 * (mozjpeg compiled to wasm, @jsquash/jpeg) gives the page exactly the pixels the CLI reads from
 * the class folders (test/lab-data.test.ts checks it byte for byte).
 *
 * Layout (little-endian):
 *
 *   0        8 bytes  magic "GLABPACK"
 *   8        u32      version (1)
 *   12       u32      M, the manifest's length in bytes
 *   16       M bytes  manifest, UTF-8 JSON: { format, size, classes, splits, counts, dataBytes, source }
 *   I        12 bytes per image (I = 16 + M rounded up to 4): u32 offset into the data, u32 length,
 *                     u16 class index, u8 split index, u8 0. Images in split order, then class order.
 *   D        the JPEG files, concatenated (D = I + 12 x images)
 *   D + dataBytes     u32 CRC-32 (IEEE) of every byte before it
 *
 * Pure code (no Node, no DOM): the packer script, the Node tests and the page's worker share it.
 */
import type { PixelBuffer } from '../model/preprocess.ts';
import type { LabData } from './types.ts';

export const LAB_PACK_MAGIC = 'GLABPACK';
export const LAB_PACK_VERSION = 1;
export const LAB_PACK_FORMAT = 'ghostnet-lab-pack';
/** The side of every image in a pack (the lab's networks take 32 x 32 inputs). */
export const LAB_IMAGE_SIZE = 32;
/** The splits a pack holds, in file order. */
export const LAB_SPLITS = ['train', 'test'] as const;
export type LabSplit = (typeof LAB_SPLITS)[number];

const HEADER_BYTES = 16;
const RECORD_BYTES = 12;
const MAX_CLASSES = 256;
const MAX_MANIFEST_BYTES = 1 << 20;

export interface LabPackManifest {
  readonly format: typeof LAB_PACK_FORMAT;
  readonly size: number;
  readonly classes: string[];
  readonly splits: LabSplit[];
  readonly counts: Record<LabSplit, number>;
  readonly dataBytes: number;
  /** Where the images come from, and whom to credit. */
  readonly source: string;
}

/** A parsed pack: the manifest and, per image, its class, split and JPEG bytes (views into the file). */
export interface LabPack {
  readonly manifest: LabPackManifest;
  readonly images: { readonly label: number; readonly split: LabSplit; readonly jpeg: Uint8Array }[];
}

/** One image to pack: its class index and split, and the JPEG file's bytes as they are on disk. */
export interface LabPackEntry {
  readonly label: number;
  readonly split: LabSplit;
  readonly jpeg: Uint8Array;
}

/** Decodes one JPEG file to pixels (the CLI's `decodeImage`, or @jsquash/jpeg in a worker). */
export type JpegDecoder = (bytes: Uint8Array, name: string) => Promise<PixelBuffer>;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, as zlib and PNG), table-driven.

let crcTable: Uint32Array | null = null;
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const align4 = (n: number) => (n + 3) & ~3;

// ---------------------------------------------------------------------------------------------
// Writing

/** The pack file for `entries` (train images first, then test; each split in class order). */
export function writeLabPack(classes: readonly string[], entries: readonly LabPackEntry[], source: string): Uint8Array {
  if (classes.length < 2 || classes.length > MAX_CLASSES) throw new Error(`a lab pack needs 2 to ${MAX_CLASSES} classes, got ${classes.length}`);
  const sorted = [...entries].sort((a, b) => LAB_SPLITS.indexOf(a.split) - LAB_SPLITS.indexOf(b.split) || a.label - b.label);
  const counts = { train: 0, test: 0 } as Record<LabSplit, number>;
  let dataBytes = 0;
  for (const e of sorted) {
    if (!(e.label >= 0 && e.label < classes.length && Number.isInteger(e.label))) throw new Error(`class index ${e.label} is outside the ${classes.length} classes`);
    if (e.jpeg.length === 0) throw new Error('an image has no bytes');
    counts[e.split]++;
    dataBytes += e.jpeg.length;
  }
  const manifest: LabPackManifest = { format: LAB_PACK_FORMAT, size: LAB_IMAGE_SIZE, classes: [...classes], splits: [...LAB_SPLITS], counts, dataBytes, source };
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const index = align4(HEADER_BYTES + json.length);
  const data = index + RECORD_BYTES * sorted.length;
  const out = new Uint8Array(data + dataBytes + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(LAB_PACK_MAGIC), 0);
  view.setUint32(8, LAB_PACK_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  let offset = 0;
  sorted.forEach((e, i) => {
    const r = index + i * RECORD_BYTES;
    view.setUint32(r, offset, true);
    view.setUint32(r + 4, e.jpeg.length, true);
    view.setUint16(r + 8, e.label, true);
    out[r + 10] = LAB_SPLITS.indexOf(e.split);
    out.set(e.jpeg, data + offset);
    offset += e.jpeg.length;
  });
  view.setUint32(data + dataBytes, crc32(out.subarray(0, data + dataBytes)), true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A file that is not a lab pack, or a damaged one. */
export class LabPackError extends Error {}

function fail(what: string): never {
  throw new LabPackError(`the lab data file is damaged or not a lab pack: ${what}`);
}

/** The manifest and the file's expected total length, from the first bytes (null: not enough yet). */
export function readLabPackHeader(bytes: Uint8Array): { manifest: LabPackManifest; index: number; data: number; total: number } | null {
  if (bytes.length < HEADER_BYTES) return null;
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== LAB_PACK_MAGIC) fail(`it does not start with "${LAB_PACK_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== LAB_PACK_VERSION) throw new LabPackError(`the lab data file has format version ${version}; this app reads version ${LAB_PACK_VERSION}`);
  const m = view.getUint32(12, true);
  if (m < 2 || m > MAX_MANIFEST_BYTES) fail(`a manifest of ${m} bytes`);
  if (bytes.length < HEADER_BYTES + m) return null;
  let manifest: LabPackManifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + m)));
  } catch {
    fail('its manifest is not valid JSON');
  }
  checkManifest(manifest);
  const images = manifest.counts.train + manifest.counts.test;
  const index = align4(HEADER_BYTES + m);
  const data = index + images * RECORD_BYTES;
  return { manifest, index, data, total: data + manifest.dataBytes + 4 };
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1e7;

function checkManifest(m: LabPackManifest): void {
  if (!m || typeof m !== 'object' || m.format !== LAB_PACK_FORMAT) fail(`its manifest's format is not "${LAB_PACK_FORMAT}"`);
  if (m.size !== LAB_IMAGE_SIZE) fail(`images of ${m.size} px; the lab uses ${LAB_IMAGE_SIZE} px`);
  const c = m.classes;
  if (!Array.isArray(c) || c.length < 2 || c.length > MAX_CLASSES || !c.every((x) => typeof x === 'string' && x.length > 0) || new Set(c).size !== c.length) {
    fail(`its manifest needs 2 to ${MAX_CLASSES} distinct class names`);
  }
  if (JSON.stringify(m.splits) !== JSON.stringify(LAB_SPLITS)) fail(`its splits are not ${LAB_SPLITS.join(' and ')}`);
  if (!m.counts || !isCount(m.counts.train) || !isCount(m.counts.test) || m.counts.train === 0 || m.counts.test === 0) fail('its image counts are missing or zero');
  if (!(typeof m.dataBytes === 'number' && Number.isInteger(m.dataBytes) && m.dataBytes > 0 && m.dataBytes < 2 ** 32)) fail('its data length is invalid');
}

/** Parse and check a whole pack: magic, version, manifest, length, checksum, every record's bounds. */
export function parseLabPack(bytes: Uint8Array): LabPack {
  if (bytes.length < HEADER_BYTES) fail(`it is ${bytes.length} bytes long`);
  const header = readLabPackHeader(bytes);
  if (!header) fail(`it ends inside its manifest (${bytes.length} bytes)`);
  const { manifest, index, data, total } = header;
  if (bytes.length < total) fail(`it is cut short (${bytes.length} of ${total} bytes)`);
  if (bytes.length > total) fail(`${bytes.length - total} unexpected bytes at its end`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(total - 4, true);
  if (crc32(bytes.subarray(0, total - 4)) !== stored) fail('its checksum does not match (the bytes have changed)');
  const count = manifest.counts.train + manifest.counts.test;
  const seen = { train: 0, test: 0 } as Record<LabSplit, number>;
  const images: LabPack['images'][number][] = [];
  let lastSplit = 0;
  for (let i = 0; i < count; i++) {
    const r = index + i * RECORD_BYTES;
    const offset = view.getUint32(r, true);
    const length = view.getUint32(r + 4, true);
    const label = view.getUint16(r + 8, true);
    const s = bytes[r + 10];
    if (length === 0 || offset + length > manifest.dataBytes) fail(`image ${i} lies outside the data`);
    if (label >= manifest.classes.length) fail(`image ${i} has class ${label} of ${manifest.classes.length}`);
    if (s >= LAB_SPLITS.length || s < lastSplit) fail(`image ${i} has split ${s}`);
    lastSplit = s;
    const split = LAB_SPLITS[s];
    seen[split]++;
    images.push({ label, split, jpeg: bytes.subarray(data + offset, data + offset + length) });
  }
  for (const s of LAB_SPLITS) if (seen[s] !== manifest.counts[s]) fail(`${seen[s]} ${s} images where the manifest says ${manifest.counts[s]}`);
  return { manifest, images };
}

export interface LabPackProgress {
  /** 'download': bytes of the file; 'decode': images decoded. */
  readonly phase: 'download' | 'decode';
  readonly loaded: number;
  /** null while the download's length is not known yet. */
  readonly total: number | null;
}

export interface LabSplits {
  readonly train: LabData;
  readonly test: LabData;
  readonly manifest: LabPackManifest;
}

const abortError = () => new DOMException('the lab data download was stopped', 'AbortError');

/** Decode every image of a parsed pack into the lab's in-memory data sets (NHWC uint8, 32 x 32 x 3). */
export async function decodeLabPack(
  pack: LabPack,
  decode: JpegDecoder,
  opts: { onProgress?: (p: LabPackProgress) => void; signal?: AbortSignal } = {},
): Promise<LabSplits> {
  const { manifest } = pack;
  const size = manifest.size;
  const pixels = size * size * 3;
  const out = {} as Record<LabSplit, { images: Uint8Array; labels: Uint8Array; n: number }>;
  for (const s of LAB_SPLITS) out[s] = { images: new Uint8Array(manifest.counts[s] * pixels), labels: new Uint8Array(manifest.counts[s]), n: 0 };
  const total = pack.images.length;
  for (let i = 0; i < total; i++) {
    if (opts.signal?.aborted) throw abortError();
    const { label, split, jpeg } = pack.images[i];
    const set = out[split];
    const name = `image ${i} (${split}, ${manifest.classes[label]})`;
    let img: PixelBuffer;
    try {
      img = await decode(jpeg, name);
    } catch (e) {
      fail(`${name} cannot be decoded (${(e as Error).message})`);
    }
    if (img.width !== size || img.height !== size) fail(`${name} is ${img.width} x ${img.height}, not ${size} x ${size}`);
    const dst = set.images.subarray(set.n * pixels, (set.n + 1) * pixels);
    for (let p = 0, q = 0; p < size * size; p++, q += img.channels) {
      dst[p * 3] = img.data[q];
      dst[p * 3 + 1] = img.data[q + 1];
      dst[p * 3 + 2] = img.data[q + 2];
    }
    set.labels[set.n++] = label;
    if (opts.onProgress && (i % 250 === 249 || i === total - 1)) opts.onProgress({ phase: 'decode', loaded: i + 1, total });
  }
  const data = (s: LabSplit): LabData => ({ images: out[s].images, labels: out[s].labels, count: out[s].n, classes: [...manifest.classes] });
  return { train: data('train'), test: data('test'), manifest };
}

/** @jsquash/jpeg (mozjpeg in wasm) with its own loader: the decoder in a page or a Worker. */
export const webJpegDecoder: JpegDecoder = async (bytes) => {
  const { default: decodeJpeg } = await import('@jsquash/jpeg/decode.js');
  const img = await decodeJpeg(bytes.slice().buffer);
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), channels: 4 };
};

/**
 * Download a pack and decode it, for the Lab tab's worker (or Node 18+, with `decode` given): the
 * download streams with byte progress (total from Content-Length, else from the pack's own header
 * once it has arrived), then every image is decoded. `signal` stops both. Errors are one line.
 */
export async function loadLabPack(
  url: string | URL,
  opts: { onProgress?: (p: LabPackProgress) => void; signal?: AbortSignal; decode?: JpegDecoder; fetch?: typeof fetch } = {},
): Promise<LabSplits> {
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw abortError();
    throw new Error(`the lab data (${url}) could not be downloaded: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`the lab data (${url}) could not be downloaded: HTTP ${res.status}`);
  const length = Number(res.headers.get('Content-Length'));
  const sized = length > 0 && !res.headers.get('Content-Encoding');
  let total: number | null = sized ? length : null;
  let buffer = new Uint8Array(sized ? length : 1 << 20);
  let loaded = 0;
  opts.onProgress?.({ phase: 'download', loaded, total });
  if (!res.body) {
    buffer = new Uint8Array(await res.arrayBuffer());
    loaded = buffer.length;
  } else {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (opts.signal?.aborted) throw abortError();
        if (done) break;
        if (loaded + value.length > buffer.length) {
          const grown = new Uint8Array(Math.max(buffer.length * 2, loaded + value.length));
          grown.set(buffer.subarray(0, loaded));
          buffer = grown;
        }
        buffer.set(value, loaded);
        loaded += value.length;
        if (total === null) {
          try {
            total = readLabPackHeader(buffer.subarray(0, loaded))?.total ?? null;
          } catch {
            // Not a pack: parseLabPack below says so once the file is in.
          }
        }
        opts.onProgress?.({ phase: 'download', loaded, total });
      }
    } catch (e) {
      if (opts.signal?.aborted) {
        await reader.cancel().catch(() => {});
        throw abortError();
      }
      throw new Error(`the lab data (${url}) could not be downloaded: ${(e as Error).message}`);
    }
  }
  const pack = parseLabPack(buffer.subarray(0, loaded));
  return decodeLabPack(pack, opts.decode ?? webJpegDecoder, opts);
}
