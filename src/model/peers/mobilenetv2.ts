/** MobileNetV2 (Sandler et al., CVPR 2018), Table 2, as data. */
import { makeDivisible, type InvertedResidualSpec, type PeerNetworkSpec } from './spec.ts';

/** t: expansion factor, c: output channels, n: repeats, s: stride of the first repeat. */
export const MOBILENETV2_STAGES = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: 6, c: 24, n: 2, s: 2 },
  { t: 6, c: 32, n: 3, s: 2 },
  { t: 6, c: 64, n: 4, s: 2 },
  { t: 6, c: 96, n: 3, s: 1 },
  { t: 6, c: 160, n: 3, s: 2 },
  { t: 6, c: 320, n: 1, s: 1 },
] as const;

export const MOBILENETV2_CONSTANTS = { stemChannels: 32, lastChannels: 1280, kernel: 3 } as const;

export function buildMobileNetV2Spec(width = 1, numClasses = 1000): PeerNetworkSpec {
  let inCh = makeDivisible(MOBILENETV2_CONSTANTS.stemChannels * width);
  const stemChannels = inCh;
  const blocks: InvertedResidualSpec[] = [];
  MOBILENETV2_STAGES.forEach((row, stage) => {
    const outCh = makeDivisible(row.c * width);
    for (let i = 0; i < row.n; i++) {
      const stride = i === 0 ? row.s : 1;
      blocks.push({
        id: `features.${stage}.${i}`,
        inChannels: inCh,
        expandChannels: inCh * row.t,
        outChannels: outCh,
        kernel: MOBILENETV2_CONSTANTS.kernel,
        stride,
        activation: 'relu6',
        seChannels: null,
        residual: stride === 1 && inCh === outCh,
      });
      inCh = outCh;
    }
  });
  return {
    name: `MobileNetV2 ${width.toFixed(1)}`,
    numClasses,
    stem: { channels: stemChannels, activation: 'relu6' },
    blocks,
    lastConv: { channels: makeDivisible(MOBILENETV2_CONSTANTS.lastChannels * Math.max(1, width)), activation: 'relu6' },
    head: null,
  };
}
