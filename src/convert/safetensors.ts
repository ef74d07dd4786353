/** `.safetensors`: an 8-byte little-endian header length, a JSON header, then raw tensor bytes. */
import { CheckpointError } from './pickle.ts';
import { DTYPE_BYTES, contiguousStride, readStrided, type SourceDType, type TensorDict } from './tensors.ts';

const DTYPES: Record<string, SourceDType> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** Cheap sniff: a plausible header length followed by '{'. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && n < BigInt(bytes.length) && bytes[8] === 0x7b;
}

export interface SafetensorsFile {
  readonly tensors: TensorDict;
  readonly metadata: Record<string, string>;
}

export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new CheckpointError('the safetensors file is truncated (header ends early)');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new CheckpointError('the safetensors header is not valid JSON (corrupt file)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError('the safetensors header is not an object');
  const data = bytes.subarray(8 + headerLength);
  const tensors: TensorDict = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e?.dtype === 'string' ? DTYPES[e.dtype] : undefined;
    if (!dtype) throw new CheckpointError(`tensor "${name}" has an unsupported dtype ${JSON.stringify(e?.dtype)}`);
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new CheckpointError(`tensor "${name}" has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0)) throw new CheckpointError(`tensor "${name}" has invalid data offsets`);
    const [start, end] = offsets as number[];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end > data.length) throw new CheckpointError(`tensor "${name}" points past the end of the file (truncated)`);
    if (end - start !== numel * DTYPE_BYTES[dtype]) throw new CheckpointError(`tensor "${name}" has ${end - start} bytes, but its shape needs ${numel * DTYPE_BYTES[dtype]}`);
    const values = readStrided(name, data.subarray(start, end), dtype, 0, shape as number[], contiguousStride(shape as number[]));
    tensors.set(name, { shape: shape as number[], dtype, values });
  }
  return { tensors, metadata };
}
