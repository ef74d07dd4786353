/**
 * A network trained in the Ghost lab as a model of the app and the CLI (ImageModel): classify,
 * the intrinsic/ghost maps of its Ghost modules, the maps of its ordinary convolutions and primary
 * convolutions for the ghost fit, its embedding. Inference only: BatchNorm uses the running
 * statistics, folded into each convolution once when the model is built, so every convolution runs
 * as one fused op (conv + bias + ReLU). What each layer is comes from the lab's table (spec.ts),
 * never from its name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GhostModuleSpec } from '../model/architecture.ts';
import type { GhostTap, ImageModel, LayerMaps, ModelInput, ModuleEntry, Normalization } from '../model/image-model.ts';
import { moduleOutput, type MapLayer, type ModuleLayer } from '../model/layer-maps.ts';
import type { CropRule } from '../model/preprocess.ts';
import { ImageModelBase } from '../model/image-model-base.ts';
import { labSpecOf, labWeightsFromArtifacts, type LabModelMetadata } from './model-folder.ts';
import { BN_EPSILON, convLayers } from './spec.ts';
import type { LabConvLayer, LabNetworkSpec } from './types.ts';

/** Smallest input side: three 2 x 2 max-pools leave at least one pixel. */
export const LAB_MIN_INPUT_SIZE = 8;

interface Folded {
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
}

type Prepared =
  | { readonly type: 'conv'; readonly layer: LabConvLayer; readonly conv: Folded }
  | { readonly type: 'ghost'; readonly layer: LabConvLayer; readonly module: GhostModuleSpec; readonly primary: Folded; readonly cheap: Folded }
  | { readonly type: 'maxpool' }
  | { readonly type: 'gap' }
  | { readonly type: 'linear'; readonly weight: tf.Tensor2D; readonly bias: tf.Tensor1D };

/** What one pass keeps besides the logits. */
interface PassRequest {
  /** Ghost modules whose intrinsic and ghost maps are kept. */
  readonly taps?: ReadonlySet<string>;
  /** An ordinary convolution whose output is kept. */
  readonly conv?: string;
  /** Stop after the global average pool (the embedding). */
  readonly embedding?: boolean;
}

interface PassResult {
  readonly out: tf.Tensor2D;
  readonly taps: Map<string, GhostTap>;
  readonly conv: tf.Tensor4D | null;
}

/** A Ghost module of the table in GhostNet's terms (what the views and the pair similarities use). */
function moduleSpec(l: LabConvLayer): GhostModuleSpec {
  const g = l.ghost!;
  return {
    id: l.id, inChannels: l.inChannels, outChannels: l.outChannels, initChannels: g.initChannels, newChannels: g.newChannels,
    ratio: g.s, primaryKernel: l.kernel, cheapKernel: g.d, relu: true,
  };
}

function take(tensors: ReadonlyMap<string, tf.Tensor>, name: string): tf.Tensor {
  const t = tensors.get(name);
  if (!t) throw new Error(`the lab network has no tensor "${name}"`);
  return t;
}

/**
 * BatchNorm (running statistics) folded into the conv before it: filter * gamma / sqrt(var + eps),
 * bias beta - mean * gamma / sqrt(var + eps). `weight` is in TF.js layout (HWIO, or [d, d, C, m]
 * for a depthwise conv whose output channel c * m + k is BatchNorm channel c * m + k).
 */
function fold(tensors: ReadonlyMap<string, tf.Tensor>, weight: string, bn: string, depthwise: boolean): Folded {
  return tf.tidy(() => {
    const w = take(tensors, weight) as tf.Tensor4D;
    const scale = tf.div(take(tensors, `${bn}.weight`), tf.sqrt(tf.add(take(tensors, `${bn}.running_var`), BN_EPSILON)));
    const bias = tf.sub(take(tensors, `${bn}.bias`), tf.mul(take(tensors, `${bn}.running_mean`), scale)) as tf.Tensor1D;
    const [, , c, m] = w.shape;
    const filter = tf.mul(w, depthwise ? tf.reshape(scale, [1, 1, c, m]) : tf.reshape(scale, [1, 1, 1, -1])) as tf.Tensor4D;
    return { filter, bias };
  });
}

function conv(x: tf.Tensor4D, f: Folded, depthwise: boolean): tf.Tensor4D {
  const pad = Math.floor(f.filter.shape[0] / 2);
  const args = { x, filter: f.filter, strides: 1, pad, bias: f.bias, activation: 'relu' } as const;
  return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

export class LabModel extends ImageModelBase implements ImageModel {
  readonly kind = 'lab' as const;
  protected readonly minInputSize = LAB_MIN_INPUT_SIZE;
  /** The network table. */
  readonly spec: LabNetworkSpec;
  /** A lab network sees the whole image resized to S x S, as in training. */
  crop: CropRule = null;
  readonly normalization: Normalization;
  private readonly prepared: Prepared[];
  private readonly modules: GhostModuleSpec[];
  private readonly layers: MapLayer[];
  private disposed = false;

  /** Checks the weights against the metadata's table (one-line errors), then builds the model. */
  static fromWeights(metadata: LabModelMetadata, weightSpecs: readonly tf.io.WeightsManifestEntry[], weightData: ArrayBuffer, weightsSha256 = ''): LabModel {
    const tensors = labWeightsFromArtifacts(metadata, weightSpecs, weightData);
    try {
      return new LabModel(metadata, tensors, weightsSha256);
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }

  /** `tensors`: every tensor of the table in TF.js layout (as a TrainedLabNetwork holds them); copied, not kept. */
  constructor(readonly metadata: LabModelMetadata, tensors: ReadonlyMap<string, tf.Tensor>, readonly weightsSha256 = '') {
    super();
    this.spec = labSpecOf(metadata);
    this.normalization = metadata.normalization;
    const prepared: Prepared[] = [];
    try {
      for (const l of this.spec.layers) {
        if (l.type === 'conv' && l.ghost === null) prepared.push({ type: 'conv', layer: l, conv: fold(tensors, `${l.id}.conv.weight`, `${l.id}.bn`, false) });
        else if (l.type === 'conv') {
          const primary = fold(tensors, `${l.id}.primary_conv.0.weight`, `${l.id}.primary_conv.1`, false);
          prepared.push({ type: 'ghost', layer: l, module: moduleSpec(l), primary, cheap: fold(tensors, `${l.id}.cheap_operation.0.weight`, `${l.id}.cheap_operation.1`, true) });
        } else if (l.type === 'maxpool') prepared.push({ type: 'maxpool' });
        else if (l.type === 'gap') prepared.push({ type: 'gap' });
        else prepared.push({ type: 'linear', weight: tf.clone(take(tensors, 'classifier.weight')) as tf.Tensor2D, bias: tf.clone(take(tensors, 'classifier.bias')) as tf.Tensor1D });
      }
    } catch (e) {
      tf.dispose(tensorsOf(prepared));
      throw e;
    }
    this.prepared = prepared;
    this.modules = prepared.flatMap((p) => (p.type === 'ghost' ? [p.module] : []));
    this.layers = convLayers(this.spec).flatMap((l): MapLayer[] => {
      if (l.ghost === null) return [{ id: l.id, kind: 'conv', channels: l.outChannels, ordinary: true }];
      const module = this.modules.find((m) => m.id === l.id)!;
      return [
        { id: `${l.id}.primary_conv`, kind: 'primary', module, channels: l.ghost.initChannels, ordinary: true },
        { id: l.id, kind: 'module', module, channels: l.outChannels, ordinary: false },
      ];
    });
  }

  protected checkUsable(): void {
    if (this.disposed) throw new Error('this lab model was disposed');
  }

  /** Channels of the global average pool: the last convolution's. */
  get embeddingSize(): number {
    return convLayers(this.spec).at(-1)!.outChannels;
  }

  /** One forward pass; what it keeps survives the tidy, the caller disposes it. */
  private pass(x: tf.Tensor4D, request: PassRequest = {}): PassResult {
    const taps = new Map<string, GhostTap>();
    let kept: tf.Tensor4D | null = null;
    const out = tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const p of this.prepared) {
        if (p.type === 'conv') {
          h = conv(h as tf.Tensor4D, p.conv, false);
          if (request.conv === p.layer.id) kept = tf.keep(h as tf.Tensor4D);
        } else if (p.type === 'ghost') {
          const intrinsic = conv(h as tf.Tensor4D, p.primary, false);
          const ghost = conv(intrinsic, p.cheap, true);
          if (request.taps?.has(p.module.id)) taps.set(p.module.id, { intrinsic: tf.keep(intrinsic), ghost: tf.keep(ghost) });
          const both = tf.concat([intrinsic, ghost], 3);
          h = p.module.initChannels + p.module.newChannels === p.module.outChannels ? both : tf.slice(both, [0, 0, 0, 0], [-1, -1, -1, p.module.outChannels]);
        } else if (p.type === 'maxpool') {
          h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
        } else if (p.type === 'gap') {
          h = tf.mean(h, [1, 2]);
          if (request.embedding) return h as tf.Tensor2D;
        } else {
          h = tf.add(tf.matMul(h as tf.Tensor2D, p.weight), p.bias);
        }
      }
      return h as tf.Tensor2D;
    });
    return { out, taps, conv: kept };
  }

  logits(input: ModelInput, size?: number): tf.Tensor2D {
    return this.withInput(input, size, (x) => this.pass(x).out);
  }

  ghostTaps(input: ModelInput, moduleIds: readonly string[], size?: number): { logits: tf.Tensor2D; taps: Map<string, GhostTap> } {
    for (const id of moduleIds) this.ghostModule(id);
    return this.withInput(input, size, (x) => {
      const { out, taps } = this.pass(x, { taps: new Set(moduleIds) });
      return { logits: out, taps };
    });
  }

  embedTensor(input: ModelInput, size?: number): tf.Tensor2D {
    return this.withInput(input, size, (x) => this.pass(x, { embedding: true }).out);
  }

  ghostModules(): readonly GhostModuleSpec[] {
    return this.modules;
  }

  /** The Ghost module with this id; anything else is a one-line error naming the valid ids. */
  protected ghostModule(id: string): GhostModuleSpec {
    const m = this.modules.find((g) => g.id === id);
    if (m) return m;
    if (this.modules.length === 0) throw new Error(`this ${this.metadata.config.name} network has no Ghost modules (every convolution is an ordinary one; ghost-fit finds the ghosts inside them)`);
    const ordinary = convLayers(this.spec).some((l) => l.id === id);
    throw new Error(`${ordinary ? `${id} is an ordinary convolution, not a Ghost module` : `no Ghost module "${id}" in this network`}; Ghost modules: ${this.modules.map((g) => g.id).join(', ')}`);
  }

  /** Every convolution of the table (Ghost modules and ordinary ones), grouped by map size. */
  moduleEntries(inputSize: number): readonly ModuleEntry[] {
    const entries: ModuleEntry[] = [];
    let size = inputSize;
    for (const l of this.spec.layers) {
      if (l.type === 'maxpool') size = Math.floor(size / 2);
      if (l.type !== 'conv') continue;
      const module = l.ghost ? this.modules.find((m) => m.id === l.id)! : null;
      const description = module
        ? `${l.id}: convolution ${l.index}, a Ghost module (s = ${module.ratio}, d = ${module.cheapKernel}); ${l.inChannels} → ${l.outChannels} channels as ${module.initChannels} intrinsic + ${module.newChannels} ghost maps of ${size} × ${size}`
        : `${l.id}: convolution ${l.index}, an ordinary 3 × 3 convolution; ${l.inChannels} → ${l.outChannels} maps of ${size} × ${size}`;
      entries.push({ id: l.id, group: `${size} × ${size}`, groupShort: `${size}²`, label: `conv ${l.index}`, size, module, outChannels: l.outChannels, description });
    }
    return entries;
  }

  mapLayers(): readonly MapLayer[] {
    return this.layers;
  }

  findMapLayer(id: string): MapLayer {
    const layer = this.layers.find((l) => l.id === id);
    if (!layer) throw new Error(`no layer "${id}" in this network; valid layers: ${this.layers.map((l) => l.id).join(', ')}`);
    return layer;
  }

  /** A Ghost module: the first convolution (always ordinary), its primary conv, its output; an ordinary conv: itself. */
  fitLayers(entryId: string): readonly MapLayer[] {
    const l = convLayers(this.spec).find((c) => c.id === entryId);
    if (!l) throw new Error(`no convolution "${entryId}" in this network`);
    if (l.ghost === null) return [this.findMapLayer(l.id)];
    return [this.findMapLayer(convLayers(this.spec)[0].id), this.findMapLayer(`${l.id}.primary_conv`), this.findMapLayer(l.id)];
  }

  async layerMaps(input: ModelInput, layerId: string, size?: number): Promise<LayerMaps> {
    const layer = this.findMapLayer(layerId);
    const inputSize = input instanceof tf.Tensor ? input.shape[1] : (size ?? this.inputSize);
    const moduleLayer = layer.kind === 'conv' ? null : (layer as ModuleLayer);
    const result = this.withInput(input, size, (x) => this.pass(x, moduleLayer ? { taps: new Set([moduleLayer.module.id]) } : { conv: layer.id }));
    const tensors = [result.out, ...(result.conv ? [result.conv] : []), ...[...result.taps.values()].flatMap((t) => [t.intrinsic, t.ghost])];
    try {
      let data: Float32Array;
      let shape: number[];
      if (!moduleLayer) {
        shape = result.conv!.shape;
        data = (await result.conv!.data()) as Float32Array;
      } else {
        const tap = result.taps.get(moduleLayer.module.id)!;
        shape = tap.intrinsic.shape;
        const intrinsic = (await tap.intrinsic.data()) as Float32Array;
        data = layer.kind === 'primary' ? intrinsic : moduleOutput(intrinsic, (await tap.ghost.data()) as Float32Array, moduleLayer.module, shape[1] * shape[2]);
      }
      const [, height, width] = shape;
      if (data.length !== height * width * layer.channels) throw new Error(`${layer.id}: the network returned maps of shape [${shape}], not ${layer.channels} channels`);
      return { layer, inputSize, height, width, channels: layer.channels, data };
    } finally {
      tf.dispose(tensors);
    }
  }

  async warmup(size = this.inputSize, onProgress?: (done: number, total: number) => void): Promise<void> {
    onProgress?.(0, 1);
    const logits = tf.tidy(() => this.pass(tf.zeros([1, size, size, 3])).out);
    await logits.data();
    logits.dispose();
    onProgress?.(1, 1);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(tensorsOf(this.prepared));
  }
}

function tensorsOf(prepared: readonly Prepared[]): tf.Tensor[] {
  return prepared.flatMap((p): tf.Tensor[] => {
    if (p.type === 'conv') return [p.conv.filter, p.conv.bias];
    if (p.type === 'ghost') return [p.primary.filter, p.primary.bias, p.cheap.filter, p.cheap.bias];
    if (p.type === 'linear') return [p.weight, p.bias];
    return [];
  });
}
