/** How alike an intrinsic map and its ghost are: the numbers the Figure 1 view sorts by. */

export interface PairSimilarity {
  /** Ghost map index j (0-based) within the cheap operation's output. */
  readonly ghost: number;
  /** The intrinsic map it is computed from: floor(j / (s - 1)). */
  readonly intrinsic: number;
  readonly cosine: number;
  readonly pearson: number;
}

/** Index of the intrinsic map that ghost map j is made from, for ratio s. */
export function intrinsicOf(ghostIndex: number, ratio: number): number {
  return Math.floor(ghostIndex / (ratio - 1));
}

/**
 * Cosine similarity and Pearson correlation of two channels of HWC arrays. A constant map has
 * no defined correlation; it gets 0 (and cosine 0 when a map is all zeros).
 */
export function channelSimilarity(
  a: Float32Array, aChannels: number, aIndex: number,
  b: Float32Array, bChannels: number, bIndex: number,
): { cosine: number; pearson: number } {
  const n = a.length / aChannels;
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let p = 0; p < n; p++) {
    const x = a[p * aChannels + aIndex];
    const y = b[p * bChannels + bIndex];
    sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  const cosDen = Math.sqrt(saa * sbb);
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  const corDen = Math.sqrt(Math.max(va, 0) * Math.max(vb, 0));
  return {
    cosine: cosDen > 0 ? sab / cosDen : 0,
    pearson: corDen > 1e-12 * Math.max(1, saa, sbb) ? cov / corDen : 0,
  };
}

/** Similarity of every ghost map with its intrinsic map (HWC layouts, batch dropped). */
export function pairSimilarities(
  intrinsic: Float32Array, intrinsicChannels: number,
  ghost: Float32Array, ghostChannels: number,
  ratio: number,
): PairSimilarity[] {
  return Array.from({ length: ghostChannels }, (_, j) => {
    const i = intrinsicOf(j, ratio);
    return { ghost: j, intrinsic: i, ...channelSimilarity(intrinsic, intrinsicChannels, i, ghost, ghostChannels, j) };
  });
}
