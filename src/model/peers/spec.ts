/**
 * Inverted-residual networks (MobileNetV2, MobileNetV3) as plain data: the comparison peers of
 * the benchmark. Nothing here touches TensorFlow.js.
 */

/** `hswish` is x * relu6(x + 3) / 6 (MobileNetV3); the others are tfjs fused activations. */
export type PeerActivation = 'linear' | 'relu' | 'relu6' | 'hswish';

/** One inverted residual: optional 1x1 expansion, depthwise k x k, optional squeeze-excite, 1x1 projection. */
export interface InvertedResidualSpec {
  readonly id: string;
  readonly inChannels: number;
  /** Channels after the 1x1 expansion (equal to inChannels when the block has none). */
  readonly expandChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly activation: PeerActivation;
  /** Reduced channels of the squeeze-excite block (hard-sigmoid gate), or null. */
  readonly seChannels: number | null;
  /** Identity shortcut: stride 1 and inChannels === outChannels. */
  readonly residual: boolean;
}

export interface PeerNetworkSpec {
  readonly name: string;
  readonly numClasses: number;
  readonly stem: { readonly channels: number; readonly activation: PeerActivation };
  readonly blocks: readonly InvertedResidualSpec[];
  /** 1x1 convolution (+BN) after the last block, before global pooling. */
  readonly lastConv: { readonly channels: number; readonly activation: PeerActivation };
  /** MobileNetV3's extra pooled 1x1 layer without BN (null for MobileNetV2). */
  readonly head: { readonly channels: number; readonly activation: PeerActivation } | null;
}

/** The usual `_make_divisible` (MobileNet and GhostNet reference code). */
export function makeDivisible(v: number, divisor = 8): number {
  let newV = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/** Spatial size after a k x k convolution with symmetric padding k // 2. */
export function convOut(size: number, kernel: number, stride: number): number {
  const pad = Math.floor(kernel / 2);
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Multiply-adds of one forward pass at a square input (convolutions and dense layers; activations, pooling and adds not counted). */
export function peerMultiplyAdds(spec: PeerNetworkSpec, inputSize: number): number {
  let size = convOut(inputSize, 3, 2);
  let macs = size * size * 3 * 3 * 3 * spec.stem.channels;
  for (const b of spec.blocks) {
    if (b.expandChannels !== b.inChannels) macs += size * size * b.inChannels * b.expandChannels;
    size = convOut(size, b.kernel, b.stride);
    macs += size * size * b.kernel * b.kernel * b.expandChannels;
    if (b.seChannels !== null) macs += 2 * b.expandChannels * b.seChannels;
    macs += size * size * b.expandChannels * b.outChannels;
  }
  const last = spec.blocks[spec.blocks.length - 1];
  macs += size * size * last.outChannels * spec.lastConv.channels;
  let features = spec.lastConv.channels;
  if (spec.head) {
    macs += features * spec.head.channels;
    features = spec.head.channels;
  }
  return macs + features * spec.numClasses;
}

/** Trainable parameters: weights, biases, BatchNorm scale and shift (running statistics excluded). */
export function peerParameters(spec: PeerNetworkSpec): number {
  const convBn = (inPerGroup: number, out: number, k: number) => out * inPerGroup * k * k + 2 * out;
  const dense = (inp: number, out: number) => inp * out + out;
  let params = convBn(3, spec.stem.channels, 3);
  for (const b of spec.blocks) {
    if (b.expandChannels !== b.inChannels) params += convBn(b.inChannels, b.expandChannels, 1);
    params += convBn(1, b.expandChannels, b.kernel);
    if (b.seChannels !== null) params += dense(b.expandChannels, b.seChannels) + dense(b.seChannels, b.expandChannels);
    params += convBn(b.expandChannels, b.outChannels, 1);
  }
  params += convBn(spec.blocks[spec.blocks.length - 1].outChannels, spec.lastConv.channels, 1);
  let features = spec.lastConv.channels;
  if (spec.head) {
    params += dense(features, spec.head.channels);
    features = spec.head.channels;
  }
  return params + dense(features, spec.numClasses);
}
