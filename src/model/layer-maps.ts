/**
 * The layers whose maps can be read out by name (for the ghost fit): a table built from the
 * network spec, looked up by exact id, never by parsing names.
 *
 * - `conv_stem`: the stem, an ordinary 3 x 3 convolution of the image (after BatchNorm and ReLU).
 * - `blocks.S.B.ghostK.primary_conv`: a Ghost module's primary convolution, an ordinary
 *   convolution; its output is the module's intrinsic maps (after BatchNorm, and ReLU in ghost1).
 * - `blocks.S.B.ghostK`: a Ghost module's whole output [intrinsic, ghost] (first outChannels),
 *   where half the maps are ghosts by construction; for comparison.
 * A lab network (src/lab/lab-model.ts) has kind `conv` too: an ordinary convolution `convs.N`
 * (after BatchNorm and ReLU); its Ghost modules are `convs.N.primary_conv` and `convs.N`.
 */
import { GHOSTNET_CONSTANTS, convOutputSize, featureSizes, type GhostModuleSpec, type NetworkSpec } from './architecture.ts';

export type MapLayerKind = 'stem' | 'conv' | 'primary' | 'module';

interface MapLayerBase {
  readonly id: string;
  readonly kind: MapLayerKind;
  readonly channels: number;
  /** True for the output of one ordinary convolution (the stem, a primary conv). */
  readonly ordinary: boolean;
}

export interface StemLayer extends MapLayerBase {
  readonly kind: 'stem';
}

/** An ordinary convolution of a lab network (conv + BatchNorm + ReLU). */
export interface ConvLayer extends MapLayerBase {
  readonly kind: 'conv';
}

export interface ModuleLayer extends MapLayerBase {
  readonly kind: 'primary' | 'module';
  readonly module: GhostModuleSpec;
}

export type MapLayer = StemLayer | ConvLayer | ModuleLayer;

export const STEM_LAYER_ID = 'conv_stem';

/** Every layer on offer, in forward order: the stem, then per Ghost module its primary conv and its output. */
export function mapLayers(spec: NetworkSpec): MapLayer[] {
  const layers: MapLayer[] = [{ id: STEM_LAYER_ID, kind: 'stem', channels: spec.stemChannels, ordinary: true }];
  for (const b of spec.blocks) {
    for (const g of [b.ghost1, b.ghost2]) {
      layers.push({ id: `${g.id}.primary_conv`, kind: 'primary', module: g, channels: g.initChannels, ordinary: true });
      layers.push({ id: g.id, kind: 'module', module: g, channels: g.outChannels, ordinary: false });
    }
  }
  return layers;
}

/** The layer with this exact id; an unknown id is an error that lists the valid ones. */
export function findMapLayer(spec: NetworkSpec, id: string): MapLayer {
  const layers = mapLayers(spec);
  const layer = layers.find((l) => l.id === id);
  if (!layer) throw new Error(`no layer "${id}" in this network; valid layers: ${layers.map((l) => l.id).join(', ')}`);
  return layer;
}

/** The primary-convolution layer of a Ghost module. */
export function primaryLayerOf(spec: NetworkSpec, moduleId: string): ModuleLayer {
  return findMapLayer(spec, `${moduleId}.primary_conv`) as ModuleLayer;
}

/** Height = width of a layer's maps for an input size. */
export function mapLayerSize(spec: NetworkSpec, layer: MapLayer, inputSize: number): number {
  if (layer.kind === 'conv') throw new Error(`${layer.id} is not a GhostNet layer`);
  if (layer.kind === 'stem') return convOutputSize(inputSize, GHOSTNET_CONSTANTS.stemKernel, GHOSTNET_CONSTANTS.stemStride);
  const sizes = featureSizes(spec, inputSize);
  const i = spec.blocks.findIndex((b) => b.ghost1 === layer.module || b.ghost2 === layer.module);
  return spec.blocks[i].ghost1 === layer.module ? sizes.blockIn[i] : sizes.blockMid[i];
}

/** A Ghost module's output [intrinsic, ghost] (first `outChannels`) as one HWC array, from its two taps. */
export function moduleOutput(intrinsic: Float32Array, ghost: Float32Array, g: GhostModuleSpec, pixels: number): Float32Array {
  const out = new Float32Array(pixels * g.outChannels);
  const fromIntrinsic = Math.min(g.initChannels, g.outChannels);
  const fromGhost = g.outChannels - fromIntrinsic;
  for (let p = 0; p < pixels; p++) {
    const o = p * g.outChannels;
    out.set(intrinsic.subarray(p * g.initChannels, p * g.initChannels + fromIntrinsic), o);
    if (fromGhost > 0) out.set(ghost.subarray(p * g.newChannels, p * g.newChannels + fromGhost), o + fromIntrinsic);
  }
  return out;
}
