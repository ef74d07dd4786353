/**
 * The checkpoint keys and shapes (PyTorch layout) that a GhostNet of a given spec has.
 * The validator compares a state dict against this list; the builder reads weights by these names.
 */
import type { NetworkSpec } from './architecture.ts';

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** BatchNorm running statistics: stored, used for inference, but not trained. */
  readonly buffer?: boolean;
  /** BatchNorm's step counter: stored as int64 in checkpoints, never used for inference. */
  readonly counter?: boolean;
}

function conv(name: string, out: number, inPerGroup: number, k: number, bias = false): ParameterSpec[] {
  const list: ParameterSpec[] = [{ name: `${name}.weight`, shape: [out, inPerGroup, k, k] }];
  if (bias) list.push({ name: `${name}.bias`, shape: [out] });
  return list;
}

function bn(name: string, channels: number): ParameterSpec[] {
  return [
    { name: `${name}.weight`, shape: [channels] },
    { name: `${name}.bias`, shape: [channels] },
    { name: `${name}.running_mean`, shape: [channels], buffer: true },
    { name: `${name}.running_var`, shape: [channels], buffer: true },
    { name: `${name}.num_batches_tracked`, shape: [], counter: true },
  ];
}

/** All parameters and buffers of the network, in the authors' module order. */
export function expectedParameters(spec: NetworkSpec): ParameterSpec[] {
  const p: ParameterSpec[] = [];
  p.push(...conv('conv_stem', spec.stemChannels, 3, 3), ...bn('bn1', spec.stemChannels));
  for (const b of spec.blocks) {
    for (const g of [b.ghost1, b.ghost2]) {
      p.push(...conv(`${g.id}.primary_conv.0`, g.initChannels, g.inChannels, g.primaryKernel));
      p.push(...bn(`${g.id}.primary_conv.1`, g.initChannels));
      p.push(...conv(`${g.id}.cheap_operation.0`, g.newChannels, 1, g.cheapKernel));
      p.push(...bn(`${g.id}.cheap_operation.1`, g.newChannels));
      if (g === b.ghost1) {
        if (b.stride > 1) p.push(...conv(`${b.id}.conv_dw`, b.midChannels, 1, b.dwKernel), ...bn(`${b.id}.bn_dw`, b.midChannels));
        if (b.seChannels !== null) {
          p.push(...conv(`${b.id}.se.conv_reduce`, b.seChannels, b.midChannels, 1, true));
          p.push(...conv(`${b.id}.se.conv_expand`, b.midChannels, b.seChannels, 1, true));
        }
      }
    }
    if (!b.identityShortcut) {
      p.push(...conv(`${b.id}.shortcut.0`, b.inChannels, 1, b.dwKernel), ...bn(`${b.id}.shortcut.1`, b.inChannels));
      p.push(...conv(`${b.id}.shortcut.2`, b.outChannels, b.inChannels, 1), ...bn(`${b.id}.shortcut.3`, b.outChannels));
    }
  }
  const last = spec.lastStage;
  p.push(...conv(`${last.id}.conv`, last.outChannels, last.inChannels, 1), ...bn(`${last.id}.bn1`, last.outChannels));
  p.push(...conv('conv_head', spec.headChannels, last.outChannels, 1, true));
  p.push({ name: 'classifier.weight', shape: [spec.numClasses, spec.headChannels] });
  p.push({ name: 'classifier.bias', shape: [spec.numClasses] });
  return p;
}

/** Parameters and statistics that inference needs (what a converted model stores). */
export function storedParameters(spec: NetworkSpec): ParameterSpec[] {
  return expectedParameters(spec).filter((p) => !p.counter);
}

export function countParameters(params: readonly ParameterSpec[]): number {
  return params
    .filter((p) => !p.counter && !p.buffer)
    .reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}
