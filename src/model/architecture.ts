/**
 * GhostNet v1 as plain data, following the authors' `ghostnet.py` (Han et al., CVPR 2020).
 *
 * Everything else reads this file: the model builder, the checkpoint validator, the
 * multiply-add counter and the network map in the UI. Nothing here touches TensorFlow.js.
 */

/** One bottleneck row of the authors' `cfgs`: kernel, expansion, output channels, SE ratio, stride. */
export interface BottleneckRow {
  readonly k: number;
  readonly exp: number;
  readonly c: number;
  readonly se: number;
  readonly s: number;
}

/**
 * The authors' `cfgs`, one inner array per entry of `blocks` (stage index S in `blocks.S.B`).
 * The entry after the last one is the 1x1 ConvBnAct to `exp` of the last row (`blocks.9.0`).
 */
export const GHOSTNET_STAGES: readonly (readonly BottleneckRow[])[] = [
  [{ k: 3, exp: 16, c: 16, se: 0, s: 1 }],
  [{ k: 3, exp: 48, c: 24, se: 0, s: 2 }],
  [{ k: 3, exp: 72, c: 24, se: 0, s: 1 }],
  [{ k: 5, exp: 72, c: 40, se: 0.25, s: 2 }],
  [{ k: 5, exp: 120, c: 40, se: 0.25, s: 1 }],
  [{ k: 3, exp: 240, c: 80, se: 0, s: 2 }],
  [
    { k: 3, exp: 200, c: 80, se: 0, s: 1 },
    { k: 3, exp: 184, c: 80, se: 0, s: 1 },
    { k: 3, exp: 184, c: 80, se: 0, s: 1 },
    { k: 3, exp: 480, c: 112, se: 0.25, s: 1 },
    { k: 3, exp: 672, c: 112, se: 0.25, s: 1 },
  ],
  [{ k: 5, exp: 672, c: 160, se: 0.25, s: 2 }],
  [
    { k: 5, exp: 960, c: 160, se: 0, s: 1 },
    { k: 5, exp: 960, c: 160, se: 0.25, s: 1 },
    { k: 5, exp: 960, c: 160, se: 0, s: 1 },
    { k: 5, exp: 960, c: 160, se: 0.25, s: 1 },
  ],
] as const;

/** Fixed hyper-parameters of GhostNet v1 (the same for every width). */
export const GHOSTNET_CONSTANTS = {
  stemChannels: 16,
  stemKernel: 3,
  stemStride: 2,
  headChannels: 1280,
  ghostRatio: 2,
  ghostPrimaryKernel: 1,
  ghostCheapKernel: 3,
  channelDivisor: 4,
  bnEps: 1e-5,
  dropout: 0.2,
  /** Smallest input side that survives the five stride-2 stages. */
  minInputSize: 32,
} as const;

/** `_make_divisible` from the authors' code. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let newV = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/** A Ghost module: a primary convolution makes `initChannels` intrinsic maps, a depthwise
 * "cheap operation" makes `newChannels` ghost maps from them; the first `outChannels` of
 * the concatenation are the output. */
export interface GhostModuleSpec {
  readonly id: string; // e.g. "blocks.3.0.ghost1", the checkpoint prefix
  readonly inChannels: number;
  readonly outChannels: number;
  readonly initChannels: number;
  readonly newChannels: number;
  readonly ratio: number;
  readonly primaryKernel: number;
  readonly cheapKernel: number;
  readonly relu: boolean;
}

export interface BottleneckSpec {
  readonly id: string; // "blocks.S.B"
  readonly stage: number;
  readonly index: number;
  readonly inChannels: number;
  readonly midChannels: number;
  readonly outChannels: number;
  readonly dwKernel: number;
  readonly stride: number;
  /** Reduced channels of the squeeze-excite block, or null when the block has none. */
  readonly seChannels: number | null;
  readonly ghost1: GhostModuleSpec;
  readonly ghost2: GhostModuleSpec;
  /** True when the shortcut is the identity; otherwise depthwise (dwKernel, stride) + 1x1 conv. */
  readonly identityShortcut: boolean;
}

export interface NetworkSpec {
  readonly width: number;
  readonly numClasses: number;
  readonly stemChannels: number;
  readonly blocks: readonly BottleneckSpec[];
  /** `blocks.9.0`: 1x1 ConvBnAct after the last bottleneck. */
  readonly lastStage: { readonly id: string; readonly inChannels: number; readonly outChannels: number };
  readonly headChannels: number;
}

function ghostModule(id: string, inChannels: number, outChannels: number, relu: boolean): GhostModuleSpec {
  const ratio = GHOSTNET_CONSTANTS.ghostRatio;
  const initChannels = Math.ceil(outChannels / ratio);
  return {
    id,
    inChannels,
    outChannels,
    initChannels,
    newChannels: initChannels * (ratio - 1),
    ratio,
    primaryKernel: GHOSTNET_CONSTANTS.ghostPrimaryKernel,
    cheapKernel: GHOSTNET_CONSTANTS.ghostCheapKernel,
    relu,
  };
}

/** The whole network for a width multiplier and class count. */
export function buildNetworkSpec(width: number, numClasses: number): NetworkSpec {
  if (!(width > 0) || !Number.isFinite(width)) throw new Error(`width must be a positive number, got ${width}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`class count must be a positive integer, got ${numClasses}`);
  const div = GHOSTNET_CONSTANTS.channelDivisor;
  const stemChannels = makeDivisible(GHOSTNET_CONSTANTS.stemChannels * width, div);
  let inCh = stemChannels;
  const blocks: BottleneckSpec[] = [];
  let lastExp = 0;
  GHOSTNET_STAGES.forEach((rows, stage) => {
    rows.forEach((row, index) => {
      const id = `blocks.${stage}.${index}`;
      const outCh = makeDivisible(row.c * width, div);
      const midCh = makeDivisible(row.exp * width, div);
      blocks.push({
        id,
        stage,
        index,
        inChannels: inCh,
        midChannels: midCh,
        outChannels: outCh,
        dwKernel: row.k,
        stride: row.s,
        seChannels: row.se > 0 ? makeDivisible(midCh * row.se, div) : null,
        ghost1: ghostModule(`${id}.ghost1`, inCh, midCh, true),
        ghost2: ghostModule(`${id}.ghost2`, midCh, outCh, false),
        identityShortcut: inCh === outCh && row.s === 1,
      });
      inCh = outCh;
      lastExp = row.exp;
    });
  });
  const lastOut = makeDivisible(lastExp * width, div);
  return {
    width,
    numClasses,
    stemChannels,
    blocks,
    lastStage: { id: `blocks.${GHOSTNET_STAGES.length}.0`, inChannels: inCh, outChannels: lastOut },
    headChannels: GHOSTNET_CONSTANTS.headChannels,
  };
}

/** Every Ghost module of a network in forward order. */
export function ghostModules(spec: NetworkSpec): GhostModuleSpec[] {
  return spec.blocks.flatMap((b) => [b.ghost1, b.ghost2]);
}

/** Spatial output size of a PyTorch convolution with symmetric padding k // 2. */
export function convOutputSize(inSize: number, kernel: number, stride: number): number {
  const pad = Math.floor(kernel / 2);
  return Math.floor((inSize + 2 * pad - kernel) / stride) + 1;
}

/** Spatial size (height = width) at the input of every bottleneck, of its ghost2 and after the last block. */
export function featureSizes(spec: NetworkSpec, inputSize: number): { blockIn: number[]; blockMid: number[]; final: number } {
  let size = convOutputSize(inputSize, GHOSTNET_CONSTANTS.stemKernel, GHOSTNET_CONSTANTS.stemStride);
  const blockIn: number[] = [];
  const blockMid: number[] = [];
  for (const b of spec.blocks) {
    blockIn.push(size);
    size = b.stride > 1 ? convOutputSize(size, b.dwKernel, b.stride) : size;
    blockMid.push(size);
  }
  return { blockIn, blockMid, final: size };
}

/** Where a Ghost module sits and the shape of its output for an input size. */
export function ghostModuleShape(
  spec: NetworkSpec,
  moduleId: string,
  inputSize: number,
): { module: GhostModuleSpec; block: BottleneckSpec; size: number } {
  const sizes = featureSizes(spec, inputSize);
  for (let i = 0; i < spec.blocks.length; i++) {
    const b = spec.blocks[i];
    if (b.ghost1.id === moduleId) return { module: b.ghost1, block: b, size: sizes.blockIn[i] };
    if (b.ghost2.id === moduleId) return { module: b.ghost2, block: b, size: sizes.blockMid[i] };
  }
  throw new Error(`no Ghost module "${moduleId}" in this network (expected blocks.S.B.ghost1 or ghost2, S 0-${GHOSTNET_STAGES.length - 1})`);
}
