/** Tensors read from a checkpoint, before any validation: shape, source dtype and float32 values. */
import { CheckpointError } from './pickle.ts';

export type SourceDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface CheckpointTensor {
  readonly shape: number[];
  readonly dtype: SourceDType;
  readonly values: Float32Array;
}

/** Flat string-keyed tensors, in file order. */
export type TensorDict = Map<string, CheckpointTensor>;

export const DTYPE_BYTES: Record<SourceDType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Read `shape`/`stride` elements starting at element `offset` of a little-endian storage and
 * return them contiguous as float32. Checks every index stays inside the storage.
 */
export function readStrided(
  name: string,
  bytes: Uint8Array,
  dtype: SourceDType,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): Float32Array {
  const size = DTYPE_BYTES[dtype];
  const numel = shape.reduce((a, b) => a * b, 1);
  const storageLength = Math.floor(bytes.length / size);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || stride.length !== shape.length) {
    throw new CheckpointError(`tensor "${name}" has an invalid shape or stride`);
  }
  let maxIndex = offset;
  shape.forEach((d, i) => { if (d > 0) maxIndex += (d - 1) * stride[i]; });
  if (numel > 0 && (offset < 0 || maxIndex >= storageLength)) {
    throw new CheckpointError(`tensor "${name}" points outside its data (the file is truncated or corrupt)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scratch = new DataView(new ArrayBuffer(4));
  const read = (i: number): number => {
    const p = i * size;
    switch (dtype) {
      case 'float32': return view.getFloat32(p, true);
      case 'float64': return view.getFloat64(p, true);
      case 'float16': return halfToFloat(view.getUint16(p, true));
      case 'bfloat16': scratch.setUint32(0, view.getUint16(p, true) << 16, true); return scratch.getFloat32(0, true);
      case 'int64': return Number(view.getBigInt64(p, true));
      case 'int32': return view.getInt32(p, true);
      case 'int16': return view.getInt16(p, true);
      case 'int8': return view.getInt8(p);
      case 'uint8': case 'bool': return view.getUint8(p);
    }
  };
  const out = new Float32Array(numel);
  const contiguous = shape.every((_, i) => stride[i] === shape.slice(i + 1).reduce((a, b) => a * b, 1) || shape[i] === 1);
  if (contiguous && dtype === 'float32') {
    const start = bytes.byteOffset + offset * 4;
    if (start % 4 === 0) out.set(new Float32Array(bytes.buffer, start, numel));
    else out.set(new Float32Array(bytes.slice(offset * 4, offset * 4 + numel * 4).buffer));
    return out;
  }
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < numel; n++) {
    let src = offset;
    for (let d = 0; d < shape.length; d++) src += index[d] * stride[d];
    out[n] = read(src);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { stride[i] = s; s *= shape[i]; }
  return stride;
}
