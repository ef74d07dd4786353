/**
 * Shared types of the Ghost lab (issue 16): the data set, the configurations, a run's options and
 * results, the network table and a trained network. The engine (spec.ts, network.ts, train.ts),
 * the data/CLI code, the model folder and the Lab tab all code against these.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Images as NHWC uint8, 32 x 32 x 3 each, row-major; labels as class indices. */
export interface LabData {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly classes: readonly string[];
}

export type GhostRatio = 2 | 3 | 4 | 5;
export type GhostKernel = 1 | 3 | 5 | 7;

export type LabConfig =
  | { readonly name: 'vanilla'; readonly kind: 'vanilla' }
  | { readonly name: string /* `s${s}d${d}` */; readonly kind: 'ghost'; readonly s: GhostRatio; readonly d: GhostKernel };

export interface EpochResult {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss (cross-entropy, without the weight-decay term) over the epoch's batches. */
  readonly loss: number;
  /** Fraction (0..1) of the test set classified correctly, BatchNorm with running averages. */
  readonly testAccuracy: number;
  /** Wall-clock seconds of the epoch's training (the test pass not included). */
  readonly seconds: number;
  /** Training images per second over the epoch. */
  readonly imagesPerSecond: number;
}

export interface LabRunOptions {
  readonly config: LabConfig;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  /** 64 unless given. */
  readonly batchSize?: number;
  /** Peak of the one-cycle learning rate; 0.1 unless given. */
  readonly maxLearningRate?: number;
  /** Random flip + 4-pixel pad-and-crop; true unless given. */
  readonly augment?: boolean;
  readonly train: LabData;
  readonly test: LabData;
  readonly onEpoch?: (r: EpochResult) => void;
  /** Called after each batch; no sync reads per batch, so `loss` is the latest loss read back so far (may lag, NaN before the first). */
  readonly onBatch?: (p: { epoch: number; batch: number; batches: number; loss: number }) => void;
  /** Checked between batches; when it returns true the run ends after the current batch (no test pass for the partial epoch). */
  readonly shouldStop?: () => boolean;
}

export interface LabRunResult {
  readonly config: LabConfig;
  readonly width: number;
  readonly seed: number;
  readonly params: number;
  readonly multiplyAdds: number;
  readonly epochs: EpochResult[];
  readonly stopped: boolean;
  readonly network: TrainedLabNetwork;
}

/** One Ghost module's shape: a primary 3 x 3 conv to `initChannels`, a cheap d x d depthwise conv making `newChannels`, the first `outChannels` of the concatenation kept. */
export interface LabGhostSpec {
  readonly s: GhostRatio;
  readonly d: GhostKernel;
  /** ceil(outChannels / s) */
  readonly initChannels: number;
  /** initChannels * (s - 1); depthwise channel multiplier s - 1 */
  readonly newChannels: number;
}

/** A 3 x 3 convolution (stride 1, 'same' padding, no bias) + BatchNorm + ReLU, or a Ghost module in its place. */
export interface LabConvLayer {
  readonly type: 'conv';
  /** Parameter prefix, `convs.${index}`. */
  readonly id: string;
  readonly index: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: 3;
  /** Input (= output) side in pixels. */
  readonly size: number;
  /** null: an ordinary convolution. */
  readonly ghost: LabGhostSpec | null;
}
/** 2 x 2 max-pool, stride 2. */
export interface LabPoolLayer { readonly type: 'maxpool'; readonly id: string; readonly size: number; readonly channels: number }
/** Global average pool over the spatial dims. */
export interface LabGapLayer { readonly type: 'gap'; readonly id: 'gap'; readonly size: number; readonly channels: number }
/** Fully connected layer with bias, `classifier`. */
export interface LabLinearLayer { readonly type: 'linear'; readonly id: 'classifier'; readonly inChannels: number; readonly outChannels: number }
export type LabLayer = LabConvLayer | LabPoolLayer | LabGapLayer | LabLinearLayer;

/** The network as a data table (spec.ts: labNetwork). */
export interface LabNetworkSpec {
  readonly config: LabConfig;
  readonly width: number;
  readonly classes: number;
  /** 32 */
  readonly inputSize: number;
  readonly layers: readonly LabLayer[];
}

/** What a tensor of the network is. */
export type LabTensorRole = 'conv-weight' | 'depthwise-weight' | 'bn-weight' | 'bn-bias' | 'bn-running-mean' | 'bn-running-var' | 'linear-weight' | 'linear-bias';

/**
 * One named tensor (spec.ts: labTensors). Names are the PyTorch state_dict keys of
 * scripts/fixtures/make_lab_fixtures.py (num_batches_tracked not kept). `shape` is the TF.js
 * layout the engine holds, `torchShape` PyTorch's: conv HWIO vs OIHW, depthwise [d, d, C, s-1] vs
 * [C*(s-1), 1, d, d], linear [in, out] vs [out, in]; params.ts converts both ways.
 */
export interface LabTensorSpec {
  readonly name: string;
  readonly role: LabTensorRole;
  /** The conv/linear layer it belongs to (`convs.3`, `classifier`). */
  readonly layer: string;
  readonly shape: readonly number[];
  readonly torchShape: readonly number[];
  /** Learned by SGD (false for the BatchNorm running statistics). */
  readonly trainable: boolean;
}

/** A trained network: the table and every tensor (TF.js layout, PyTorch names), BatchNorm running stats included. */
export interface TrainedLabNetwork {
  readonly spec: LabNetworkSpec;
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}
