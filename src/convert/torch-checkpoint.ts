/**
 * PyTorch checkpoints: the zip format (torch >= 1.6) and the legacy format (back-to-back pickles
 * followed by raw storages). Both are unpickled with the allow-list in `pickle.ts`.
 */
import { ERR_INVALID_CRC32, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, configure } from '@zip.js/zip.js';
import { CheckpointError, PyDict, PyTuple, isAllowedGlobal, unpickle, type AllowedGlobal } from './pickle.ts';
import { DTYPE_BYTES, readStrided, type SourceDType } from './tensors.ts';

/** A storage referenced by tensors; `bytes` is filled when the storage data is found. */
interface StorageRef {
  readonly key: string;
  readonly dtype: SourceDType;
  bytes?: Uint8Array;
}

/** A tensor as unpickled: a view into a storage, materialised after all storages are known. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}

  materialize(name: string): Float32Array {
    if (!this.storage.bytes) throw new CheckpointError(`tensor "${name}" has no data in the file (truncated or corrupt)`);
    return readStrided(name, this.storage.bytes, this.storage.dtype, this.offset, this.shape, this.stride);
  }
}

const STORAGE_TYPES: Record<string, SourceDType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};

function intList(v: unknown, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || !items.every((x) => typeof x === 'number' && Number.isInteger(x))) throw new CheckpointError(`the checkpoint has a tensor with an invalid ${what}`);
  return items as number[];
}

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!isStorage(storage) || typeof offset !== 'number') throw new CheckpointError('the checkpoint has a malformed tensor record');
  return new TensorRef(storage, offset, intList(size, 'shape'), intList(stride, 'stride'));
}

function isStorage(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && 'key' in v && 'dtype' in v;
}

/** The only globals a plain state dict needs (same spirit as torch's weights_only allow-list). */
function allowList(): Map<string, AllowedGlobal> {
  const g = new Map<string, AllowedGlobal>();
  const add = (qualifiedName: string, call?: (args: unknown[]) => unknown, tag?: unknown) => g.set(qualifiedName, { qualifiedName, call, tag });
  add('collections.OrderedDict', () => new PyDict());
  add('torch._utils._rebuild_tensor', rebuildTensor);
  add('torch._utils._rebuild_tensor_v2', rebuildTensor);
  add('torch._utils._rebuild_parameter', (args) => {
    if (!(args[0] instanceof TensorRef)) throw new CheckpointError('the checkpoint has a malformed parameter record');
    return args[0];
  });
  for (const [name, dtype] of Object.entries(STORAGE_TYPES)) add(`torch.${name}`, undefined, dtype);
  return g;
}

function storageFromPid(pid: unknown, storages: Map<string, StorageRef>): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : null;
  if (!items || items[0] !== 'storage' || items.length < 5) throw new CheckpointError('the checkpoint refers to external data of an unknown kind');
  const type = items[1];
  const key = String(items[2]);
  if (!isAllowedGlobal(type) || typeof type.tag !== 'string') throw new CheckpointError('the checkpoint has a storage of an unknown type');
  let s = storages.get(key);
  if (!s) {
    s = { key, dtype: type.tag as SourceDType };
    storages.set(key, s);
  }
  if (items.length > 5 && items[5] instanceof PyTuple) {
    throw new CheckpointError('the checkpoint uses storage views (saved by a very old PyTorch), which are not supported');
  }
  return s;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

// Stored .pth entries need no codec; reading on the calling thread (itself a worker in the app)
// keeps zip.js from starting web workers of its own.
configure({ useWebWorkers: false });

/**
 * Every entry of a zip archive, each checked against the CRC-32 its header records. PyTorch does
 * not check them, so without this a flipped bit in a tensor would convert silently.
 */
async function unzipVerified(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes));
  const data = new Map<string, Uint8Array>();
  try {
    let entries;
    try {
      entries = await reader.getEntries();
    } catch (e) {
      throw new CheckpointError(`the file looks like a zip archive but cannot be read (${(e as Error).message}); it may be truncated`);
    }
    // All entries at once: zip.js streams each one, and waiting for them one by one costs seconds.
    const files = entries.filter((e) => !e.directory);
    const results = await Promise.allSettled(files.map((entry) => entry.getData(new Uint8ArrayWriter(), { checkCrc32: true })));
    results.forEach((result, i) => {
      const name = files[i].filename;
      if (result.status === 'fulfilled') {
        data.set(name, result.value);
        return;
      }
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      if (message === ERR_INVALID_CRC32) {
        throw new CheckpointError(`the file is damaged: the zip entry "${name}" does not match its CRC-32 checksum (a changed byte in the download or on disk)`);
      }
      throw new CheckpointError(`the zip entry "${name}" cannot be read (${message}); the file may be truncated or damaged`);
    });
  } finally {
    await reader.close();
  }
  return data;
}

/** Read a zip-format `.pth`; returns the unpickled root object with TensorRefs in it. */
export async function readZipCheckpoint(bytes: Uint8Array): Promise<unknown> {
  const files = await unzipVerified(bytes);
  const pkl = [...files.keys()].filter((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (pkl.length !== 1) throw new CheckpointError('the zip archive is not a PyTorch checkpoint (no single data.pkl inside)');
  const prefix = pkl[0].slice(0, -'data.pkl'.length);
  const byteorder = files.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new CheckpointError('the checkpoint was saved big-endian, which is not supported');
  }
  const storages = new Map<string, StorageRef>();
  const { value } = unpickle(files.get(pkl[0])!, 0, { globals: allowList(), persistentLoad: (pid) => storageFromPid(pid, storages) });
  for (const s of storages.values()) {
    const data = files.get(`${prefix}data/${s.key}`);
    if (!data) throw new CheckpointError(`the checkpoint is missing the data of storage ${s.key} (truncated or corrupt)`);
    s.bytes = data;
  }
  return value;
}

/** Is this the legacy format? It starts with a pickled magic number. */
export function isLegacyTorch(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x80 || bytes.length < 16) return false;
  try {
    const { value } = unpickle(bytes.subarray(0, Math.min(bytes.length, 64)), 0, { globals: new Map() });
    return typeof value === 'number' && value === Number(LEGACY_MAGIC);
  } catch {
    return false;
  }
}

/** Read a legacy (pre-1.6) `.pth`: magic, protocol, sys info, the object, storage keys, storages. */
export function readLegacyCheckpoint(bytes: Uint8Array): unknown {
  const none = { globals: new Map<string, AllowedGlobal>() };
  let pos = 0;
  for (let i = 0; i < 3; i++) pos = unpickle(bytes, pos, none).end; // magic, protocol version, sys_info
  const storages = new Map<string, StorageRef>();
  const root = unpickle(bytes, pos, { globals: allowList(), persistentLoad: (pid) => storageFromPid(pid, storages) });
  const keys = unpickle(bytes, root.end, none);
  pos = keys.end;
  if (!Array.isArray(keys.value)) throw new CheckpointError('the legacy checkpoint has no storage list (corrupt)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value) {
    const s = storages.get(String(key));
    if (!s) throw new CheckpointError('the legacy checkpoint lists a storage that no tensor uses (corrupt)');
    if (pos + 8 > bytes.length) throw new CheckpointError('the file is truncated (storage data ends early)');
    const numel = Number(view.getBigInt64(pos, true));
    pos += 8;
    const length = numel * DTYPE_BYTES[s.dtype];
    if (numel < 0 || pos + length > bytes.length) throw new CheckpointError('the file is truncated (storage data ends early)');
    s.bytes = bytes.subarray(pos, pos + length);
    pos += length;
  }
  return root.value;
}
