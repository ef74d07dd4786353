/**
 * Public API, in the style of the tfjs-models packages:
 *   const model = await load('/models/ghostnet_100_imagenette/model.json');
 *   const top5 = await model.classify(pixels, 5);
 *   model.dispose();
 */
import * as tf from '@tensorflow/tfjs-core';
import { GHOSTNET_CONSTANTS, buildNetworkSpec, featureSizes, ghostModuleShape, ghostModules, type GhostModuleSpec, type NetworkSpec } from './architecture.ts';
import { metadataFromArtifacts, modelArchitecture, type GhostNetMetadata } from './format.ts';
import { GhostNetwork, type ForwardOptions, type ForwardResult, type StepTiming } from './network.ts';
import { findMapLayer, mapLayerSize, mapLayers, moduleOutput, STEM_LAYER_ID, type MapLayer } from './layer-maps.ts';
import { PREPROCESSING, type CropRule } from './preprocess.ts';
import { ImageModelBase } from './image-model-base.ts';
import type { GhostTap, ImageModel, LayerMaps, ModelInput, ModuleEntry, Normalization } from './image-model.ts';
import { LabModel } from '../lab/lab-model.ts';
import { LAB_ARCHITECTURE, labMetadataFromArtifacts } from '../lab/model-folder.ts';
import { storedParameters } from './parameters.ts';
import { sha256Hex } from './sha256.ts';
import { decodeWeights } from './decode-weights.ts';
import { checkWeightManifest, dequantizeChannels } from './quantization.ts';

export type { GhostNetMetadata } from './format.ts';
export type { CenterCrop, CropRule, PixelBuffer } from './preprocess.ts';
export type { PairSimilarity } from './similarity.ts';
export type { StepTiming, ForwardOptions, ForwardResult } from './network.ts';
export type { MapLayer, MapLayerKind } from './layer-maps.ts';
export type { FeatureMaps, GhostTap, ImageModel, LayerMaps, ModelInput, ModelMetadataBase, ModuleEntry, Normalization, Prediction } from './image-model.ts';
export type { LabModel } from '../lab/lab-model.ts';

/** In-memory model artifacts: what the converter produces and what model.json + weights hold. */
export interface ModelArtifactsSource {
  readonly modelJson: { userDefinedMetadata?: unknown };
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
}

/** A URL of a model.json, a tf.io handler (e.g. browserFiles), or in-memory artifacts. */
export type ModelSource = string | tf.io.IOHandler | ModelArtifactsSource;


export class GhostNetModel extends ImageModelBase implements ImageModel {
  readonly kind = 'ghostnet' as const;
  protected readonly minInputSize = GHOSTNET_CONSTANTS.minInputSize;
  readonly spec: NetworkSpec;
  /** ImageNet's mean and std: what `inputTensor` applies (preprocess.ts). */
  readonly normalization: Normalization = { mean: PREPROCESSING.mean, std: PREPROCESSING.std };
  /**
   * How pixels become the S x S input of `classify`, `features` and the rest: the model's own
   * rule (metadata `crop`) unless changed (the CLI's `--crop`).
   */
  crop: CropRule;
  private readonly network: GhostNetwork;

  /**
   * `weightsSha256`: SHA-256 of the stored weight bytes, what identifies this exact backbone (its
   * embeddings, its cached copy) across sessions, the CLI and the browser.
   */
  constructor(readonly metadata: GhostNetMetadata, weights: tf.NamedTensorMap, readonly weightsSha256 = '') {
    super();
    this.spec = buildNetworkSpec(metadata.width, metadata.numClasses);
    this.crop = metadata.crop ?? null;
    const expected = storedParameters(this.spec);
    for (const p of expected) {
      const t = weights[p.name];
      if (!t || t.shape.join() !== p.shape.join()) throw new Error(`the model's weight "${p.name}" is missing or has the wrong shape`);
    }
    this.network = new GhostNetwork(this.spec, weights);
  }

  /** Raw logits [N, classes]; the caller disposes the result. */
  logits(input: ModelInput, size?: number): tf.Tensor2D {
    return this.withInput(input, size, (x) => this.network.forward(x).logits);
  }

  /** Logits and Ghost-module taps (and the stem's output if asked) from one pass; the caller disposes all returned tensors. */
  forward(input: ModelInput, tapIds: readonly string[] = [], size?: number, options: ForwardOptions = {}): ForwardResult {
    return this.withInput(input, size, (x) => this.network.forward(x, tapIds, options));
  }

  ghostTaps(input: ModelInput, moduleIds: readonly string[], size?: number): { logits: tf.Tensor2D; taps: Map<string, GhostTap> } {
    const { logits, taps } = this.forward(input, moduleIds, size);
    return { logits, taps };
  }

  ghostModules(): readonly GhostModuleSpec[] {
    return ghostModules(this.spec);
  }

  protected ghostModule(id: string, inputSize: number): GhostModuleSpec {
    return ghostModuleShape(this.spec, id, inputSize).module;
  }

  /** Two entries per bottleneck (its Ghost modules), grouped by stage. */
  moduleEntries(inputSize: number): readonly ModuleEntry[] {
    const sizes = featureSizes(this.spec, inputSize);
    return this.spec.blocks.flatMap((b, i) => ([[b.ghost1, 1, sizes.blockIn[i]], [b.ghost2, 2, sizes.blockMid[i]]] as const).map(([m, which, size]) => ({
      id: m.id, group: `stage ${b.stage}`, groupShort: `S${b.stage}`, label: `${b.index}.g${which}`, size, module: m, outChannels: m.outChannels,
      description: `${m.id}: stage ${b.stage}, bottleneck ${b.index}, ${which === 1 ? 'first (expanding, ReLU)' : 'second (projecting, no ReLU)'} Ghost module; ` +
        `${m.inChannels} → ${m.outChannels} channels as ${m.initChannels} intrinsic + ${m.newChannels} ghost maps of ${size} × ${size}`,
    })));
  }

  mapLayers(): readonly MapLayer[] {
    return mapLayers(this.spec);
  }

  findMapLayer(id: string): MapLayer {
    return findMapLayer(this.spec, id);
  }

  /** The stem, the module's primary convolution and its whole output. */
  fitLayers(entryId: string): readonly MapLayer[] {
    return [findMapLayer(this.spec, STEM_LAYER_ID), findMapLayer(this.spec, `${entryId}.primary_conv`), findMapLayer(this.spec, entryId)];
  }

  /** Length of an embedding: the channels of `conv_head` (1280 for GhostNet v1). */
  get embeddingSize(): number {
    return this.spec.headChannels;
  }

  /**
   * The embedding that feeds the classifier, [N, embeddingSize]: global average pool of the last
   * stage, conv_head and ReLU, exactly as in the authors' ghostnet.py, after the same
   * preprocessing as `classify` (input size, crop rule). The caller disposes the result.
   */
  embedTensor(input: ModelInput, size?: number): tf.Tensor2D {
    return this.withInput(input, size, (x) => this.network.embed(x));
  }

  /** The maps of a layer by id (`conv_stem`, `blocks.S.B.ghostK.primary_conv`, `blocks.S.B.ghostK`) for an image. */
  async layerMaps(input: ModelInput, layerId: string, size?: number): Promise<LayerMaps> {
    const layer = findMapLayer(this.spec, layerId);
    if (layer.kind === 'conv') throw new Error(`${layer.id} is not a GhostNet layer`);
    const inputSize = input instanceof tf.Tensor ? input.shape[1] : (size ?? this.inputSize);
    const result = this.forward(input, layer.kind === 'stem' ? [] : [layer.module.id], size, { stem: layer.kind === 'stem' });
    const tensors = [result.logits, ...(result.stem ? [result.stem] : []), ...[...result.taps.values()].flatMap((t) => [t.intrinsic, t.ghost])];
    try {
      let data: Float32Array;
      let shape: number[];
      if (layer.kind === 'stem') {
        shape = result.stem!.shape;
        data = (await result.stem!.data()) as Float32Array;
      } else {
        const tap = result.taps.get(layer.module.id)!;
        shape = tap.intrinsic.shape;
        const intrinsic = (await tap.intrinsic.data()) as Float32Array;
        data = layer.kind === 'primary' ? intrinsic : moduleOutput(intrinsic, (await tap.ghost.data()) as Float32Array, layer.module, shape[1] * shape[2]);
      }
      const [, height, width] = shape;
      if (height !== mapLayerSize(this.spec, layer, inputSize) || data.length !== height * width * layer.channels) {
        throw new Error(`${layer.id}: the network returned maps of shape [${shape}], not ${layer.channels} channels`);
      }
      return { layer, inputSize, height, width, channels: layer.channels, data };
    } finally {
      tf.dispose(tensors);
    }
  }

  /** Per-step wall times of one forward pass (see GhostNetwork.profile); warm up first. */
  async profile(input: ModelInput, size?: number): Promise<StepTiming[]> {
    const x = input instanceof tf.Tensor ? input : this.inputTensor(input, size);
    try {
      return await this.network.profile(x);
    } finally {
      if (x !== input) x.dispose();
    }
  }

  /**
   * Run once so shaders/kernels for this input size are compiled before the first real frame.
   * With `onProgress`, WebGL's shader (WebGPU's pipeline) compilation is done step by step first and
   * reported as (steps done, steps); other backends report (0, 1) and then (1, 1) around their one
   * pass. `pause` runs between the steps (default: give the thread back to the page for one task).
   */
  async warmup(size = this.inputSize, onProgress?: (done: number, total: number) => void, pause: () => Promise<void> = yieldToPage): Promise<void> {
    const stepwise = tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu';
    if (onProgress && stepwise) {
      const x = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
      try {
        await this.network.stepThrough(x, onProgress, pause);
      } finally {
        x.dispose();
      }
    } else {
      onProgress?.(0, 1);
      await pause();
    }
    const logits = tf.tidy(() => this.network.forward(tf.zeros([1, size, size, 3])).logits);
    await logits.data();
    logits.dispose();
    if (onProgress && !stepwise) onProgress(1, 1);
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Give the thread back for one task (a MessageChannel message: not clamped like nested timers). */
export function yieldToPage(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function isArtifacts(s: ModelSource): s is ModelArtifactsSource {
  return typeof s === 'object' && 'weightData' in s && 'modelJson' in s;
}

/**
 * Download a model.json and its weights without touching any backend (so it can run while a
 * backend starts); `fetchFunc` replaces `fetch` (e.g. to count bytes). Pass the result to `load`.
 */
export async function fetchModel(url: string, fetchFunc?: typeof fetch): Promise<ModelArtifactsSource> {
  const artifacts = await tf.io.http(url, fetchFunc ? { fetchFunc } : {}).load!();
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error('the model has no weights');
  return {
    modelJson: { userDefinedMetadata: artifacts.userDefinedMetadata },
    weightSpecs: artifacts.weightSpecs,
    weightData: wholeBuffer(artifacts.weightData),
  };
}

/** Any model the app and the CLI run: both implement ImageModel; `kind` tells them apart. */
export type AnyModel = GhostNetModel | LabModel;

/**
 * Load a model of any architecture (metadata `architecture`): a converted GhostNet, or a network
 * trained in the Ghost lab (src/lab/model-folder.ts). Weights are checked, decoded and uploaded.
 */
export async function loadModel(source: ModelSource, options: { onProgress?: (fraction: number) => void } = {}): Promise<AnyModel> {
  const { userDefinedMetadata, weightSpecs, weightData } = await readArtifacts(source, options);
  if (modelArchitecture(userDefinedMetadata) === LAB_ARCHITECTURE) {
    const metadata = labMetadataFromArtifacts(userDefinedMetadata);
    const bytes = wholeBuffer(weightData);
    return LabModel.fromWeights(metadata, weightSpecs, bytes, await sha256Hex(bytes));
  }
  return ghostNetFrom(userDefinedMetadata, weightSpecs, weightData);
}

async function readArtifacts(source: ModelSource, options: { onProgress?: (fraction: number) => void }) {
  let userDefinedMetadata: unknown;
  let weightSpecs: tf.io.WeightsManifestEntry[] | undefined;
  let weightData: tf.io.WeightData | undefined;
  if (isArtifacts(source)) {
    ({ weightSpecs, weightData } = source);
    userDefinedMetadata = source.modelJson.userDefinedMetadata;
  } else {
    const handler = typeof source === 'string' ? tf.io.http(source, { onProgress: options.onProgress }) : source;
    if (!handler.load) throw new Error('this model source cannot be loaded');
    const artifacts = await handler.load();
    ({ weightSpecs, weightData, userDefinedMetadata } = artifacts);
  }
  if (!weightSpecs || !weightData) {
    // The metadata's own complaint first (a foreign model.json has neither).
    if (modelArchitecture(userDefinedMetadata) !== LAB_ARCHITECTURE) metadataFromArtifacts(userDefinedMetadata);
    throw new Error('the model has no weights');
  }
  return { userDefinedMetadata, weightSpecs, weightData };
}

/** The weights as one buffer: the buffer itself when there is one (no 8 MB copy on the way to the first answer), else the files joined. */
function wholeBuffer(data: tf.io.WeightData): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  return data.length === 1 ? data[0] : new tf.io.CompositeArrayBuffer(data).slice();
}

async function ghostNetFrom(userDefinedMetadata: unknown, weightSpecs: tf.io.WeightsManifestEntry[], weightData: tf.io.WeightData): Promise<GhostNetModel> {
  const metadata = metadataFromArtifacts(userDefinedMetadata);
  const bytes = wholeBuffer(weightData);
  checkWeightManifest(metadata.storage, metadata.quantization, weightSpecs, bytes.byteLength);
  // The digest runs off the main thread (WebCrypto copies the bytes first) while the weights decode.
  const digest = sha256Hex(bytes);
  digest.catch(() => {});
  const weights = decodeWeights(bytes, weightSpecs);
  try {
    if (metadata.storage === 'uint8-per-channel') dequantizeChannels(weights, metadata.quantization);
    // Decoding and building each take tens of milliseconds: let the page paint and take input between.
    await yieldToPage();
    return new GhostNetModel(metadata, weights, await digest);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/** Load a converted GhostNet (only: `loadModel` takes any architecture). Weights are decoded, folded and uploaded to the active backend. */
export async function load(source: ModelSource, options: { onProgress?: (fraction: number) => void } = {}): Promise<GhostNetModel> {
  const { userDefinedMetadata, weightSpecs, weightData } = await readArtifacts(source, options);
  if (modelArchitecture(userDefinedMetadata) === LAB_ARCHITECTURE) throw new Error('this is a Ghost lab network, not a GhostNet (load it with loadModel)');
  return ghostNetFrom(userDefinedMetadata, weightSpecs, weightData);
}
