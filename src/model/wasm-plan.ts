/**
 * Compiled forward passes for the TF.js wasm backend.
 *
 * Op by op, TF.js spends 4-9 us of JavaScript on every op (argument checks, tensor bookkeeping,
 * a malloc and a free) around a kernel that, for small feature maps, often runs for less. A
 * network written against `PlanBuilder` is compiled once per input shape into a flat list of
 * calls to the very functions the wasm backend's own kernels call (XNNPACK convolutions,
 * pooling, add, multiply, clamps), with every intermediate in a buffer allocated once and reused
 * as soon as its value is dead. The whole pass then runs as ONE TF.js kernel
 * (`CompiledWasmPlan`), so tidy, dispose and profiling see an ordinary op. Same weights, same
 * kernels, same arithmetic as the ops: parity is tested like the op-by-op path
 * (test/wasm-plan.test.ts).
 *
 * GhostNet (ghostnet-plan.ts) and the benchmark's peers (peers/plan.ts) are both compiled this
 * way, so the benchmark compares networks, not execution engines.
 *
 * The function signatures are those of @tensorflow/tfjs-backend-wasm 4.x (its kernels' cwrap
 * calls); where the backend does not look like that, nothing compiles and callers run ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ghostTailFor, type GhostTailFn } from './kernels/ghost-tail.ts';

export type Shape = readonly [number, number, number, number];

/** A value of a program: NHWC float32. */
export interface Sym {
  readonly shape: Shape;
  /** input / logits: bound at run time; buffer: a reused slot; constant: one number, kept. */
  readonly kind: 'input' | 'output' | 'buffer' | 'constant';
  slot: number;
}

export type PlanActivation = 'linear' | 'relu' | 'relu6';

type Instr =
  | { readonly op: 'conv'; readonly x: Sym; readonly out: Sym; readonly filter: tf.Tensor; readonly bias: tf.Tensor | null; readonly kernel: number; readonly stride: number; readonly activation: number; readonly depthwise: boolean }
  | { readonly op: 'add' | 'mul'; readonly a: Sym; readonly b: Sym; readonly out: Sym }
  | { readonly op: 'relu' | 'relu6' | 'pool'; readonly x: Sym; readonly out: Sym }
  | { readonly op: 'concat'; readonly parts: readonly Sym[]; readonly out: Sym }
  | { readonly op: 'slice'; readonly x: Sym; readonly begin: number; readonly out: Sym }
  | { readonly op: 'ghostTail'; readonly x: Sym; readonly filter: tf.Tensor; readonly bias: tf.Tensor; readonly relu: boolean; readonly residual: Sym | null; readonly out: Sym };

const ACTIVATION: Record<PlanActivation, number> = { linear: 0, relu: 1, relu6: 2 };

function inputsOf(i: Instr): readonly Sym[] {
  switch (i.op) {
    case 'add':
    case 'mul':
      return [i.a, i.b];
    case 'concat':
      return i.parts;
    case 'ghostTail':
      return i.residual ? [i.x, i.residual] : [i.x];
    default:
      return [i.x];
  }
}

/** Records a network as instructions over symbolic values; touches no tensor data. */
export class PlanBuilder {
  readonly instrs: Instr[] = [];
  readonly constants: { sym: Sym; value: number }[] = [];

  /** Whether `ghostTail` may be used (the Ghost-module kernel runs on this backend). */
  constructor(readonly hasGhostTail: boolean) {}

  private value(shape: Shape): Sym {
    return { shape, kind: 'buffer', slot: -1 };
  }

  /** A k x k convolution with PyTorch padding k // 2, bias and a fused activation. `filter` is [k, k, in, out] (depthwise: [k, k, in, multiplier]); a dense weight [in, out] serves as a 1x1 filter, as it lies the same in memory. */
  conv(x: Sym, filter: tf.Tensor, bias: tf.Tensor | null, o: { kernel: number; stride: number; activation: PlanActivation; depthwise: boolean }, out?: Sym): Sym {
    const [n, h, w, c] = x.shape;
    const pad = Math.floor(o.kernel / 2);
    const size = (v: number) => Math.floor((v + 2 * pad - o.kernel) / o.stride) + 1;
    const last = filter.shape[filter.rank - 1]!;
    const result = out ?? this.value([n, size(h), size(w), o.depthwise ? c * last : last]);
    this.instrs.push({ op: 'conv', x, out: result, filter, bias, kernel: o.kernel, stride: o.stride, activation: ACTIVATION[o.activation], depthwise: o.depthwise });
    return result;
  }

  /** Element-wise; `b` may broadcast ([N, 1, 1, C] or a constant). */
  binary(op: 'add' | 'mul', a: Sym, b: Sym): Sym {
    const out = this.value(a.shape);
    this.instrs.push({ op, a, b, out });
    return out;
  }

  unary(op: 'relu' | 'relu6', x: Sym): Sym {
    const out = this.value(x.shape);
    this.instrs.push({ op, x, out });
    return out;
  }

  /** Global average pooling: [N, H, W, C] -> [N, 1, 1, C]. */
  pool(x: Sym): Sym {
    const out = this.value([x.shape[0], 1, 1, x.shape[3]]);
    this.instrs.push({ op: 'pool', x, out });
    return out;
  }

  /** Channel concatenation, optionally truncated to the first `channels`. */
  concat(parts: readonly Sym[], channels?: number): Sym {
    const [n, h, w] = parts[0].shape;
    const total = parts.reduce((s, p) => s + p.shape[3], 0);
    const out = this.value([n, h, w, total]);
    this.instrs.push({ op: 'concat', parts, out });
    return channels === undefined || channels === total ? out : this.slice(out, 0, channels);
  }

  /** Channels [begin, begin + channels). */
  slice(x: Sym, begin: number, channels: number): Sym {
    const out = this.value([x.shape[0], x.shape[1], x.shape[2], channels]);
    this.instrs.push({ op: 'slice', x, begin, out });
    return out;
  }

  /**
   * A Ghost module's tail (kernels/ghost-tail.ts): [x, act(depthwise3x3(x) + bias)] along
   * channels, truncated to `outChannels`, plus `residual` (laid out like the output) if given.
   */
  ghostTail(x: Sym, filter: tf.Tensor, bias: tf.Tensor, outChannels: number, relu: boolean, residual: Sym | null = null): Sym {
    if (!this.hasGhostTail) throw new Error('the Ghost-module kernel is not available');
    const out = this.value([x.shape[0], x.shape[1], x.shape[2], outChannels]);
    this.instrs.push({ op: 'ghostTail', x, filter, bias, relu, residual, out });
    return out;
  }

  /** A scalar that broadcasts in `binary`. */
  constant(value: number): Sym {
    const sym: Sym = { shape: [1, 1, 1, 1], kind: 'constant', slot: this.constants.length };
    this.constants.push({ sym, value });
    return sym;
  }
}

/** The parts of BackendWasm a plan uses (tfjs-backend-wasm 4.x). */
export interface WasmBackend {
  readonly wasm: {
    cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
    readonly HEAPF32: Float32Array;
  };
  readonly dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

type Fn = (...args: unknown[]) => void;

interface WasmFunctions {
  readonly conv: Fn;
  readonly depthwise: Fn;
  readonly avgPool: Fn;
  readonly add: Fn;
  readonly mul: Fn;
  readonly relu: Fn;
  readonly relu6: Fn;
}

const FUNCTIONS = new WeakMap<object, WasmFunctions>();

function functionsOf(backend: WasmBackend): WasmFunctions | null {
  const cached = FUNCTIONS.get(backend);
  if (cached) return cached;
  if (typeof backend.wasm?.cwrap !== 'function' || typeof backend.makeOutput !== 'function') return null;
  const numbers = (n: number) => new Array<string>(n).fill('number');
  const binary = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number'];
  try {
    const cwrap = (name: string, args: string[]) => backend.wasm.cwrap(name, null, args);
    const fns: WasmFunctions = {
      conv: cwrap('FusedConv2D', numbers(23)),
      depthwise: cwrap('FusedDepthwiseConv2D', numbers(23)),
      avgPool: cwrap('AvgPool', numbers(14)),
      add: cwrap('Add', binary),
      mul: cwrap('Multiply', binary),
      relu: cwrap('Relu', numbers(3)),
      relu6: cwrap('Relu6', numbers(3)),
    };
    if (!Object.values(fns).every((f) => typeof f === 'function')) return null;
    FUNCTIONS.set(backend, fns);
    return fns;
  } catch {
    return null;
  }
}

/** Up to this many channels per pixel, a JavaScript loop copies faster than copyWithin (measured in Node 20 and Chromium). */
const SHORT_ROW = 16;

const shapeBytes = (s: Shape) => new Uint8Array(new Int32Array(s).buffer);
const elements = (s: Shape) => s[0] * s[1] * s[2] * s[3];

/** Where one run's input and output live. */
interface RunContext {
  xId: number;
  outId: number;
  xOffset: number;
  outOffset: number;
  backend: WasmBackend;
}

type Step = (run: RunContext) => void;

/**
 * A compiled forward pass for one input shape. It owns its buffers: backend storage, not
 * tensors (like WebGL's texture pool, a bounded cache of the backend), so they show in
 * tf.memory().numDataBuffers and `bufferBytes` but not in numTensors. dispose() frees them.
 */
export class WasmPlan {
  private disposed = false;

  constructor(
    readonly backend: WasmBackend,
    readonly inputShape: Shape,
    readonly outputShape: readonly number[],
    private readonly storage: readonly tf.TensorInfo[],
    private readonly steps: readonly Step[],
    /** One line per step: the kernel and its input and output shapes. */
    readonly labels: readonly string[],
  ) {}

  /** Bytes of buffers (intermediates and constants) this plan holds. */
  get bufferBytes(): number {
    return this.storage.reduce((s, b) => s + b.shape[0] * 4, 0);
  }

  /** Number of kernel calls in one pass. */
  get length(): number {
    return this.steps.length;
  }

  /** Runs the pass; called by the CompiledWasmPlan kernel. */
  execute(x: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
    if (this.disposed) throw new Error('this wasm plan has been disposed');
    if (backend !== this.backend) throw new Error('this wasm plan belongs to another wasm backend instance');
    const out = backend.makeOutput([...this.outputShape], 'float32');
    const xData = backend.dataIdMap.get(x.dataId)!;
    const outData = backend.dataIdMap.get(out.dataId)!;
    const run: RunContext = { xId: xData.id, outId: outData.id, xOffset: xData.memoryOffset, outOffset: outData.memoryOffset, backend };
    const times = this.stepTimes;
    if (times) {
      for (const [k, step] of this.steps.entries()) {
        const t0 = performance.now();
        step(run);
        times[k] = performance.now() - t0;
      }
    } else {
      for (const step of this.steps) step(run);
    }
    return out;
  }

  /** When set, `execute` writes each step's wall time (ms) here (wasm runs synchronously). */
  stepTimes: number[] | null = null;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.storage) this.backend.disposeData(b.dataId, true);
  }
}

/**
 * Compiles what `program` records for inputs of `inputShape` on the active backend, which must be
 * wasm. `program` receives the input and the output value (shape [N, 1, 1, classes]) and must
 * write its result into the output. Null when the backend's functions or any weight are not
 * where a plan expects them (run ops then).
 */
export function compileWasmPlan(inputShape: Shape, classes: number, program: (b: PlanBuilder, input: Sym, output: Sym) => void): WasmPlan | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  const fns = functionsOf(backend);
  if (!fns) return null;

  const tail: GhostTailFn | null = ghostTailFor(backend);
  const builder = new PlanBuilder(tail !== null);
  const input: Sym = { shape: inputShape, kind: 'input', slot: -1 };
  const output: Sym = { shape: [inputShape[0], 1, 1, classes], kind: 'output', slot: -1 };
  program(builder, input, output);
  const { instrs, constants } = builder;
  if (!instrs.some((i) => i.out === output)) throw new Error('the program never writes its output');

  const idOf = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId)?.id;
  const weights = instrs.flatMap((i) => (i.op === 'conv' || i.op === 'ghostTail' ? [i.filter, ...(i.bias ? [i.bias] : [])] : []));
  // Weights still on another backend (right after a backend switch): ops move them first.
  if (weights.some((t) => idOf(t) === undefined)) return null;

  // Buffer slots: a value takes one when produced (never one of its own instruction's inputs)
  // and gives it back after its last use; best fit by size.
  const lastUse = new Map<Sym, number>();
  instrs.forEach((instr, k) => inputsOf(instr).forEach((s) => lastUse.set(s, k)));
  const slotSizes: number[] = [];
  const free: number[] = [];
  for (const [k, instr] of instrs.entries()) {
    if (instr.out.kind === 'buffer') {
      const need = elements(instr.out.shape);
      let best = -1;
      for (const [j, slot] of free.entries()) {
        if (slotSizes[slot] >= need && (best < 0 || slotSizes[slot] < slotSizes[free[best]])) best = j;
      }
      if (best < 0) {
        instr.out.slot = slotSizes.length;
        slotSizes.push(need);
      } else {
        instr.out.slot = free.splice(best, 1)[0];
      }
    }
    for (const s of new Set(inputsOf(instr))) if (s.kind === 'buffer' && lastUse.get(s) === k) free.push(s.slot);
  }
  const buffers = slotSizes.map((n) => backend.makeOutput([n], 'float32'));
  const constantData = constants.map(() => backend.makeOutput([1], 'float32'));
  constants.forEach(({ value }, i) => {
    backend.wasm.HEAPF32[backend.dataIdMap.get(constantData[i].dataId)!.memoryOffset / 4] = value;
  });
  const storageOf = (s: Sym) => (s.kind === 'constant' ? constantData[s.slot] : buffers[s.slot]);
  const fixedId = new Map<Sym, number>();
  const fixedOffset = new Map<Sym, number>();
  for (const instr of instrs) {
    for (const s of [...inputsOf(instr), instr.out]) {
      if (s.kind !== 'buffer' && s.kind !== 'constant') continue;
      const data = backend.dataIdMap.get(storageOf(s).dataId)!;
      fixedId.set(s, data.id);
      fixedOffset.set(s, data.memoryOffset);
    }
  }
  const id = (s: Sym, r: RunContext) => (s.kind === 'input' ? r.xId : s.kind === 'output' ? r.outId : fixedId.get(s)!);
  const offset = (s: Sym, r: RunContext) => (s.kind === 'input' ? r.xOffset : s.kind === 'output' ? r.outOffset : fixedOffset.get(s)!);

  const steps = instrs.map((instr): Step => {
    switch (instr.op) {
      case 'conv': {
        const [n, h, w, c] = instr.x.shape;
        const pad = Math.floor(instr.kernel / 2);
        const fn = instr.depthwise ? fns.depthwise : fns.conv;
        const filterId = idOf(instr.filter)!;
        const biasId = instr.bias ? idOf(instr.bias)! : 0;
        const outChannels = instr.out.shape[3];
        const { kernel: k, stride: s, activation } = instr;
        return (r) => fn(id(instr.x, r), n, h, w, filterId, k, k, biasId, pad, pad, pad, pad, 0, 1, 1, s, s, c, outChannels, activation, 0, 0, id(instr.out, r));
      }
      case 'add':
      case 'mul': {
        const fn = instr.op === 'add' ? fns.add : fns.mul;
        const a = shapeBytes(instr.a.shape);
        const b = shapeBytes(instr.b.shape);
        return (r) => fn(id(instr.a, r), a, 4, id(instr.b, r), b, 4, 0, id(instr.out, r));
      }
      case 'relu':
      case 'relu6': {
        const fn = instr.op === 'relu' ? fns.relu : fns.relu6;
        return (r) => fn(id(instr.x, r), 0, id(instr.out, r));
      }
      case 'pool': {
        const [n, h, w, c] = instr.x.shape;
        return (r) => fns.avgPool(id(instr.x, r), n, h, w, h, w, 0, 0, 0, 0, 1, 1, c, id(instr.out, r));
      }
      case 'concat': {
        // A strided copy, done in JavaScript as the backend's own Concat does; copyWithin
        // moves each pixel's channels without allocating. The heap's view is read per run: it
        // is replaced whenever wasm memory grows.
        const [n, h, w, total] = instr.out.shape;
        const pixels = n * h * w;
        return (r) => {
          const heap = r.backend.wasm.HEAPF32;
          const out = offset(instr.out, r) / 4;
          let channel = 0;
          for (const part of instr.parts) {
            const channels = part.shape[3];
            const src = offset(part, r) / 4;
            if (channels > SHORT_ROW) {
              for (let p = 0; p < pixels; p++) heap.copyWithin(out + p * total + channel, src + p * channels, src + (p + 1) * channels);
            } else {
              // A call per pixel costs more than copying a few numbers one by one.
              for (let p = 0, o = out + channel, s = src; p < pixels; p++, o += total) {
                for (let c = 0; c < channels; c++, s++) heap[o + c] = heap[s];
              }
            }
            channel += channels;
          }
        };
      }
      case 'ghostTail': {
        const [n, h, w, c] = instr.x.shape;
        const outChannels = instr.out.shape[3];
        const weightsAt = backend.dataIdMap.get(instr.filter.dataId)!.memoryOffset;
        const biasAt = backend.dataIdMap.get(instr.bias.dataId)!.memoryOffset;
        const relu = instr.relu ? 1 : 0;
        const residual = instr.residual;
        return (r) => tail!(offset(instr.x, r), weightsAt, biasAt, offset(instr.out, r), residual ? offset(residual, r) : 0, n, h, w, c, outChannels - c, outChannels, relu);
      }
      case 'slice': {
        const [n, h, w, channels] = instr.out.shape;
        const pixels = n * h * w;
        const stride = instr.x.shape[3];
        return (r) => {
          const heap = r.backend.wasm.HEAPF32;
          const src = offset(instr.x, r) / 4 + instr.begin;
          const out = offset(instr.out, r) / 4;
          for (let p = 0; p < pixels; p++) heap.copyWithin(out + p * channels, src + p * stride, src + p * stride + channels);
        };
      }
    }
  });
  const shape = (x: Sym) => x.shape.join('x');
  const labels = instrs.map((i) => {
    if (i.op === 'conv') return `${i.depthwise ? 'depthwise' : 'conv'}${i.kernel}x${i.kernel}/${i.stride} ${shape(i.x)} -> ${shape(i.out)}`;
    if (i.op === 'ghostTail') return `ghostTail${i.residual ? '+residual' : ''} ${shape(i.x)} -> ${shape(i.out)}`;
    return `${i.op} ${inputsOf(i).map(shape).join(' ')} -> ${shape(i.out)}`;
  });
  return new WasmPlan(backend, inputShape, [inputShape[0], classes], [...buffers, ...constantData], steps, labels);
}

export const WASM_PLAN_KERNEL = 'CompiledWasmPlan';

const registered = new Map<number, WasmPlan>();
let nextHandle = 1;

function ensureKernel(): void {
  if (tf.getKernel(WASM_PLAN_KERNEL, 'wasm')) return;
  tf.registerKernel({
    kernelName: WASM_PLAN_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const plan = registered.get(attrs?.plan as number);
      if (!plan) throw new Error('unknown or disposed wasm plan');
      return plan.execute(inputs.x as tf.TensorInfo, backend as unknown as WasmBackend);
    },
  });
}

/**
 * The compiled plans of one network, one per input shape, the most recent `capacity` kept.
 * `run` returns null where the network must run op by op.
 */
export class WasmPlanCache {
  private readonly plans = new Map<string, { handle: number; plan: WasmPlan }>();

  constructor(
    private readonly classes: number,
    private readonly program: (b: PlanBuilder, input: Sym, output: Sym) => void,
    private readonly capacity = 2,
  ) {}

  /** Logits [N, classes] of `x` as one TF.js kernel (tracked by tidy), or null. */
  run(x: tf.Tensor4D): tf.Tensor2D | null {
    if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return null;
    const key = x.shape.join('x');
    let entry = this.plans.get(key);
    if (entry && entry.plan.backend !== (tf.backend() as unknown)) {
      this.drop(key); // the wasm backend was re-created: compile for the new one
      entry = undefined;
    }
    if (entry === undefined) {
      const plan = compileWasmPlan(x.shape, this.classes, this.program);
      if (!plan) return null; // try again next time (ops will have moved the weights)
      ensureKernel();
      entry = { handle: nextHandle++, plan };
      registered.set(entry.handle, plan);
      this.plans.set(key, entry);
      for (const old of this.plans.keys()) if (this.plans.size > this.capacity) this.drop(old);
    }
    const logits = tf.engine().runKernel(WASM_PLAN_KERNEL, { x }, { plan: entry.handle }) as tf.Tensor;
    return logits as tf.Tensor2D;
  }

  /** The cached plan for inputs of this shape, if compiled. */
  planFor(shape: readonly number[]): WasmPlan | undefined {
    return this.plans.get(shape.join('x'))?.plan;
  }

  /** Bytes held by the cached plans. */
  get bytes(): number {
    let total = 0;
    for (const e of this.plans.values()) total += e.plan.bufferBytes;
    return total;
  }

  private drop(key: string): void {
    const e = this.plans.get(key);
    if (e) {
      e.plan.dispose();
      registered.delete(e.handle);
    }
    this.plans.delete(key);
  }

  dispose(): void {
    for (const key of [...this.plans.keys()]) this.drop(key);
  }
}
