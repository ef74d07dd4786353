/**
 * Forward pass of an inverted-residual peer (MobileNetV2, MobileNetV3-Large) with random
 * weights, built the way GhostNetwork is: PyTorch-layout conv + BatchNorm weights folded once at
 * build time, every convolution one fused op (conv + bias + activation), symmetric padding.
 * Latency does not depend on the values; they are He-scaled so activations stay finite.
 */
import * as tf from '@tensorflow/tfjs-core';
import { globalAveragePool } from '../convs.ts';
import { WasmPlanCache, type PlanBuilder, type Sym, type WasmPlan } from '../wasm-plan.ts';
import type { InvertedResidualSpec, PeerActivation, PeerNetworkSpec } from './spec.ts';

const BN_EPS = 1e-5;

interface FoldedConv {
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
  readonly kernel: number;
  readonly stride: number;
  readonly depthwise: boolean;
  readonly activation: PeerActivation;
}

interface Dense {
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly activation: PeerActivation;
}

interface BlockWeights {
  readonly spec: InvertedResidualSpec;
  readonly expand: FoldedConv | null;
  readonly dw: FoldedConv;
  readonly se: { readonly reduce: Dense; readonly expand: Dense } | null;
  readonly project: FoldedConv;
}

/** Deterministic pseudo-random numbers (mulberry32) so runs are repeatable. */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(rand: () => number, n: number, scale: number, offset = 0): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = offset + (rand() * 2 - 1) * scale;
  return v;
}

/** Random PyTorch-layout conv [out, in/groups, k, k] + BatchNorm, folded into one fused conv. */
function randomConvBn(rand: () => number, o: { inChannels: number; outChannels: number; kernel: number; stride: number; depthwise: boolean; activation: PeerActivation }): FoldedConv {
  const perGroup = o.depthwise ? 1 : o.inChannels;
  const fanIn = perGroup * o.kernel * o.kernel;
  const raw = tf.tensor4d(uniform(rand, o.outChannels * fanIn, Math.sqrt(6 / fanIn)), [o.outChannels, perGroup, o.kernel, o.kernel]);
  const gamma = uniform(rand, o.outChannels, 0.2, 1);
  const beta = uniform(rand, o.outChannels, 0.1);
  const mean = uniform(rand, o.outChannels, 0.1);
  const variance = uniform(rand, o.outChannels, 0.2, 1);
  return tf.tidy(() => {
    const scale = tf.div(tf.tensor1d(gamma), tf.sqrt(tf.add(tf.tensor1d(variance), BN_EPS)));
    const bias = tf.sub(tf.tensor1d(beta), tf.mul(tf.tensor1d(mean), scale)) as tf.Tensor1D;
    const filter = o.depthwise
      ? tf.mul(tf.transpose(raw, [2, 3, 0, 1]), tf.reshape(scale, [1, 1, o.outChannels, 1]))
      : tf.mul(tf.transpose(raw, [2, 3, 1, 0]), tf.reshape(scale, [1, 1, 1, o.outChannels]));
    raw.dispose();
    return { filter: filter as tf.Tensor4D, bias, kernel: o.kernel, stride: o.stride, depthwise: o.depthwise, activation: o.activation };
  });
}

/** Random PyTorch Linear / 1x1 conv with bias [out, in] -> [in, out]. */
function randomDense(rand: () => number, inChannels: number, outChannels: number, activation: PeerActivation, extraBias = 0): Dense {
  const w = uniform(rand, outChannels * inChannels, Math.sqrt(3 / inChannels));
  const b = uniform(rand, outChannels, 0.1, extraBias);
  return tf.tidy(() => ({
    weight: tf.transpose(tf.tensor2d(w, [outChannels, inChannels])) as tf.Tensor2D,
    bias: tf.tensor1d(b),
    activation,
  }));
}

/**
 * The scalars of hard-swish and the hard-sigmoid gate, created once with the weights (as a
 * converted graph holds them as constants); a literal would upload a new scalar on every call.
 */
interface Constants {
  readonly three: tf.Scalar;
  readonly sixth: tf.Scalar;
}

/** x * relu6(x + 3) / 6, the way TF.js runs a converted MobileNetV3 (add, relu6, mul, mul). */
function hardSwish(x: tf.Tensor, k: Constants): tf.Tensor {
  return tf.mul(tf.mul(x, tf.relu6(tf.add(x, k.three))), k.sixth);
}

type FusedActivation = 'linear' | 'relu' | 'relu6';

function activate<T extends tf.Tensor>(activation: PeerActivation, k: Constants, run: (fused: FusedActivation) => T): T {
  return activation === 'hswish' ? (hardSwish(run('linear'), k) as T) : run(activation);
}

function runConv(x: tf.Tensor4D, c: FoldedConv, k: Constants): tf.Tensor4D {
  const pad = Math.floor(c.kernel / 2);
  return activate(c.activation, k, (activation) => {
    const args = { x, filter: c.filter, strides: c.stride, pad, bias: c.bias, activation } as const;
    return c.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  });
}

function runDense(x: tf.Tensor2D, d: Dense, k: Constants): tf.Tensor2D {
  return activate(d.activation, k, (activation) => tf.fused.matMul({ a: x, b: d.weight, bias: d.bias, activation }) as tf.Tensor2D);
}

/** The same layers recorded for a compiled wasm plan (wasm-plan.ts), hard-swish as the same four kernels. */
function recordActivation(b: PlanBuilder, activation: PeerActivation, run: (fused: FusedActivation) => Sym): Sym {
  if (activation !== 'hswish') return run(activation);
  const x = run('linear');
  const gate = b.unary('relu6', b.binary('add', x, b.constant(3)));
  return b.binary('mul', b.binary('mul', x, gate), b.constant(1 / 6));
}

function recordConv(b: PlanBuilder, x: Sym, c: FoldedConv): Sym {
  return recordActivation(b, c.activation, (activation) => b.conv(x, c.filter, c.bias, { kernel: c.kernel, stride: c.stride, activation, depthwise: c.depthwise }));
}

function recordDense(b: PlanBuilder, x: Sym, d: Dense, out?: Sym): Sym {
  return recordActivation(b, d.activation, (activation) => b.conv(x, d.weight, d.bias, { kernel: 1, stride: 1, activation, depthwise: false }, out));
}

/** Prepared weights and forward pass of one peer network. Owns its tensors until dispose(). */
export class PeerNetwork {
  private readonly stem: FoldedConv;
  private readonly blocks: BlockWeights[];
  private readonly lastConv: FoldedConv;
  private readonly head: Dense | null;
  private readonly classifier: Dense;
  private readonly plans: WasmPlanCache;
  private readonly constants: Constants;
  private disposed = false;

  /** `wasmPlan`: on the wasm backend, run as one compiled plan, as GhostNetwork does (default true). */
  constructor(readonly spec: PeerNetworkSpec, seed = 1, readonly options: { readonly wasmPlan?: boolean } = {}) {
    const rand = randomSource(seed);
    this.constants = { three: tf.scalar(3), sixth: tf.scalar(1 / 6) };
    this.stem = randomConvBn(rand, { inChannels: 3, outChannels: spec.stem.channels, kernel: 3, stride: 2, depthwise: false, activation: spec.stem.activation });
    this.blocks = spec.blocks.map((b) => ({
      spec: b,
      expand: b.expandChannels !== b.inChannels
        ? randomConvBn(rand, { inChannels: b.inChannels, outChannels: b.expandChannels, kernel: 1, stride: 1, depthwise: false, activation: b.activation })
        : null,
      dw: randomConvBn(rand, { inChannels: b.expandChannels, outChannels: b.expandChannels, kernel: b.kernel, stride: b.stride, depthwise: true, activation: b.activation }),
      // hard_sigmoid(x) = relu6(x + 3) / 6: the +3 is folded into the expand bias.
      se: b.seChannels !== null
        ? { reduce: randomDense(rand, b.expandChannels, b.seChannels, 'relu'), expand: randomDense(rand, b.seChannels, b.expandChannels, 'relu6', 3) }
        : null,
      project: randomConvBn(rand, { inChannels: b.expandChannels, outChannels: b.outChannels, kernel: 1, stride: 1, depthwise: false, activation: 'linear' }),
    }));
    const lastIn = spec.blocks[spec.blocks.length - 1].outChannels;
    this.lastConv = randomConvBn(rand, { inChannels: lastIn, outChannels: spec.lastConv.channels, kernel: 1, stride: 1, depthwise: false, activation: spec.lastConv.activation });
    this.head = spec.head ? randomDense(rand, spec.lastConv.channels, spec.head.channels, spec.head.activation) : null;
    this.classifier = randomDense(rand, spec.head?.channels ?? spec.lastConv.channels, spec.numClasses, 'linear');
    this.plans = new WasmPlanCache(spec.numClasses, (b, input, output) => this.record(b, input, output));
  }

  /** The compiled wasm plan used for inputs of this shape, once a forward pass has compiled it. */
  wasmPlanFor(shape: readonly number[]): WasmPlan | undefined {
    return this.plans.planFor(shape);
  }

  private record(b: PlanBuilder, input: Sym, output: Sym): void {
    let x = recordConv(b, input, this.stem);
    for (const block of this.blocks) {
      let h = block.expand ? recordConv(b, x, block.expand) : x;
      h = recordConv(b, h, block.dw);
      if (block.se) {
        const gate = b.binary('mul', recordDense(b, recordDense(b, b.pool(h), block.se.reduce), block.se.expand), b.constant(1 / 6));
        h = b.binary('mul', h, gate);
      }
      const out = recordConv(b, h, block.project);
      x = block.spec.residual ? b.binary('add', out, x) : out;
    }
    let v = b.pool(recordConv(b, x, this.lastConv));
    if (this.head) v = recordDense(b, v, this.head);
    recordDense(b, v, this.classifier, output);
  }

  private block(x: tf.Tensor4D, b: BlockWeights): tf.Tensor4D {
    const k = this.constants;
    let h = b.expand ? runConv(x, b.expand, k) : x;
    h = runConv(h, b.dw, k);
    if (b.se) {
      const pooled = globalAveragePool(h);
      const reduced = runDense(pooled, b.se.reduce, k);
      const gate = tf.mul(runDense(reduced, b.se.expand, k), k.sixth);
      h = tf.mul(h, tf.reshape(gate, [gate.shape[0], 1, 1, -1]));
    }
    const out = runConv(h, b.project, k);
    return b.spec.residual ? tf.add(out, x) : out;
  }

  /** NHWC input -> logits [N, classes]; the caller disposes the result. */
  forward(input: tf.Tensor4D): tf.Tensor2D {
    if (this.disposed) throw new Error('this model has been disposed');
    const planned = this.options.wasmPlan === false ? null : this.plans.run(input);
    if (planned) return planned;
    return tf.tidy(() => {
      const k = this.constants;
      let x = runConv(input, this.stem, k);
      for (const b of this.blocks) x = this.block(x, b);
      x = runConv(x, this.lastConv, k);
      let v = globalAveragePool(x);
      if (this.head) v = runDense(v, this.head, k);
      return runDense(v, this.classifier, k);
    });
  }

  private tensors(): tf.Tensor[] {
    const conv = (c: FoldedConv) => [c.filter, c.bias];
    const dense = (d: Dense) => [d.weight, d.bias];
    return [
      this.constants.three,
      this.constants.sixth,
      ...conv(this.stem),
      ...this.blocks.flatMap((b) => [
        ...(b.expand ? conv(b.expand) : []),
        ...conv(b.dw),
        ...(b.se ? [...dense(b.se.reduce), ...dense(b.se.expand)] : []),
        ...conv(b.project),
      ]),
      ...conv(this.lastConv),
      ...(this.head ? dense(this.head) : []),
      ...dense(this.classifier),
    ];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plans.dispose();
    tf.dispose(this.tensors());
  }
}
