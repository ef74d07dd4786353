/**
 * Exact parameter and multiply-add counts of a GhostNet, one row per weighted layer, computed
 * from a NetworkSpec (any width, class count and input size). Multiply-adds count convolutions
 * and linear layers only (the convention of the paper's Table 7); parameters count weights,
 * biases and BatchNorm's scale and shift, so their total equals `countParameters` of the
 * checkpoint. Also the "vanilla" counterpart (every Ghost module replaced by one ordinary
 * convolution of the same output width) and the paper's Eq. 4 / Eq. 5.
 */
import { GHOSTNET_CONSTANTS, convOutputSize, featureSizes, ghostModules, type GhostModuleSpec, type NetworkSpec } from './architecture.ts';
import type { LabNetworkSpec } from '../lab/types.ts';

/** conv: dense convolution; depthwise: one filter per channel; se: squeeze-excite 1x1 on the pooled vector; linear: fully connected. */
export type OpKind = 'conv' | 'depthwise' | 'se' | 'linear';

/** What a layer is for, within its bottleneck or the network. */
export type LayerRole = 'stem' | 'ghost-primary' | 'ghost-cheap' | 'ghost-vanilla' | 'dw-stride' | 'se' | 'shortcut' | 'last-conv' | 'head' | 'classifier';

export interface LayerCost {
  /** Checkpoint prefix of the layer, e.g. `blocks.3.0.ghost1.primary_conv`. */
  readonly id: string;
  /** The forward step that runs it, as `GhostNetModel.profile` reports (`blocks.3.0.ghost1`). */
  readonly step: string;
  /** Stage index S of `blocks.S.B` (9 for the last 1x1 stage); null for the stem and the head. */
  readonly stage: number | null;
  /** `blocks.S.B` of its bottleneck, or null. */
  readonly block: string | null;
  /** `blocks.S.B.ghostN` when the layer is part of a Ghost module, else null. */
  readonly ghostModule: string | null;
  readonly role: LayerRole;
  readonly kind: OpKind;
  readonly kernel: number;
  readonly stride: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Output height, width, channels. */
  readonly outShape: readonly [number, number, number];
  readonly params: number;
  readonly macs: number;
}

export interface CostTotals {
  readonly params: number;
  readonly macs: number;
}

interface ConvArgs {
  id: string;
  step: string;
  stage: number | null;
  block: string | null;
  ghostModule?: string | null;
  role: LayerRole;
  kind: OpKind;
  kernel: number;
  stride?: number;
  inChannels: number;
  outChannels: number;
  /** Output side (square); 1 for layers on a pooled vector. */
  outSize: number;
  /** Per-channel extra parameters: 2 for BatchNorm (scale, shift), 1 for a bias. */
  extraPerChannel: number;
}

function layer(a: ConvArgs): LayerCost {
  const inPerGroup = a.kind === 'depthwise' ? 1 : a.inChannels;
  const weights = a.outChannels * inPerGroup * a.kernel * a.kernel;
  return {
    id: a.id,
    step: a.step,
    stage: a.stage,
    block: a.block,
    ghostModule: a.ghostModule ?? null,
    role: a.role,
    kind: a.kind,
    kernel: a.kernel,
    stride: a.stride ?? 1,
    inChannels: a.inChannels,
    outChannels: a.outChannels,
    outShape: [a.outSize, a.outSize, a.outChannels],
    params: weights + a.extraPerChannel * a.outChannels,
    macs: weights * a.outSize * a.outSize,
  };
}

const BN = 2;
const BIAS = 1;

/** The primary convolution and the cheap operation of one Ghost module at output side `size`. */
function ghostLayers(g: GhostModuleSpec, stage: number, block: string, size: number): LayerCost[] {
  const common = { step: g.id, stage, block, ghostModule: g.id, outSize: size, extraPerChannel: BN };
  return [
    layer({ ...common, id: `${g.id}.primary_conv`, role: 'ghost-primary', kind: 'conv', kernel: g.primaryKernel, inChannels: g.inChannels, outChannels: g.initChannels }),
    // The authors' code computes all `newChannels` ghosts, then keeps the first `outChannels` of the concatenation.
    layer({ ...common, id: `${g.id}.cheap_operation`, role: 'ghost-cheap', kind: 'depthwise', kernel: g.cheapKernel, inChannels: g.initChannels, outChannels: g.newChannels }),
  ];
}

/** Every weighted layer of the network in forward order, at a square input of side `inputSize`. */
export function layerCosts(spec: NetworkSpec, inputSize: number): LayerCost[] {
  const sizes = featureSizes(spec, inputSize);
  const stemSize = convOutputSize(inputSize, GHOSTNET_CONSTANTS.stemKernel, GHOSTNET_CONSTANTS.stemStride);
  const rows: LayerCost[] = [
    layer({
      id: 'conv_stem', step: 'conv_stem', stage: null, block: null, role: 'stem', kind: 'conv',
      kernel: GHOSTNET_CONSTANTS.stemKernel, stride: GHOSTNET_CONSTANTS.stemStride,
      inChannels: 3, outChannels: spec.stemChannels, outSize: stemSize, extraPerChannel: BN,
    }),
  ];
  spec.blocks.forEach((b, i) => {
    const inSize = sizes.blockIn[i];
    const midSize = sizes.blockMid[i];
    const at = { stage: b.stage, block: b.id };
    rows.push(...ghostLayers(b.ghost1, b.stage, b.id, inSize));
    if (b.stride > 1) {
      rows.push(layer({
        ...at, id: `${b.id}.conv_dw`, step: `${b.id}.conv_dw`, role: 'dw-stride', kind: 'depthwise', kernel: b.dwKernel, stride: b.stride,
        inChannels: b.midChannels, outChannels: b.midChannels, outSize: midSize, extraPerChannel: BN,
      }));
    }
    if (b.seChannels !== null) {
      const se = { ...at, step: `${b.id}.se`, role: 'se' as const, kind: 'se' as const, kernel: 1, outSize: 1, extraPerChannel: BIAS };
      rows.push(layer({ ...se, id: `${b.id}.se.conv_reduce`, inChannels: b.midChannels, outChannels: b.seChannels }));
      rows.push(layer({ ...se, id: `${b.id}.se.conv_expand`, inChannels: b.seChannels, outChannels: b.midChannels }));
    }
    // The shortcut branch runs before the second Ghost module, which adds it to its output.
    if (!b.identityShortcut) {
      const sc = { ...at, step: `${b.id}.shortcut`, role: 'shortcut' as const, outSize: midSize, extraPerChannel: BN };
      rows.push(layer({ ...sc, id: `${b.id}.shortcut.0`, kind: 'depthwise', kernel: b.dwKernel, stride: b.stride, inChannels: b.inChannels, outChannels: b.inChannels }));
      rows.push(layer({ ...sc, id: `${b.id}.shortcut.2`, kind: 'conv', kernel: 1, inChannels: b.inChannels, outChannels: b.outChannels }));
    }
    rows.push(...ghostLayers(b.ghost2, b.stage, b.id, midSize));
  });
  const last = spec.lastStage;
  rows.push(layer({
    id: `${last.id}.conv`, step: last.id, stage: spec.blocks.length > 0 ? spec.blocks[spec.blocks.length - 1].stage + 1 : 0, block: last.id,
    role: 'last-conv', kind: 'conv', kernel: 1, inChannels: last.inChannels, outChannels: last.outChannels, outSize: sizes.final, extraPerChannel: BN,
  }));
  rows.push(layer({
    id: 'conv_head', step: 'conv_head', stage: null, block: null, role: 'head', kind: 'conv', kernel: 1,
    inChannels: last.outChannels, outChannels: spec.headChannels, outSize: 1, extraPerChannel: BIAS,
  }));
  rows.push(layer({
    id: 'classifier', step: 'classifier', stage: null, block: null, role: 'classifier', kind: 'linear', kernel: 1,
    inChannels: spec.headChannels, outChannels: spec.numClasses, outSize: 1, extraPerChannel: BIAS,
  }));
  return rows;
}

/**
 * The same layer list with every Ghost module (its primary and cheap rows) replaced by one
 * ordinary convolution (+ BatchNorm) from the module's input to its full output width, with the
 * primary convolution's kernel, at the same output size. All other rows are kept as they are.
 */
export function vanillaLayerCosts(spec: NetworkSpec, rows: readonly LayerCost[]): LayerCost[] {
  const modules = new Map(ghostModules(spec).map((g) => [g.id, g]));
  const out: LayerCost[] = [];
  for (const row of rows) {
    if (row.ghostModule === null) {
      out.push(row);
      continue;
    }
    if (row.role !== 'ghost-primary') continue; // the cheap operation disappears with its module
    const g = modules.get(row.ghostModule);
    if (!g) throw new Error(`layer ${row.id} belongs to an unknown Ghost module ${row.ghostModule}`);
    out.push(layer({
      id: `${g.id}.conv`, step: row.step, stage: row.stage, block: row.block, ghostModule: g.id, role: 'ghost-vanilla', kind: 'conv',
      kernel: g.primaryKernel, inChannels: g.inChannels, outChannels: g.outChannels, outSize: row.outShape[0], extraPerChannel: BN,
    }));
  }
  return out;
}

export function totals(rows: readonly LayerCost[]): CostTotals {
  return rows.reduce((t, r) => ({ params: t.params + r.params, macs: t.macs + r.macs }), { params: 0, macs: 0 });
}

export interface StepCost extends CostTotals {
  readonly step: string;
}

/** Costs summed per forward step (the granularity of `GhostNetModel.profile`), in forward order. */
export function stepCosts(rows: readonly LayerCost[]): StepCost[] {
  const byStep = new Map<string, { params: number; macs: number }>();
  for (const r of rows) {
    const t = byStep.get(r.step) ?? { params: 0, macs: 0 };
    t.params += r.params;
    t.macs += r.macs;
    byStep.set(r.step, t);
  }
  return [...byStep].map(([step, t]) => ({ step, ...t }));
}

/** A Ghost module in the paper's notation (Section 3.1). */
export interface GhostModuleParams {
  /** Input channels. */
  readonly c: number;
  /** Output maps. */
  readonly n: number;
  /** Kernel of the ordinary (and primary) convolution. */
  readonly k: number;
  /** Kernel of the cheap linear operation. */
  readonly d: number;
  /** Ratio: each intrinsic map gives s - 1 ghosts (plus itself). */
  readonly s: number;
  /** Output height h' and width w'. */
  readonly h: number;
  readonly w: number;
}

/** Intrinsic maps m = n / s of Eq. 4 (rounded up, as the authors' code does when s does not divide n). */
export function intrinsicMaps(p: Pick<GhostModuleParams, 'n' | 's'>): number {
  return Math.ceil(p.n / p.s);
}

/** An ordinary k x k convolution c -> n at h' x w' (no bias): n h' w' c k k multiply-adds, n c k k parameters. */
export function ordinaryConvCost(p: GhostModuleParams): CostTotals {
  return { macs: p.n * p.h * p.w * p.c * p.k * p.k, params: p.n * p.c * p.k * p.k };
}

/** Ghost module: m intrinsic maps by a k x k convolution, (s - 1) m ghosts by d x d depthwise operations. */
export function ghostModuleCost(p: GhostModuleParams): CostTotals {
  const m = intrinsicMaps(p);
  const ghosts = (p.s - 1) * m;
  return {
    macs: m * p.h * p.w * p.c * p.k * p.k + ghosts * p.h * p.w * p.d * p.d,
    params: m * p.c * p.k * p.k + ghosts * p.d * p.d,
  };
}

/** Eq. 4: theoretical speed-up r_s of a Ghost module over an ordinary convolution. */
export function speedupRatio(p: GhostModuleParams): number {
  return ordinaryConvCost(p).macs / ghostModuleCost(p).macs;
}

/** Eq. 5: compression ratio r_c. */
export function compressionRatio(p: GhostModuleParams): number {
  return ordinaryConvCost(p).params / ghostModuleCost(p).params;
}

/** The approximation of Eq. 4 and 5 when d x d is about k x k: s c / (s + c - 1), itself about s when s << c. */
export function approximateRatio(p: Pick<GhostModuleParams, 'c' | 's'>): number {
  return (p.s * p.c) / (p.s + p.c - 1);
}

/**
 * The Ghost lab's small VGG (src/lab/spec.ts), one row per weighted layer with the same counting
 * as the GhostNet rows: the first conv is 'stem', ordinary convs that a Ghost module can replace
 * 'ghost-vanilla', a Ghost module's two convs 'ghost-primary' / 'ghost-cheap' (the cheap conv
 * computes all init * (s - 1) maps, as the authors' code does), the linear layer 'classifier'.
 * Max-pools and the global average pool count no multiply-adds.
 */
export function labLayerCosts(spec: LabNetworkSpec): LayerCost[] {
  const rows: LayerCost[] = [];
  for (const l of spec.layers) {
    if (l.type === 'conv') {
      const at = { step: l.id, stage: null, block: null, outSize: l.size, extraPerChannel: BN };
      if (l.ghost === null) {
        rows.push(layer({ ...at, id: `${l.id}.conv`, role: l.index === 0 ? 'stem' : 'ghost-vanilla', kind: 'conv', kernel: l.kernel, inChannels: l.inChannels, outChannels: l.outChannels }));
      } else {
        rows.push(layer({ ...at, id: `${l.id}.primary_conv`, ghostModule: l.id, role: 'ghost-primary', kind: 'conv', kernel: l.kernel, inChannels: l.inChannels, outChannels: l.ghost.initChannels }));
        rows.push(layer({ ...at, id: `${l.id}.cheap_operation`, ghostModule: l.id, role: 'ghost-cheap', kind: 'depthwise', kernel: l.ghost.d, inChannels: l.ghost.initChannels, outChannels: l.ghost.newChannels }));
      }
    } else if (l.type === 'linear') {
      rows.push(layer({ id: l.id, step: l.id, stage: null, block: null, role: 'classifier', kind: 'linear', kernel: 1, inChannels: l.inChannels, outChannels: l.outChannels, outSize: 1, extraPerChannel: BIAS }));
    }
  }
  return rows;
}

/** Learned parameters and multiply-adds of a lab network. */
export function labCost(spec: LabNetworkSpec): CostTotals {
  return totals(labLayerCosts(spec));
}
