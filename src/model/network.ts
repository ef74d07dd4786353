/**
 * GhostNet v1 forward pass in TensorFlow.js ops, built from a NetworkSpec and PyTorch-layout
 * weights. BatchNorm is folded into the preceding convolution once, at build time; every
 * convolution then runs as one fused op (conv + bias + activation). Padding is PyTorch's
 * symmetric k // 2, never tfjs 'same' (which pads stride-2 convolutions asymmetrically).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GHOSTNET_CONSTANTS, type BottleneckSpec, type GhostModuleSpec, type NetworkSpec } from './architecture.ts';

type Activation = 'linear' | 'relu';

interface FoldedConv {
  readonly filter: tf.Tensor4D; // conv2d: [k, k, in, out]; depthwise: [k, k, channels, 1]
  readonly bias: tf.Tensor1D;
  readonly kernel: number;
  readonly stride: number;
  readonly depthwise: boolean;
  readonly activation: Activation;
}

interface Dense {
  readonly weight: tf.Tensor2D; // [in, out]
  readonly bias: tf.Tensor1D;
}

interface GhostWeights {
  readonly spec: GhostModuleSpec;
  readonly primary: FoldedConv;
  readonly cheap: FoldedConv;
}

interface BlockWeights {
  readonly spec: BottleneckSpec;
  readonly ghost1: GhostWeights;
  readonly dw: FoldedConv | null;
  readonly se: { readonly reduce: Dense; readonly expand: Dense } | null;
  readonly ghost2: GhostWeights;
  readonly shortcut: { readonly dw: FoldedConv; readonly pw: FoldedConv } | null;
}

/** Intrinsic (primary convolution) and ghost (cheap operation) outputs of one Ghost module, NHWC. */
export interface GhostTap {
  readonly intrinsic: tf.Tensor4D;
  readonly ghost: tf.Tensor4D;
}

/** Mutable state threaded through the steps of one pass. */
interface StepState {
  x: tf.Tensor;
  /** Input of the current bottleneck, for its shortcut. */
  residual: tf.Tensor4D | null;
  taps: Map<string, GhostTap> | null;
}

interface NetworkStep {
  /** `conv_stem`, `blocks.S.B.ghost1|conv_dw|se|ghost2|shortcut`, `blocks.9.0`, `conv_head`, `classifier` */
  readonly id: string;
  run(state: StepState): void;
}

export interface StepTiming {
  readonly id: string;
  readonly ms: number;
}

export interface ForwardResult {
  readonly logits: tf.Tensor2D;
  readonly taps: Map<string, GhostTap>;
}

function take(weights: tf.NamedTensorMap, name: string): tf.Tensor {
  const t = weights[name];
  if (!t) throw new Error(`weight "${name}" is missing from the model`);
  return t;
}

/** conv (+ BatchNorm) -> one fused conv with bias. */
function foldConv(
  w: tf.NamedTensorMap,
  conv: string,
  bn: string | null,
  opts: { kernel: number; stride: number; depthwise: boolean; activation: Activation; convBias?: boolean },
): FoldedConv {
  return tf.tidy(() => {
    const raw = take(w, `${conv}.weight`) as tf.Tensor4D; // PyTorch [out, in/groups, k, k]
    const outChannels = raw.shape[0] as number;
    let scale: tf.Tensor1D = tf.ones([outChannels]);
    let bias: tf.Tensor1D = opts.convBias ? (take(w, `${conv}.bias`) as tf.Tensor1D) : tf.zeros([outChannels]);
    if (bn) {
      const gamma = take(w, `${bn}.weight`);
      const beta = take(w, `${bn}.bias`);
      const mean = take(w, `${bn}.running_mean`);
      const variance = take(w, `${bn}.running_var`);
      scale = tf.div(gamma, tf.sqrt(tf.add(variance, GHOSTNET_CONSTANTS.bnEps)));
      bias = tf.add(beta, tf.mul(tf.sub(bias, mean), scale));
    }
    const filter = opts.depthwise
      ? tf.mul(tf.transpose(raw, [2, 3, 0, 1]), tf.reshape(scale, [1, 1, outChannels, 1]))
      : tf.mul(tf.transpose(raw, [2, 3, 1, 0]), tf.reshape(scale, [1, 1, 1, outChannels]));
    return { filter: filter as tf.Tensor4D, bias, kernel: opts.kernel, stride: opts.stride, depthwise: opts.depthwise, activation: opts.activation };
  });
}

/** A 1x1 conv with bias (or a Linear) as a dense layer: PyTorch [out, in(, 1, 1)] -> [in, out]. */
function dense(w: tf.NamedTensorMap, name: string, extraBias = 0): Dense {
  return tf.tidy(() => {
    const raw = take(w, `${name}.weight`);
    const [out, inp] = raw.shape as number[];
    const weight = tf.transpose(tf.reshape(raw, [out, inp])) as tf.Tensor2D;
    const bias = tf.add(take(w, `${name}.bias`), extraBias) as tf.Tensor1D;
    return { weight, bias };
  });
}

function ghostWeights(w: tf.NamedTensorMap, g: GhostModuleSpec): GhostWeights {
  const activation: Activation = g.relu ? 'relu' : 'linear';
  return {
    spec: g,
    primary: foldConv(w, `${g.id}.primary_conv.0`, `${g.id}.primary_conv.1`, { kernel: g.primaryKernel, stride: 1, depthwise: false, activation }),
    cheap: foldConv(w, `${g.id}.cheap_operation.0`, `${g.id}.cheap_operation.1`, { kernel: g.cheapKernel, stride: 1, depthwise: true, activation }),
  };
}

function runConv(x: tf.Tensor4D, c: FoldedConv): tf.Tensor4D {
  const pad = Math.floor(c.kernel / 2);
  const args = { x, filter: c.filter, strides: c.stride, pad, bias: c.bias, activation: c.activation } as const;
  return c.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

/** Prepared weights and the forward pass of one GhostNet. Owns its tensors until dispose(). */
export class GhostNetwork {
  private readonly stem: FoldedConv;
  private readonly blocks: BlockWeights[];
  private readonly lastConv: FoldedConv;
  private readonly head: Dense;
  private readonly classifier: Dense;
  private readonly steps: NetworkStep[];
  private disposed = false;

  constructor(readonly spec: NetworkSpec, weights: tf.NamedTensorMap) {
    this.stem = foldConv(weights, 'conv_stem', 'bn1', { kernel: 3, stride: 2, depthwise: false, activation: 'relu' });
    this.blocks = spec.blocks.map((b) => ({
      spec: b,
      ghost1: ghostWeights(weights, b.ghost1),
      dw: b.stride > 1 ? foldConv(weights, `${b.id}.conv_dw`, `${b.id}.bn_dw`, { kernel: b.dwKernel, stride: b.stride, depthwise: true, activation: 'linear' }) : null,
      // hard_sigmoid(x) = relu6(x + 3) / 6: the +3 is folded into the expand bias.
      se: b.seChannels !== null ? { reduce: dense(weights, `${b.id}.se.conv_reduce`), expand: dense(weights, `${b.id}.se.conv_expand`, 3) } : null,
      ghost2: ghostWeights(weights, b.ghost2),
      shortcut: b.identityShortcut
        ? null
        : {
            dw: foldConv(weights, `${b.id}.shortcut.0`, `${b.id}.shortcut.1`, { kernel: b.dwKernel, stride: b.stride, depthwise: true, activation: 'linear' }),
            pw: foldConv(weights, `${b.id}.shortcut.2`, `${b.id}.shortcut.3`, { kernel: 1, stride: 1, depthwise: false, activation: 'linear' }),
          },
    }));
    const last = spec.lastStage.id;
    this.lastConv = foldConv(weights, `${last}.conv`, `${last}.bn1`, { kernel: 1, stride: 1, depthwise: false, activation: 'relu' });
    this.head = dense(weights, 'conv_head');
    this.classifier = dense(weights, 'classifier');
    this.steps = this.buildSteps();
  }

  private ghost(x: tf.Tensor4D, g: GhostWeights, taps: Map<string, GhostTap> | null): tf.Tensor4D {
    const intrinsic = runConv(x, g.primary);
    const ghost = runConv(intrinsic, g.cheap);
    if (taps) taps.set(g.spec.id, { intrinsic, ghost });
    const out = tf.concat([intrinsic, ghost], 3);
    const total = g.spec.initChannels + g.spec.newChannels;
    return total === g.spec.outChannels ? out : tf.slice(out, [0, 0, 0, 0], [-1, -1, -1, g.spec.outChannels]);
  }

  /**
   * The forward pass as a list of named steps (stem, each part of each bottleneck, head), so
   * the same code serves `forward` and per-layer profiling.
   */
  private buildSteps(): NetworkStep[] {
    const steps: NetworkStep[] = [{ id: 'conv_stem', run: (s) => { s.x = runConv(s.x as tf.Tensor4D, this.stem); } }];
    for (const b of this.blocks) {
      const id = b.spec.id;
      steps.push({ id: `${id}.ghost1`, run: (s) => { s.residual = s.x as tf.Tensor4D; s.x = this.ghost(s.residual, b.ghost1, s.taps); } });
      const dw = b.dw;
      if (dw) steps.push({ id: `${id}.conv_dw`, run: (s) => { s.x = runConv(s.x as tf.Tensor4D, dw); } });
      const se = b.se;
      if (se) {
        steps.push({
          id: `${id}.se`,
          run: (s) => {
            const h = s.x as tf.Tensor4D;
            const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
            const reduced = tf.fused.matMul({ a: pooled, b: se.reduce.weight, bias: se.reduce.bias, activation: 'relu' });
            const gate = tf.mul(tf.fused.matMul({ a: reduced, b: se.expand.weight, bias: se.expand.bias, activation: 'relu6' }), 1 / 6);
            s.x = tf.mul(h, tf.reshape(gate, [gate.shape[0], 1, 1, -1]));
          },
        });
      }
      steps.push({ id: `${id}.ghost2`, run: (s) => { s.x = this.ghost(s.x as tf.Tensor4D, b.ghost2, s.taps); } });
      const sc = b.shortcut;
      steps.push({
        id: `${id}.shortcut`,
        run: (s) => {
          const residual = s.residual!;
          s.x = tf.add(s.x, sc ? runConv(runConv(residual, sc.dw), sc.pw) : residual);
        },
      });
    }
    steps.push({ id: this.spec.lastStage.id, run: (s) => { s.x = runConv(s.x as tf.Tensor4D, this.lastConv); } });
    steps.push({
      id: 'conv_head',
      run: (s) => {
        const pooled = tf.mean(s.x, [1, 2]) as tf.Tensor2D;
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
  forward(input: tf.Tensor4D, tapIds: readonly string[] = []): ForwardResult {
    this.checkAlive();
    const wanted = new Set(tapIds);
    return tf.tidy(() => {
      const state: StepState = { x: input, residual: null, taps: wanted.size > 0 ? new Map() : null };
      for (const step of this.steps) step.run(state);
      const taps = new Map<string, GhostTap>();
      for (const id of wanted) {
        const t = state.taps?.get(id);
        if (!t) throw new Error(`no Ghost module "${id}" in this network`);
        // tidy only keeps tensors it can see in the returned object; it does not look into Maps.
        taps.set(id, { intrinsic: tf.keep(t.intrinsic), ghost: tf.keep(t.ghost) });
      }
      return { logits: state.x, taps } as unknown as tf.TensorContainer;
    }) as unknown as ForwardResult;
  }

  /**
   * Wall time of every step of one forward pass on the active backend: each step is followed
   * by an async read of its output, so its GPU work is finished before the clock stops.
   * Run `forward` once first so shader compilation is not counted.
   */
  async profile(input: tf.Tensor4D): Promise<StepTiming[]> {
    this.checkAlive();
    const timings: StepTiming[] = [];
    const state: StepState = { x: input, residual: null, taps: null };
    tf.engine().startScope();
    try {
      for (const step of this.steps) {
        const t0 = performance.now();
        step.run(state);
        await state.x.data();
        timings.push({ id: step.id, ms: performance.now() - t0 });
      }
    } finally {
      tf.engine().endScope();
    }
    return timings;
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
    const conv = (c: FoldedConv) => [c.filter, c.bias];
    const ghost = (g: GhostWeights) => [...conv(g.primary), ...conv(g.cheap)];
    return [
      ...conv(this.stem),
      ...this.blocks.flatMap((b) => [
        ...ghost(b.ghost1),
        ...(b.dw ? conv(b.dw) : []),
        ...(b.se ? [b.se.reduce.weight, b.se.reduce.bias, b.se.expand.weight, b.se.expand.bias] : []),
        ...ghost(b.ghost2),
        ...(b.shortcut ? [...conv(b.shortcut.dw), ...conv(b.shortcut.pw)] : []),
      ]),
      ...conv(this.lastConv),
      this.head.weight, this.head.bias, this.classifier.weight, this.classifier.bias,
    ];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.tensors());
  }
}
