/**
 * The benchmark's models, all with 1000-class heads and random weights (latency does not depend
 * on the values): GhostNet 0.5x / 1.0x / 1.3x through our GhostNetwork, and the two peers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildNetworkSpec, type NetworkSpec } from '../model/architecture.ts';
import { layerCosts, totals } from '../model/cost.ts';
import { GhostNetwork, type GhostLayout, type GhostNetworkOptions } from '../model/network.ts';
import type { GhostOutput } from '../model/weights.ts';
import { PeerNetwork, buildMobileNetV2Spec, buildMobileNetV3LargeSpec, peerMultiplyAdds, peerParameters, type PeerNetworkSpec } from '../model/peers/index.ts';
import { countParameters, storedParameters } from '../model/parameters.ts';
import type { WasmPlan } from '../model/wasm-plan.ts';

export interface BenchNetwork {
  /** NHWC input -> logits; the caller disposes the result. */
  forward(input: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
  /** GhostNet only: the network, for per-step profiling. */
  readonly ghostnet?: GhostNetwork;
  /** The compiled wasm plan for inputs of this shape, once a forward pass on wasm has made it. */
  wasmPlanFor(shape: readonly number[]): WasmPlan | undefined;
}

export interface BenchModel {
  readonly id: string;
  readonly label: string;
  readonly family: 'ghostnet' | 'mobilenetv3' | 'mobilenetv2';
  readonly parameters: number;
  multiplyAdds(inputSize: number): number;
  /** Build weights on the active backend (what "load" measures); GhostNet takes an optional Ghost-module layout and options. */
  create(layout?: GhostLayout, options?: GhostNetworkOptions): BenchNetwork;
}

const CLASSES = 1000;

function uniform(n: number, scale: number, offset: number, rand: () => number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = offset + (rand() * 2 - 1) * scale;
  return v;
}

/** PyTorch-layout random checkpoint for a GhostNet spec: He-scaled convolutions, plausible BatchNorm statistics. */
export function randomGhostNetWeights(spec: NetworkSpec, seed = 1): tf.NamedTensorMap {
  let a = seed >>> 0;
  const rand = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const weights: tf.NamedTensorMap = {};
  for (const p of storedParameters(spec)) {
    const n = p.shape.reduce((x, y) => x * y, 1);
    let values: Float32Array;
    if (p.shape.length >= 2) values = uniform(n, Math.sqrt(6 / (n / p.shape[0])), 0, rand);
    else if (p.name.endsWith('running_var') || p.name.endsWith('.weight')) values = uniform(n, 0.2, 1, rand);
    else values = uniform(n, 0.1, 0, rand);
    weights[p.name] = tf.tensor(values, [...p.shape]);
  }
  return weights;
}

function ghostnet(width: number): BenchModel {
  const spec = buildNetworkSpec(width, CLASSES);
  const label = `GhostNet ${width.toFixed(1)}x`;
  return {
    id: `ghostnet_${String(Math.round(width * 100)).padStart(3, '0')}`,
    label,
    family: 'ghostnet',
    parameters: countParameters(storedParameters(spec)),
    multiplyAdds: (size) => totals(layerCosts(spec, size)).macs,
    create(layout, options) {
      const weights = randomGhostNetWeights(spec);
      try {
        const net = new GhostNetwork(spec, weights, layout, options);
        return { forward: (x) => net.forward(x).logits, dispose: () => net.dispose(), ghostnet: net, wasmPlanFor: (s) => net.wasmPlanFor(s) };
      } finally {
        tf.dispose(Object.values(weights));
      }
    },
  };
}

function peer(id: string, family: 'mobilenetv3' | 'mobilenetv2', spec: PeerNetworkSpec): BenchModel {
  return {
    id,
    label: spec.name,
    family,
    parameters: peerParameters(spec),
    multiplyAdds: (size) => peerMultiplyAdds(spec, size),
    create(_layout, options) {
      const net = new PeerNetwork(spec, 1, options);
      return { forward: (x) => net.forward(x), dispose: () => net.dispose(), wasmPlanFor: (s) => net.wasmPlanFor(s) };
    },
  };
}

export const BENCH_MODELS: readonly BenchModel[] = [
  ghostnet(0.5),
  ghostnet(1.0),
  ghostnet(1.3),
  peer('mobilenetv3_large_100', 'mobilenetv3', buildMobileNetV3LargeSpec(1, CLASSES)),
  peer('mobilenetv2_100', 'mobilenetv2', buildMobileNetV2Spec(1, CLASSES)),
];

const GHOST_OUTPUTS: readonly GhostOutput[] = ['concat', 'interleaved', 'parts'];

/**
 * A model by id; a GhostNet id may pin its Ghost-module layout and execution for comparisons:
 * `ghostnet_100@concat/concat` (the reference formulation), `ghostnet_100@parts/parts/3`,
 * `ghostnet_100@ops` (op by op, no compiled wasm plan), `ghostnet_100@nokernel` (depthwise conv +
 * concat instead of the Ghost-module kernel), `ghostnet_100@parts/parts/3/nokernel/ops` (TF.js ops
 * only, the forward pass before the wasm work); a peer takes `@ops` only.
 */
export function benchModel(id: string): BenchModel {
  const [base, variant] = id.split('@');
  const m = BENCH_MODELS.find((x) => x.id === base);
  if (!m) throw new Error(`unknown benchmark model "${base}" (known: ${BENCH_MODELS.map((x) => x.id).join(', ')})`);
  if (variant === undefined) return m;
  if (m.family !== 'ghostnet' && variant !== 'ops') throw new Error(`"${id}": a peer takes only the variant "ops"`);
  const tokens = variant.split('/');
  const flags = new Set<string>();
  while (tokens.length > 0 && (tokens.at(-1) === 'ops' || tokens.at(-1) === 'nokernel')) flags.add(tokens.pop()!);
  let layout: GhostLayout | undefined; // the default for the backend the model is created on
  if (tokens.length > 0) {
    const [ghost1, ghost2, stage] = tokens;
    if (!GHOST_OUTPUTS.includes(ghost1 as GhostOutput) || !GHOST_OUTPUTS.includes(ghost2 as GhostOutput) || tokens.length > 3 || (stage !== undefined && !/^\d+$/.test(stage))) {
      throw new Error(`"${id}": a variant is ghost1/ghost2[/partsBeforeStage][/nokernel][/ops] with each of ${GHOST_OUTPUTS.join(', ')}, or just nokernel and/or ops`);
    }
    layout = { ghost1: ghost1 as GhostOutput, ghost2: ghost2 as GhostOutput, ...(stage ? { partsBeforeStage: Number(stage) } : {}) };
  }
  const options: GhostNetworkOptions = { wasmPlan: !flags.has('ops'), ghostKernel: !flags.has('nokernel') };
  return { ...m, id, label: `${m.label} (${variant})`, create: () => m.create(layout, options) };
}
