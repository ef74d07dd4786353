/**
 * GhostNet v1 forward pass in TensorFlow.js ops, built from a NetworkSpec and PyTorch-layout
 * weights. BatchNorm is folded into the preceding convolution once, at build time; every
 * convolution then runs as one fused op (conv + bias + activation). Padding is PyTorch's
 * symmetric k // 2, never tfjs 'same' (which pads stride-2 convolutions asymmetrically).
 *
 * A Ghost module's output is [intrinsic, ghost] along channels. On wasm and WebGL, one kernel of
 * our own (kernels/ghost-tail.ts) computes the cheap operation and writes both halves (plus the
 * block's shortcut; on WebGL also the stride-2 depthwise conv that may follow), so the modules
 * concatenate for free (KERNEL_LAYOUT). Elsewhere (FAST_LAYOUT) the large maps of the early stages
 * are not concatenated but handed on as two parts, with every consumer's weights split once at
 * build time (see convs.ts); `interleaved` remains as a measured alternative
 * (docs/benchmarks.md). On wasm, plain forward passes run as one compiled plan (wasm-plan.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ghostModules, type GhostModuleSpec, type NetworkSpec } from './architecture.ts';
import { recordGhostNet, type PlanGhostNet } from './ghostnet-plan.ts';
import { cheapFitsKernel, ghostTail, ghostTailAvailable, ghostTailStride2, ghostTailStride2Supports, ghostTailSupports } from './kernels/ghost-tail.ts';
import { WasmPlanCache, type WasmPlan } from './wasm-plan.ts';
import type { BlockWeights, GhostOutput, GhostWeights } from './weights.ts';
import {
  NATURAL, convFor, convTensors, globalAveragePool, scaleFilter, dense, denseFor, depthwiseFor, foldConv, ghostMapsOfInterleaved, interleaveCheap, interleavedGhostOrder, runConv, sameLayout,
  type ChannelLayout, type Conv, type Dense, type FoldedConv, type Value,
} from './convs.ts';

export interface GhostLayout {
  readonly ghost1: GhostOutput;
  readonly ghost2: GhostOutput;
  /**
   * `parts` only in stages before this one; later stages (small maps, where the copy is cheap
   * and the extra ops of a split conv cost more) concatenate. Default: every stage.
   */
  readonly partsBeforeStage?: number;
}

export const REFERENCE_LAYOUT: GhostLayout = { ghost1: 'concat', ghost2: 'concat' };

/**
 * The fastest layout measured (docs/benchmarks.md): the wasm backend concatenates in JavaScript,
 * row by row, so large maps go in parts; on small maps the extra ops of a split conv cost more
 * than the copy. WebGL measured the same either way. `interleaved` lost on both (their
 * depthwise kernels take a slow path for a channel multiplier above 1).
 */
export const FAST_LAYOUT: GhostLayout = { ghost1: 'parts', ghost2: 'parts', partsBeforeStage: 3 };

/** With the Ghost-module kernel (wasm, WebGL): the output of every module is one tensor, written by the kernel. */
export const KERNEL_LAYOUT: GhostLayout = REFERENCE_LAYOUT;

/** The fastest measured layout for the active backend (docs/benchmarks.md). */
export function defaultLayout(ghostKernel = true): GhostLayout {
  return ghostKernel && ghostTailAvailable() ? KERNEL_LAYOUT : FAST_LAYOUT;
}

export interface GhostNetworkOptions {
  /**
   * On the wasm backend, run plain forward passes (no taps) as one compiled plan
   * (wasm-plan.ts) instead of op by op. Default true; false is the op-by-op path, kept for
   * comparison and for every pass that returns taps.
   */
  readonly wasmPlan?: boolean;
  /**
   * On wasm, compute each Ghost module's cheap operation and concatenation with the Ghost-module
   * kernel (kernels/ghost-tail.ts). Default true; false runs depthwise conv + concat (kept for
   * comparison).
   */
  readonly ghostKernel?: boolean;
}

/** Intrinsic (primary convolution) and ghost (cheap operation) outputs of one Ghost module, NHWC. */
export interface GhostTap {
  readonly intrinsic: tf.Tensor4D;
  readonly ghost: tf.Tensor4D;
}

/** Mutable state threaded through the steps of one pass. */
interface StepState {
  x: tf.Tensor | Value;
  /** Input of the current bottleneck, for its shortcut. */
  residual: Value | null;
  /** The current bottleneck's shortcut branch, which its second Ghost module adds. */
  shortcut: Value | null;
  /** The first Ghost module's kernel already applied the stride-2 depthwise conv. */
  strideDone: boolean;
  taps: TapRequest | null;
  /** Set when the pass should keep the stem's output (conv_stem after BatchNorm and ReLU). */
  stemTap: { value: tf.Tensor4D | null } | null;
}

/** The state a pass starts from: the input, and which taps (if any) it keeps. */
function initialState(input: tf.Tensor4D, taps: TapRequest | null = null, stemTap: StepState['stemTap'] = null): StepState {
  return { x: input, residual: null, shortcut: null, strideDone: false, taps, stemTap };
}

/** Which Ghost modules' maps a pass should keep, and where it puts them. */
interface TapRequest {
  readonly wanted: ReadonlySet<string>;
  readonly found: Map<string, GhostTap>;
}

interface NetworkStep {
  /** `conv_stem`, `blocks.S.B.ghost1|conv_dw|se|ghost2|shortcut`, `blocks.9.0`, `conv_head`, `classifier` */
  readonly id: string;
  run(state: StepState): void;
  /** What the step produced, for profiling (default: `state.x`). */
  output?(state: StepState): Value | null;
}

export interface StepTiming {
  readonly id: string;
  readonly ms: number;
}

export interface ForwardResult {
  readonly logits: tf.Tensor2D;
  readonly taps: Map<string, GhostTap>;
  /** The stem's output (conv_stem after BatchNorm and ReLU), NHWC in PyTorch's channel order, when asked for. */
  readonly stem: tf.Tensor4D | null;
}

/** What a pass should hand back besides the logits and the Ghost-module taps. */
export interface ForwardOptions {
  /** Keep the stem's output (`ForwardResult.stem`). */
  readonly stem?: boolean;
}

/** The layout a Ghost module's output is handed on in. */
function ghostOutputLayout(g: GhostModuleSpec, output: GhostOutput): ChannelLayout {
  if (output === 'interleaved') return { order: interleavedGhostOrder(g), parts: null };
  if (output === 'parts') return { order: null, parts: [g.initChannels, g.newChannels] };
  return NATURAL;
}

/** `inputScale` multiplies the primary conv's weights (a factor the previous step left out). */
function ghostWeights(w: tf.NamedTensorMap, g: GhostModuleSpec, input: ChannelLayout, output: GhostOutput, inputScale = 1): GhostWeights {
  const activation = g.relu ? 'relu' : 'linear';
  const primary = scaleFilter(foldConv(w, `${g.id}.primary_conv.0`, `${g.id}.primary_conv.1`, { kernel: g.primaryKernel, stride: 1, depthwise: false, activation }), inputScale);
  const cheap = foldConv(w, `${g.id}.cheap_operation.0`, `${g.id}.cheap_operation.1`, { kernel: g.cheapKernel, stride: 1, depthwise: true, activation });
  return { spec: g, primary: convFor(primary, input, NATURAL), cheap: output === 'interleaved' ? interleaveCheap(cheap, g) : cheap, output };
}

const partsOf = (x: Value): readonly tf.Tensor4D[] => (Array.isArray(x) ? x : [x as tf.Tensor4D]);

/** A value stored in `layout` as one tensor in PyTorch's channel order (a copy when it is already). */
function naturalChannels(x: Value, layout: ChannelLayout): tf.Tensor4D {
  const parts = partsOf(x);
  const whole = parts.length === 1 ? tf.clone(parts[0]) : (tf.concat(parts as tf.Tensor4D[], 3) as tf.Tensor4D);
  if (!layout.order) return whole;
  // order[k] = PyTorch channel at position k; gather position of each PyTorch channel.
  const position = new Int32Array(layout.order.length);
  layout.order.forEach((channel, k) => { position[channel] = k; });
  return tf.gather(whole, position, 3) as tf.Tensor4D;
}

/** `x + residual`, part by part (both in the same channel layout); `x` itself without a residual. */
function addResidual(x: Value, residual: Value | null): Value {
  if (!residual) return x;
  const parts = partsOf(x);
  const sums = partsOf(residual).map((r, i) => tf.add(parts[i], r) as tf.Tensor4D);
  return sums.length === 1 ? sums[0] : sums;
}

/** Prepared weights and the forward pass of one GhostNet. Owns its tensors until dispose(). */
export class GhostNetwork {
  private readonly stem: Conv;
  /** How the stem writes its channels (the first block's layout when its shortcut is the identity). */
  private readonly stemLayout: ChannelLayout;
  private readonly blocks: BlockWeights[];
  private readonly lastConv: Conv;
  private readonly head: Dense;
  private readonly classifier: Dense;
  private readonly steps: NetworkStep[];
  private readonly plans: WasmPlanCache;
  /** Plans that stop at the embedding (what `embed` returns), compiled only when used. */
  private readonly embedPlans: WasmPlanCache;
  private disposed = false;

  readonly layout: GhostLayout;
  readonly options: Required<GhostNetworkOptions>;

  /** `layout` defaults to the fastest measured for the active backend; every layout computes the same function. */
  constructor(readonly spec: NetworkSpec, weights: tf.NamedTensorMap, layout?: GhostLayout, options: GhostNetworkOptions = {}) {
    this.options = { wasmPlan: options.wasmPlan ?? true, ghostKernel: options.ghostKernel ?? true };
    layout ??= defaultLayout(this.options.ghostKernel);
    // Anything but `concat` needs every module's output to be exactly [intrinsic, ghost] (no
    // truncation to outChannels), which holds for GhostNet v1 at its usual widths.
    const exact = ghostModules(spec).every((g) => g.initChannels * g.ratio === g.outChannels);
    this.layout = exact ? layout : REFERENCE_LAYOUT;
    const conv = (name: string, bn: string, kernel: number, stride: number, depthwise: boolean, activation: 'linear' | 'relu') =>
      foldConv(weights, name, bn, { kernel, stride, depthwise, activation });
    // The stem feeds the first block's identity shortcut, so it writes that block's output layout.
    const first = spec.blocks[0];
    const kindAt = (kind: GhostOutput, stage: number): GhostOutput => (kind === 'parts' && stage >= (this.layout.partsBeforeStage ?? Infinity) ? 'concat' : kind);
    let streamKind = kindAt(this.layout.ghost2, 0);
    let stream: ChannelLayout = first?.identityShortcut ? ghostOutputLayout(first.ghost2, streamKind) : NATURAL;
    this.stemLayout = stream;
    this.stem = convFor(conv('conv_stem', 'bn1', 3, 2, false, 'relu'), NATURAL, stream);
    this.blocks = spec.blocks.map((b) => {
      const input = stream;
      const kind1 = kindAt(this.layout.ghost1, b.stage);
      // An identity shortcut adds the block's input, so its output keeps the input's layout.
      const kind2 = b.identityShortcut ? streamKind : kindAt(this.layout.ghost2, b.stage);
      const mid = ghostOutputLayout(b.ghost1, kind1);
      const output = ghostOutputLayout(b.ghost2, kind2);
      if (b.identityShortcut && !sameLayout(input, output)) throw new Error(`${b.id}: identity shortcut between different channel layouts`);
      stream = output;
      streamKind = kind2;
      return {
        spec: b,
        ghost1: ghostWeights(weights, b.ghost1, input, kind1),
        dw: b.stride > 1 ? depthwiseFor(conv(`${b.id}.conv_dw`, `${b.id}.bn_dw`, b.dwKernel, b.stride, true, 'linear'), mid) : null,
        // hard_sigmoid(x) = relu6(x + 3) / 6: the +3 is folded into the expand bias. Parts are
        // pooled and concatenated (a few hundred numbers) in natural order.
        se: b.seChannels !== null
          ? { reduce: denseFor(dense(weights, `${b.id}.se.conv_reduce`), mid.order, null), expand: denseFor(dense(weights, `${b.id}.se.conv_expand`, 3), null, mid.order) }
          : null,
        ghost2: ghostWeights(weights, b.ghost2, mid, kind2, b.seChannels !== null ? 1 / 6 : 1),
        shortcut: b.identityShortcut
          ? null
          : {
              dw: depthwiseFor(conv(`${b.id}.shortcut.0`, `${b.id}.shortcut.1`, b.dwKernel, b.stride, true, 'linear'), input),
              pw: convFor(conv(`${b.id}.shortcut.2`, `${b.id}.shortcut.3`, 1, 1, false, 'linear'), input, output),
            },
      };
    });
    const last = spec.lastStage.id;
    this.lastConv = convFor(conv(`${last}.conv`, `${last}.bn1`, 1, 1, false, 'relu'), stream, NATURAL);
    this.head = dense(weights, 'conv_head');
    this.classifier = dense(weights, 'classifier');
    this.steps = this.buildSteps();
    const prepared = this.planNetwork();
    this.plans = new WasmPlanCache(spec.numClasses, (b, input, output) => recordGhostNet(prepared, b, input, output));
    this.embedPlans = new WasmPlanCache(spec.headChannels, (b, input, output) => recordGhostNet(prepared, b, input, output, 'embedding'));
  }

  /** One Ghost module: its output as one tensor, or as [intrinsic, ghost] parts, plus `residual` if given. */
  private ghost(x: Value, g: GhostWeights, request: TapRequest | null, residual: Value | null = null): Value {
    const intrinsic = runConv(x, g.primary) as tf.Tensor4D;
    const { initChannels, newChannels, outChannels } = g.spec;
    const taps = request?.wanted.has(g.spec.id) ? request.found : null;
    if (this.options.ghostKernel && g.output === 'concat' && cheapFitsKernel(g.cheap) && initChannels + newChannels === outChannels && ghostTailSupports(initChannels, outChannels)) {
      // Cheap operation and concatenation in one kernel; the ghost maps are sliced out only for a tap.
      if (!taps) return ghostTail(intrinsic, g.cheap.filter, g.cheap.bias, outChannels, g.cheap.activation === 'relu', (residual ?? undefined) as tf.Tensor4D | undefined);
      // A tap needs the ghost maps before the residual is added.
      const out = ghostTail(intrinsic, g.cheap.filter, g.cheap.bias, outChannels, g.cheap.activation === 'relu');
      taps.set(g.spec.id, { intrinsic, ghost: tf.slice(out, [0, 0, 0, initChannels], [-1, -1, -1, newChannels]) });
      return residual ? tf.add(out, residual as tf.Tensor4D) : out;
    }
    return addResidual(this.ghostOutput(intrinsic, g, taps), residual);
  }

  /**
   * The stride-2 depthwise conv a block's first Ghost module can take into its kernel (WebGL):
   * when the module's output is one tensor and nothing else reads it. Backend checked per pass.
   */
  private stride2Fusable(b: BlockWeights): FoldedConv | null {
    const g = b.ghost1;
    const dw = b.dw;
    if (!this.options.ghostKernel || !dw || Array.isArray(dw) || 'filters' in dw || g.output !== 'concat') return null;
    const folded = dw as FoldedConv;
    const { initChannels, newChannels, outChannels } = g.spec;
    const ok = folded.stride === 2 && folded.kernel % 2 === 1 && folded.activation === 'linear' && folded.filter.shape[3] === 1 &&
      cheapFitsKernel(g.cheap) && initChannels + newChannels === outChannels;
    return ok ? folded : null;
  }

  /** The cheap operation and the module's output, by ops. */
  private ghostOutput(intrinsic: tf.Tensor4D, g: GhostWeights, taps: Map<string, GhostTap> | null): Value {
    const cheap = runConv(intrinsic, g.cheap) as tf.Tensor4D;
    if (g.output === 'interleaved') {
      if (taps) taps.set(g.spec.id, { intrinsic, ghost: ghostMapsOfInterleaved(cheap, g.spec) });
      return cheap;
    }
    if (taps) taps.set(g.spec.id, { intrinsic, ghost: cheap });
    if (g.output === 'parts') return [intrinsic, cheap];
    const out = tf.concat([intrinsic, cheap], 3);
    const total = g.spec.initChannels + g.spec.newChannels;
    return total === g.spec.outChannels ? out : tf.slice(out, [0, 0, 0, 0], [-1, -1, -1, g.spec.outChannels]);
  }

  /**
   * The forward pass as a list of named steps (stem, each part of each bottleneck, head), so
   * the same code serves `forward` and per-layer profiling.
   */
  private buildSteps(): NetworkStep[] {
    const steps: NetworkStep[] = [{
      id: 'conv_stem',
      run: (s) => {
        s.x = runConv(s.x as tf.Tensor4D, this.stem);
        if (s.stemTap) s.stemTap.value = naturalChannels(s.x as Value, this.stemLayout);
      },
    }];
    for (const b of this.blocks) {
      const id = b.spec.id;
      const dw = b.dw;
      const fusable = this.stride2Fusable(b);
      steps.push({
        id: `${id}.ghost1`,
        run: (s) => {
          s.residual = s.x as Value;
          const g = b.ghost1;
          if (fusable && !s.taps?.wanted.has(g.spec.id) && ghostTailStride2Supports(g.spec.initChannels, g.spec.outChannels)) {
            // WebGL: the module's tail and the stride-2 depthwise conv after it as one shader.
            const intrinsic = runConv(s.residual, g.primary) as tf.Tensor4D;
            s.x = ghostTailStride2(intrinsic, g.cheap.filter, g.cheap.bias, g.cheap.activation === 'relu', fusable.filter, fusable.bias);
            s.strideDone = true;
            return;
          }
          s.x = this.ghost(s.residual, g, s.taps);
        },
      });
      if (dw) {
        steps.push({
          id: `${id}.conv_dw`,
          run: (s) => {
            if (s.strideDone) s.strideDone = false; // done by the first Ghost module's kernel
            else s.x = runConv(s.x as Value, dw);
          },
        });
      }
      const se = b.se;
      if (se) {
        steps.push({
          id: `${id}.se`,
          run: (s) => {
            const h = s.x as Value;
            const parts = Array.isArray(h) ? h : null;
            const pooled = parts ? (tf.concat(parts.map(globalAveragePool), 1) as tf.Tensor2D) : globalAveragePool(h as tf.Tensor4D);
            const reduced = tf.fused.matMul({ a: pooled, b: se.reduce.weight, bias: se.reduce.bias, activation: 'relu' });
            // relu6(.) / 6 with the 1 / 6 folded into ghost2's primary conv (linear in its input).
            const gate = tf.fused.matMul({ a: reduced, b: se.expand.weight, bias: se.expand.bias, activation: 'relu6' });
            // [1, C] broadcasts over [1, H, W, C]; a larger batch needs [N, 1, 1, C].
            const scale = (g: tf.Tensor) => (g.shape[0] === 1 ? g : tf.reshape(g, [g.shape[0], 1, 1, -1]));
            if (!parts) {
              s.x = tf.mul(h as tf.Tensor4D, scale(gate));
              return;
            }
            const gates = tf.split(gate, parts.map((p) => p.shape[3]), 1);
            s.x = parts.map((p, i) => tf.mul(p, scale(gates[i])) as tf.Tensor4D);
          },
        });
      }
      // The shortcut branch first, so that the second Ghost module can add it as it writes its output.
      const sc = b.shortcut;
      steps.push({
        id: `${id}.shortcut`,
        run: (s) => { s.shortcut = sc ? runConv(runConv(s.residual!, sc.dw), sc.pw) : s.residual!; },
        output: (s) => s.shortcut,
      });
      steps.push({ id: `${id}.ghost2`, run: (s) => { s.x = this.ghost(s.x as Value, b.ghost2, s.taps, s.shortcut); } });
    }
    steps.push({ id: this.spec.lastStage.id, run: (s) => { s.x = runConv(s.x as Value, this.lastConv); } });
    steps.push({
      id: 'conv_head',
      run: (s) => {
        const pooled = globalAveragePool(s.x as tf.Tensor4D);
        s.x = tf.fused.matMul({ a: pooled, b: this.head.weight, bias: this.head.bias, activation: 'relu' });
      },
    });
    steps.push({ id: 'classifier', run: (s) => { s.x = tf.fused.matMul({ a: s.x as tf.Tensor2D, b: this.classifier.weight, bias: this.classifier.bias }); } });
    return steps;
  }

  /**
   * Preprocessed NHWC input -> logits, and the taps of the requested Ghost modules
   * (all from this one pass). The caller owns and disposes every returned tensor.
   */
  forward(input: tf.Tensor4D, tapIds: readonly string[] = [], options: ForwardOptions = {}): ForwardResult {
    this.checkAlive();
    if (tapIds.length === 0 && !options.stem) {
      const logits = this.options.wasmPlan ? this.plans.run(input) : null;
      if (logits) return { logits, taps: new Map(), stem: null };
    }
    const wanted = new Set(tapIds);
    return tf.tidy(() => {
      const state = initialState(input, wanted.size > 0 ? { wanted, found: new Map() } : null, options.stem ? { value: null } : null);
      for (const step of this.steps) step.run(state);
      const taps = new Map<string, GhostTap>();
      for (const id of wanted) {
        const t = state.taps?.found.get(id);
        if (!t) throw new Error(`no Ghost module "${id}" in this network`);
        // tidy only keeps tensors it can see in the returned object; it does not look into Maps.
        taps.set(id, { intrinsic: tf.keep(t.intrinsic), ghost: tf.keep(t.ghost) });
      }
      return { logits: state.x, taps, stem: state.stemTap?.value ?? null } as unknown as tf.TensorContainer;
    }) as unknown as ForwardResult;
  }

  /**
   * The features that feed the classifier, [N, headChannels]: global average pool of the last
   * stage, conv_head, ReLU (the authors' forward pass, stopped before `classifier`). On wasm one
   * compiled plan of its own; elsewhere the same steps as `forward`. The caller disposes it.
   */
  embed(input: tf.Tensor4D): tf.Tensor2D {
    this.checkAlive();
    const planned = this.options.wasmPlan ? this.embedPlans.run(input) : null;
    if (planned) return planned;
    const last = this.steps.findIndex((s) => s.id === 'conv_head');
    return tf.tidy(() => {
      const state = initialState(input);
      for (const step of this.steps.slice(0, last + 1)) step.run(state);
      return state.x as tf.Tensor2D;
    });
  }

  /**
   * Wall time of every step of one forward pass on the active backend: each step is followed
   * by an async read of its output, so its GPU work is finished before the clock stops.
   * Run `forward` once first so shader compilation is not counted.
   */
  async profile(input: tf.Tensor4D): Promise<StepTiming[]> {
    this.checkAlive();
    const timings: StepTiming[] = [];
    const state = initialState(input);
    tf.engine().startScope();
    try {
      for (const step of this.steps) {
        const t0 = performance.now();
        step.run(state);
        const output = step.output ? step.output(state) : (state.x as Value);
        await Promise.all(output ? partsOf(output).map((t) => t.data()) : []);
        timings.push({ id: step.id, ms: performance.now() - t0 });
      }
    } finally {
      tf.engine().endScope();
    }
    return timings;
  }

  /**
   * One op-by-op pass, step by step: `onStep(done, total)` after each step, and the page gets the
   * thread back between steps. On WebGL each new shader program is compiled at its first use, so
   * this is shader compilation made visible (the same programs `forward` uses there). The
   * output is read once at the end, so the GPU work is finished when the promise resolves.
   */
  async stepThrough(input: tf.Tensor4D, onStep: (done: number, total: number) => void, yieldToPage: () => Promise<void>): Promise<void> {
    this.checkAlive();
    const state = initialState(input);
    tf.engine().startScope();
    try {
      for (const [i, step] of this.steps.entries()) {
        step.run(state);
        onStep(i + 1, this.steps.length);
        await yieldToPage();
      }
      await Promise.all(partsOf(state.x as Value).map((t) => t.data()));
    } finally {
      tf.engine().endScope();
    }
  }

  /** Bytes held by compiled wasm plans (intermediate buffers), for memory figures. */
  get planBytes(): number {
    return this.plans.bytes + this.embedPlans.bytes;
  }

  /** The compiled wasm plan used for inputs of this shape, once a forward pass has compiled it. */
  wasmPlanFor(shape: readonly number[]): WasmPlan | undefined {
    return this.plans.planFor(shape);
  }

  private planNetwork(): PlanGhostNet {
    const { stem, blocks, lastConv, head, classifier } = this;
    return { useGhostTail: this.options.ghostKernel, stem, blocks, lastConv, head, classifier };
  }

  /** Ids of the forward steps, in order (what `profile` reports). */
  get stepIds(): string[] {
    return this.steps.map((s) => s.id);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this model has been disposed');
  }

  /** Every tensor this network owns (for byte counts and disposal). */
  private tensors(): tf.Tensor[] {
    const ghost = (g: GhostWeights) => [...convTensors(g.primary), ...convTensors(g.cheap)];
    return [
      ...convTensors(this.stem),
      ...this.blocks.flatMap((b) => [
        ...ghost(b.ghost1),
        ...(b.dw ? convTensors(b.dw) : []),
        ...(b.se ? [b.se.reduce.weight, b.se.reduce.bias, b.se.expand.weight, b.se.expand.bias] : []),
        ...ghost(b.ghost2),
        ...(b.shortcut ? [...convTensors(b.shortcut.dw), ...convTensors(b.shortcut.pw)] : []),
      ]),
      ...convTensors(this.lastConv),
      this.head.weight, this.head.bias, this.classifier.weight, this.classifier.bias,
    ];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plans.dispose();
    this.embedPlans.dispose();
    tf.dispose(this.tensors());
  }
}
