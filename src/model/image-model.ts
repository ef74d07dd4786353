/**
 * What every model of the app and the CLI offers, whatever its architecture: GhostNet
 * (`GhostNetModel`, metadata architecture 'ghostnet-v1') and a network trained in the Ghost lab
 * (`LabModel`, 'lab-vgg-v1'). Views and commands code against this interface; what is particular
 * to one architecture (GhostNet's NetworkSpec for the explainer, the lab's table) stays on its class.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { GhostModuleSpec } from './architecture.ts';
import type { ClassInfo } from './classes/index.ts';
import type { MapLayer, MapLayerKind } from './layer-maps.ts';
import type { CropRule, PixelBuffer } from './preprocess.ts';
import type { PairSimilarity } from './similarity.ts';

export interface Prediction {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly probability: number;
}

export interface FeatureMaps {
  readonly moduleId: string;
  readonly inputSize: number;
  readonly height: number;
  readonly width: number;
  readonly ratio: number;
  readonly intrinsicChannels: number;
  readonly ghostChannels: number;
  /** HWC float32, batch dropped. */
  readonly intrinsic: Float32Array;
  readonly ghost: Float32Array;
  readonly pairs: PairSimilarity[];
}

/** The maps of one layer (see layer-maps.ts) for one image. */
export interface LayerMaps {
  readonly layer: MapLayer;
  readonly inputSize: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** HWC float32, batch dropped, channels in PyTorch's order. */
  readonly data: Float32Array;
}

/** Intrinsic (primary convolution) and ghost (cheap operation) outputs of one Ghost module, NHWC. */
export interface GhostTap {
  readonly intrinsic: tf.Tensor4D;
  readonly ghost: tf.Tensor4D;
}

/** What `classify`, `logits` and `features` take: pixels, or an already preprocessed NHWC tensor. */
export type ModelInput = PixelBuffer | tf.Tensor4D;

/** Per-channel mean and std of the inputs (after dividing by 255). */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** The metadata fields every model format has (userDefinedMetadata.ghostnet). */
export interface ModelMetadataBase {
  readonly formatVersion: number;
  readonly architecture: string;
  /** Human-readable name, e.g. "GhostNet 1.0x · Imagenette". */
  readonly name: string;
  readonly numClasses: number;
  readonly classes: readonly ClassInfo[];
  /** Recommended input side in pixels. */
  readonly inputSize: number;
  readonly crop?: CropRule;
  readonly normalization: Normalization;
  /** Trainable parameters (excluding BatchNorm statistics). */
  readonly parameters: number;
}

/**
 * One entry of the module map in the Feature maps view: a Ghost module (intrinsic/ghost pairs),
 * or, in a lab network, an ordinary convolution (no pairs; its ghosts can only be fitted).
 */
export interface ModuleEntry {
  /** The id `features` (Ghost module) and `layerMaps` take. */
  readonly id: string;
  /** Group shown as one row (GhostNet: `stage 3`; lab: `32 × 32`). */
  readonly group: string;
  /** The group as a chart's axis label (`S3`, `32²`). */
  readonly groupShort: string;
  /** Short label on the map, e.g. `0.g1` or `conv 3`. */
  readonly label: string;
  /** Side of its maps at the input size asked for. */
  readonly size: number;
  /** The Ghost module, or null for an ordinary convolution. */
  readonly module: GhostModuleSpec | null;
  readonly outChannels: number;
  /** One sentence saying what it is. */
  readonly description: string;
}

export interface ImageModel {
  readonly kind: 'ghostnet' | 'lab';
  readonly metadata: ModelMetadataBase;
  /** How pixels become the S x S input (the CLI's `--crop` may change it). */
  crop: CropRule;
  readonly inputSize: number;
  /** The normalisation the model's inputs need (ImageNet's for GhostNet, CIFAR-10's for the lab). */
  readonly normalization: Normalization;
  /** SHA-256 of the stored weight bytes. */
  readonly weightsSha256: string;
  readonly embeddingSize: number;
  /** Pixels -> normalised [1, S, S, 3] tensor under the model's crop rule (caller disposes). */
  inputTensor(pixels: PixelBuffer, size?: number): tf.Tensor4D;
  /** Raw logits [N, classes]; the caller disposes the result. */
  logits(input: ModelInput, size?: number): tf.Tensor2D;
  /** Top-K classes with softmax probabilities. One async read. */
  classify(input: ModelInput, topK?: number, size?: number): Promise<Prediction[]>;
  /** The classifier's input, [N, embeddingSize] (caller disposes). */
  embedTensor(input: ModelInput, size?: number): tf.Tensor2D;
  embed(input: ModelInput, size?: number): Promise<Float32Array>;
  /** Every Ghost module, in forward order (none in an ordinary lab network). */
  ghostModules(): readonly GhostModuleSpec[];
  /** The Feature maps view's module map: its entries in forward order. */
  moduleEntries(inputSize: number): readonly ModuleEntry[];
  /** Logits and the taps of these Ghost modules from one pass; the caller disposes everything returned. */
  ghostTaps(input: ModelInput, moduleIds: readonly string[], size?: number): { logits: tf.Tensor2D; taps: Map<string, GhostTap> };
  /** A Ghost module's intrinsic and ghost maps for an image, with each pair's similarity. */
  features(input: ModelInput, moduleId: string, size?: number): Promise<FeatureMaps>;
  /** Every layer whose maps can be read (ghost-fit), in forward order. */
  mapLayers(): readonly MapLayer[];
  /** The layer with this exact id; an unknown id is an error that lists the valid ones. */
  findMapLayer(id: string): MapLayer;
  /**
   * The layers the ghost-fit view offers for a module-map entry, at most one per kind: GhostNet's
   * stem, the module's primary conv and its output; a lab network's first conv (or the chosen
   * ordinary conv), and a Ghost module's primary conv and output.
   */
  fitLayers(entryId: string): readonly MapLayer[];
  layerMaps(input: ModelInput, layerId: string, size?: number): Promise<LayerMaps>;
  warmup(size?: number, onProgress?: (done: number, total: number) => void): Promise<void>;
  dispose(): void;
}

export type { MapLayer, MapLayerKind };
