/**
 * A restricted Python unpickler: it builds plain data (dicts, lists, tuples, numbers, strings)
 * and constructs nothing but the globals on an allow-list, like `torch.load(weights_only=True)`.
 * Any other global, and every opcode that could run code (INST, OBJ, EXT*, buffers), is refused
 * with an error naming it. Nothing in a file is ever executed.
 */

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** A Python dict (also OrderedDict): insertion-ordered, keys are strings or numbers. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** Attributes set by BUILD, e.g. a state dict's `_metadata`. */
  attributes: unknown = undefined;
}

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A global the allow-list admits; `call` constructs the Python object as plain data. */
export interface AllowedGlobal {
  readonly qualifiedName: string;
  call?(args: unknown[]): unknown;
  /** Marker value for things that are passed around but never called (e.g. storage types). */
  readonly tag?: unknown;
}

export interface UnpickleOptions {
  /** `module.name` -> how to handle it. Everything else is refused. */
  readonly globals: ReadonlyMap<string, AllowedGlobal>;
  readonly persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');
const decoder = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Unpickle one pickle starting at `offset`. Returns the value and the offset just past STOP
 * (the legacy PyTorch format stores several pickles back to back).
 */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = offset;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw new CheckpointError('the file is truncated or not a PyTorch checkpoint (pickle data ends early)');
  };
  const u8 = () => { need(1); return bytes[pos++]; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = () => { need(8); const v = view.getBigUint64(pos, true); pos += 8; if (v > BigInt(bytes.length)) throw new CheckpointError('the file is truncated or corrupt (a pickle length is larger than the file)'); return Number(v); };
  const take = (n: number) => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new CheckpointError('the file is truncated or not a PyTorch checkpoint (unterminated pickle line)');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const utf8 = (b: Uint8Array) => {
    try { return decoder.decode(b); } catch { throw new CheckpointError('the checkpoint holds a string that is not valid UTF-8'); }
  };
  const pop = () => {
    if (stack.length === 0) throw new CheckpointError('the file is corrupt (pickle stack underflow)');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw new CheckpointError('the file is corrupt (pickle stack underflow)');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new CheckpointError('the file is corrupt (pickle mark missing)');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const memoGet = (k: number) => {
    if (!memo.has(k)) throw new CheckpointError('the file is corrupt (pickle memo key missing)');
    return memo.get(k);
  };
  const resolveGlobal = (module: string, name: string): AllowedGlobal => {
    const qualifiedName = `${module}.${name}`;
    const g = options.globals.get(qualifiedName);
    if (!g) throw new CheckpointError(`refusing to load: the checkpoint asks for the Python global "${qualifiedName}", which is not on the allow-list of a plain state dict`);
    return g;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof PyDict)) throw new CheckpointError('the file is corrupt (SETITEMS on a non-dict)');
    for (let i = 0; i + 1 < items.length; i += 2) target.map.set(items[i], items[i + 1]);
  };
  const callGlobal = (fn: unknown, args: unknown) => {
    if (!isAllowedGlobal(fn) || !fn.call) throw new CheckpointError(`refusing to load: the checkpoint calls something that is not an allowed constructor`);
    if (!(args instanceof PyTuple)) throw new CheckpointError('the file is corrupt (call arguments are not a tuple)');
    return fn.call(args.items);
  };
  const intFromBytes = (b: Uint8Array) => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return Number(v);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME (length only)
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: stack.push(MARK); break;
      case 0x30: pop(); break;
      case 0x31: popMark(); break;
      case 0x32: stack.push(top()); break;
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: stack.push(i32()); break;
      case 0x4b: stack.push(u8()); break;
      case 0x4d: stack.push(u16()); break;
      case 0x49: { // INT (text); "01"/"00" are True/False in protocol 0
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : parseIntStrict(s));
        break;
      }
      case 0x4c: stack.push(parseIntStrict(line().replace(/L$/, ''))); break;
      case 0x8a: stack.push(intFromBytes(take(u8()))); break;
      case 0x8b: { const n = i32(); stack.push(intFromBytes(take(n))); break; }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; }
      case 0x46: stack.push(Number.parseFloat(line())); break;
      case 0x58: { const n = u32(); stack.push(utf8(take(n))); break; }
      case 0x8c: { const n = u8(); stack.push(utf8(take(n))); break; }
      case 0x8d: { const n = u64(); stack.push(utf8(take(n))); break; }
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; names only)
      case 0x55: { const n = u8(); stack.push(latin1.decode(take(n))); break; }
      case 0x54: { const n = i32(); stack.push(latin1.decode(take(n))); break; }
      case 0x53: stack.push(line().replace(/^(['"])(.*)\1$/, '$2')); break;
      case 0x42: { const n = u32(); stack.push(take(n)); break; }
      case 0x43: { const n = u8(); stack.push(take(n)); break; }
      case 0x8e: { const n = u64(); stack.push(take(n)); break; }
      case 0x29: stack.push(new PyTuple([])); break;
      case 0x74: stack.push(new PyTuple(popMark())); break;
      case 0x85: stack.push(new PyTuple([pop()])); break;
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PyTuple([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PyTuple([a, b, c])); break; }
      case 0x5d: stack.push([]); break;
      case 0x6c: stack.push(popMark()); break;
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) throw new CheckpointError('the file is corrupt (APPEND on a non-list)'); l.push(v); break; }
      case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) throw new CheckpointError('the file is corrupt (APPENDS on a non-list)'); l.push(...items); break; }
      case 0x7d: stack.push(new PyDict()); break;
      case 0x64: { const d = new PyDict(); setItems(d, popMark()); stack.push(d); break; }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; }
      case 0x75: { const items = popMark(); setItems(top(), items); break; }
      case 0x8f: stack.push(new Set()); break;
      case 0x90: { const items = popMark(); const s = top(); if (!(s instanceof Set)) throw new CheckpointError('the file is corrupt (ADDITEMS on a non-set)'); items.forEach((i) => s.add(i)); break; }
      case 0x91: stack.push(new Set(popMark())); break;
      case 0x70: memo.set(parseIntStrict(line()), top()); break;
      case 0x71: memo.set(u8(), top()); break;
      case 0x72: memo.set(u32(), top()); break;
      case 0x94: memo.set(memo.size, top()); break;
      case 0x67: stack.push(memoGet(parseIntStrict(line()))); break;
      case 0x68: stack.push(memoGet(u8())); break;
      case 0x6a: stack.push(memoGet(u32())); break;
      case 0x63: { const module = line(); const name = line(); stack.push(resolveGlobal(module, name)); break; }
      case 0x93: {
        const name = pop(); const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') throw new CheckpointError('the file is corrupt (STACK_GLOBAL needs two strings)');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(callGlobal(fn, args)); break; }
      case 0x81: { const args = pop(); const cls = pop(); stack.push(callGlobal(cls, args)); break; }
      case 0x62: { // BUILD: only state for dicts (e.g. OrderedDict's _metadata) is kept, as data
        const state = pop();
        const obj = top();
        if (!(obj instanceof PyDict)) throw new CheckpointError('refusing to load: the checkpoint sets the state of an object that is not a dict');
        obj.attributes = state;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) throw new CheckpointError('the file refers to external data that this reader does not provide');
        stack.push(options.persistentLoad(pid));
        break;
      }
      case 0x50: {
        if (!options.persistentLoad) throw new CheckpointError('the file refers to external data that this reader does not provide');
        stack.push(options.persistentLoad(line()));
        break;
      }
      case 0x69: throw new CheckpointError('refusing to load: the checkpoint uses the INST opcode (builds arbitrary objects)');
      case 0x6f: throw new CheckpointError('refusing to load: the checkpoint uses the OBJ opcode (builds arbitrary objects)');
      case 0x92: throw new CheckpointError('refusing to load: the checkpoint uses NEWOBJ_EX (builds arbitrary objects)');
      case 0x82: case 0x83: case 0x84: throw new CheckpointError('refusing to load: the checkpoint uses the extension registry (EXT opcodes)');
      case 0x96: case 0x97: case 0x98: throw new CheckpointError('refusing to load: the checkpoint uses out-of-band pickle buffers');
      default:
        throw new CheckpointError(`the file is not a PyTorch checkpoint or is corrupt (unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1})`);
    }
  }
}

function parseIntStrict(s: string): number {
  if (!/^-?\d+$/.test(s.trim())) throw new CheckpointError('the file is corrupt (bad integer in pickle)');
  return Number.parseInt(s, 10);
}

export function isAllowedGlobal(v: unknown): v is AllowedGlobal {
  return typeof v === 'object' && v !== null && 'qualifiedName' in v;
}
