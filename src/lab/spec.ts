/**
 * The lab network as a data table (issue 16): a small VGG-style network for 32 x 32 images,
 * 3 x 3 convolutions of widths 32, 32 | max-pool | 64, 64 | max-pool | 128, 128 | max-pool |
 * global average pool | linear, each convolution + BatchNorm + ReLU. Every convolution but the
 * first can be a Ghost module shaped like the authors' `GhostModule` (primary 3 x 3 conv to
 * ceil(n/s) maps + BN + ReLU, cheap d x d depthwise conv making (s-1) maps per intrinsic map +
 * BN + ReLU, concatenated, the first n kept).
 *
 * Width multiplier: a layer of base width c gets `labChannels(c, width)` = max(1, round(c * width))
 * channels (round half up, as JS Math.round; the Python fixture uses floor(c * width + 0.5)).
 */
import type { GhostKernel, GhostRatio, LabConfig, LabConvLayer, LabLayer, LabNetworkSpec, LabTensorSpec } from './types.ts';

/** Base widths of the six convolutions; 'M' = 2 x 2 max-pool. */
export const LAB_LAYOUT: readonly (number | 'M')[] = [32, 32, 'M', 64, 64, 'M', 128, 128, 'M'];
export const LAB_INPUT_SIZE = 32;
export const LAB_CLASSES = 10;
export const LAB_RATIOS: readonly GhostRatio[] = [2, 3, 4, 5];
export const LAB_KERNELS: readonly GhostKernel[] = [1, 3, 5, 7];
/** CIFAR-10 training-set mean and std per RGB channel (the data set's README); images are normalised as (x/255 - mean) / std. */
export const CIFAR_MEAN: readonly [number, number, number] = [0.4914, 0.4822, 0.4465];
export const CIFAR_STD: readonly [number, number, number] = [0.247, 0.243, 0.261];
/** BatchNorm epsilon and momentum (PyTorch defaults). */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

const CONFIG_ERROR = (name: string) => `unknown configuration "${name}": use vanilla or sSdD with s in 2..5, d in 1,3,5,7`;

/** `vanilla` or `s${s}d${d}`. Throws a one-line Error for anything else. */
export function parseLabConfig(name: string): LabConfig {
  const trimmed = String(name).trim();
  if (trimmed === 'vanilla') return { name: 'vanilla', kind: 'vanilla' };
  const m = /^s(\d+)d(\d+)$/.exec(trimmed);
  if (m) {
    const s = Number(m[1]);
    const d = Number(m[2]);
    if ((LAB_RATIOS as readonly number[]).includes(s) && (LAB_KERNELS as readonly number[]).includes(d)) {
      return ghostConfig(s as GhostRatio, d as GhostKernel);
    }
  }
  throw new Error(CONFIG_ERROR(trimmed));
}

export function ghostConfig(s: GhostRatio, d: GhostKernel): LabConfig {
  return { name: `s${s}d${d}`, kind: 'ghost', s, d };
}

/** Channels of a layer of base width `c` at width multiplier `width`: max(1, round(c * width)). */
export function labChannels(c: number, width: number): number {
  return Math.max(1, Math.round(c * width));
}

/** Throws a one-line Error unless `width` is a finite number > 0 (and at most 4). */
export function checkLabWidth(width: number): void {
  if (!Number.isFinite(width) || width <= 0 || width > 4) throw new Error(`width must be a number in (0, 4], got ${width}`);
}

/** The network table for a configuration. */
export function labNetwork(config: LabConfig, opts: { width?: number; classes?: number } = {}): LabNetworkSpec {
  const width = opts.width ?? 1;
  const classes = opts.classes ?? LAB_CLASSES;
  checkLabWidth(width);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`a lab network needs at least 2 classes, got ${classes}`);
  const layers: LabLayer[] = [];
  let channels = 3;
  let size = LAB_INPUT_SIZE;
  let conv = 0;
  let pool = 0;
  for (const item of LAB_LAYOUT) {
    if (item === 'M') {
      layers.push({ type: 'maxpool', id: `pool${pool++}`, size, channels });
      size = Math.floor(size / 2);
      continue;
    }
    const out = labChannels(item, width);
    const ghost = conv > 0 && config.kind === 'ghost'
      ? { s: config.s, d: config.d, initChannels: Math.ceil(out / config.s), newChannels: Math.ceil(out / config.s) * (config.s - 1) }
      : null;
    layers.push({ type: 'conv', id: `convs.${conv}`, index: conv, inChannels: channels, outChannels: out, kernel: 3, size, ghost });
    channels = out;
    conv++;
  }
  layers.push({ type: 'gap', id: 'gap', size, channels });
  layers.push({ type: 'linear', id: 'classifier', inChannels: channels, outChannels: classes });
  return { config, width, classes, inputSize: LAB_INPUT_SIZE, layers };
}

export function convLayers(spec: LabNetworkSpec): LabConvLayer[] {
  return spec.layers.filter((l): l is LabConvLayer => l.type === 'conv');
}

function bnTensors(prefix: string, layer: string, c: number): LabTensorSpec[] {
  return [
    { name: `${prefix}.weight`, role: 'bn-weight', layer, shape: [c], torchShape: [c], trainable: true },
    { name: `${prefix}.bias`, role: 'bn-bias', layer, shape: [c], torchShape: [c], trainable: true },
    { name: `${prefix}.running_mean`, role: 'bn-running-mean', layer, shape: [c], torchShape: [c], trainable: false },
    { name: `${prefix}.running_var`, role: 'bn-running-var', layer, shape: [c], torchShape: [c], trainable: false },
  ];
}

/**
 * Every tensor of the network in PyTorch's state_dict order (num_batches_tracked left out).
 * Ordinary conv i: `convs.i.conv.weight`, `convs.i.bn.*`. Ghost module i:
 * `convs.i.primary_conv.0.weight`, `convs.i.primary_conv.1.*` (BN), `convs.i.cheap_operation.0.weight`,
 * `convs.i.cheap_operation.1.*` (BN). Classifier: `classifier.weight`, `classifier.bias`.
 */
export function labTensors(spec: LabNetworkSpec): LabTensorSpec[] {
  const out: LabTensorSpec[] = [];
  for (const l of spec.layers) {
    if (l.type === 'conv') {
      const k = l.kernel;
      if (l.ghost === null) {
        out.push({ name: `${l.id}.conv.weight`, role: 'conv-weight', layer: l.id, shape: [k, k, l.inChannels, l.outChannels], torchShape: [l.outChannels, l.inChannels, k, k], trainable: true });
        out.push(...bnTensors(`${l.id}.bn`, l.id, l.outChannels));
      } else {
        const g = l.ghost;
        out.push({ name: `${l.id}.primary_conv.0.weight`, role: 'conv-weight', layer: l.id, shape: [k, k, l.inChannels, g.initChannels], torchShape: [g.initChannels, l.inChannels, k, k], trainable: true });
        out.push(...bnTensors(`${l.id}.primary_conv.1`, l.id, g.initChannels));
        out.push({ name: `${l.id}.cheap_operation.0.weight`, role: 'depthwise-weight', layer: l.id, shape: [g.d, g.d, g.initChannels, g.s - 1], torchShape: [g.newChannels, 1, g.d, g.d], trainable: true });
        out.push(...bnTensors(`${l.id}.cheap_operation.1`, l.id, g.newChannels));
      }
    } else if (l.type === 'linear') {
      out.push({ name: 'classifier.weight', role: 'linear-weight', layer: l.id, shape: [l.inChannels, l.outChannels], torchShape: [l.outChannels, l.inChannels], trainable: true });
      out.push({ name: 'classifier.bias', role: 'linear-bias', layer: l.id, shape: [l.outChannels], torchShape: [l.outChannels], trainable: true });
    }
  }
  return out;
}

/** Number of learned parameters (weights, biases, BN scale and shift; running stats not counted). */
export function labParameterCount(spec: LabNetworkSpec): number {
  return labTensors(spec).filter((t) => t.trainable).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}
