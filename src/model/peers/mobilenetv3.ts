/** MobileNetV3-Large (Howard et al., ICCV 2019), Table 1, as data. */
import { makeDivisible, type InvertedResidualSpec, type PeerNetworkSpec } from './spec.ts';

/** k: kernel, exp: expansion channels, c: output channels, se: squeeze-excite, nl: non-linearity, s: stride. */
export const MOBILENETV3_LARGE_BLOCKS = [
  { k: 3, exp: 16, c: 16, se: false, nl: 'relu', s: 1 },
  { k: 3, exp: 64, c: 24, se: false, nl: 'relu', s: 2 },
  { k: 3, exp: 72, c: 24, se: false, nl: 'relu', s: 1 },
  { k: 5, exp: 72, c: 40, se: true, nl: 'relu', s: 2 },
  { k: 5, exp: 120, c: 40, se: true, nl: 'relu', s: 1 },
  { k: 5, exp: 120, c: 40, se: true, nl: 'relu', s: 1 },
  { k: 3, exp: 240, c: 80, se: false, nl: 'hswish', s: 2 },
  { k: 3, exp: 200, c: 80, se: false, nl: 'hswish', s: 1 },
  { k: 3, exp: 184, c: 80, se: false, nl: 'hswish', s: 1 },
  { k: 3, exp: 184, c: 80, se: false, nl: 'hswish', s: 1 },
  { k: 3, exp: 480, c: 112, se: true, nl: 'hswish', s: 1 },
  { k: 3, exp: 672, c: 112, se: true, nl: 'hswish', s: 1 },
  { k: 5, exp: 672, c: 160, se: true, nl: 'hswish', s: 2 },
  { k: 5, exp: 960, c: 160, se: true, nl: 'hswish', s: 1 },
  { k: 5, exp: 960, c: 160, se: true, nl: 'hswish', s: 1 },
] as const;

export const MOBILENETV3_LARGE_CONSTANTS = { stemChannels: 16, lastChannels: 960, headChannels: 1280, seDivisor: 4 } as const;

export function buildMobileNetV3LargeSpec(width = 1, numClasses = 1000): PeerNetworkSpec {
  const C = MOBILENETV3_LARGE_CONSTANTS;
  let inCh = makeDivisible(C.stemChannels * width);
  const stemChannels = inCh;
  const blocks: InvertedResidualSpec[] = MOBILENETV3_LARGE_BLOCKS.map((row, i) => {
    const exp = makeDivisible(row.exp * width);
    const out = makeDivisible(row.c * width);
    const block: InvertedResidualSpec = {
      id: `features.${i + 1}`,
      inChannels: inCh,
      expandChannels: exp,
      outChannels: out,
      kernel: row.k,
      stride: row.s,
      activation: row.nl,
      seChannels: row.se ? makeDivisible(Math.floor(exp / C.seDivisor)) : null,
      residual: row.s === 1 && inCh === out,
    };
    inCh = out;
    return block;
  });
  return {
    name: `MobileNetV3-Large ${width.toFixed(1)}`,
    numClasses,
    stem: { channels: stemChannels, activation: 'hswish' },
    blocks,
    lastConv: { channels: makeDivisible(C.lastChannels * width), activation: 'hswish' },
    head: { channels: C.headChannels, activation: 'hswish' },
  };
}
