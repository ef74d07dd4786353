/**
 * The paper's Figure 1, measured: among the maps of one layer, which map does a cheap d x d
 * filter of another map reproduce best? For every ordered pair (source i, target j), i != j, the
 * least-squares filter w (d x d) and bias b of
 *
 *   Y_j ~ conv2d(Y_i, w, zero "same" padding, cross-correlation as PyTorch) + b
 *
 * over all H x W pixels, solved exactly in float64, and R^2 = 1 - SS_res / SS_tot.
 *
 * How (pure arithmetic, no TF.js, no DOM; shared by the CLI and the browser's worker):
 * - The d*d + 1 normal equations are solved in their centred form: the bias is eliminated
 *   (Schur complement), leaving the d*d x d*d covariance of the source's shifted copies, Sigma,
 *   and the covariances b of those copies with the centred target. At the optimum
 *   SS_res = SS_tot - b' Sigma^-1 b, and b' Sigma^-1 b = |L^-1 b|^2 with Sigma = L L'.
 * - Sigma depends on the source alone: it is factored once per source and shared by all targets.
 *   The cross terms of every target come from one pass over the pixels per source, which skips
 *   the source's zeros (ReLU maps are sparse). One pass serves every d requested: the offsets of
 *   a smaller window are a subset of the largest one's.
 * - Precision: targets are centred before the cross terms (so no large sums cancel there); the
 *   source's Gram matrix is built from the source minus its mean, with the padding at minus the
 *   mean, which spans the same space together with the bias column (exact algebra).
 * - A constant target (SS_tot = 0, e.g. a dead ReLU map) has nothing to explain: reported as
 *   constant and skipped. A rank-deficient source (a constant map, or shifted copies that are
 *   linearly dependent, e.g. zero columns near the border) is handled by dropping each shifted
 *   copy whose Cholesky pivot shows it is (numerically) a combination of the copies before it, or
 *   constant: its weight is 0, and the residual is still the least-squares one. Such sources are
 *   reported with their rank; a map of zeros explains nothing (R^2 = 0). Nothing becomes NaN.
 */

/** The maps of one layer for one image: HWC float32, batch dropped. */
export interface LayerMapsData {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The cheap operations tried: d x d depthwise filters (d = 1 is an affine map, scale and shift). */
export const FIT_KERNELS = [1, 3, 5] as const;
export type FitKernel = (typeof FIT_KERNELS)[number];

/** R^2 levels the summary counts. */
export const FIT_THRESHOLDS = [0.9, 0.8] as const;

export function isFitKernel(d: number): d is FitKernel {
  return (FIT_KERNELS as readonly number[]).includes(d);
}

/** A target map with one value everywhere: no source needed, nothing to fit. */
export interface ConstantTarget {
  readonly target: number;
  readonly constant: true;
  readonly value: number;
}

/** A target map's best source and the fitted cheap operation that turns the source into it. */
export interface FittedTarget {
  readonly target: number;
  readonly constant: false;
  readonly source: number;
  readonly r2: number;
  /** d x d weights, row-major, as PyTorch's depthwise weight[c, 0] (cross-correlation). */
  readonly filter: Float64Array;
  readonly bias: number;
}

export type TargetFit = ConstantTarget | FittedTarget;

export interface FitSummary {
  /** Maps in the layer. */
  readonly maps: number;
  /** Constant maps (skipped as targets). */
  readonly constant: number;
  /** Non-constant maps, each fitted from its best source. */
  readonly fitted: number;
  /** Fitted maps whose best source reaches R^2 >= 0.9, and >= 0.8. */
  readonly atLeast90: number;
  readonly atLeast80: number;
}

export interface KernelFit {
  readonly d: FitKernel;
  /** One per map, in channel order. */
  readonly targets: readonly TargetFit[];
  /** Sources whose d x d shifted copies (centred) span fewer than d*d dimensions, with that rank. */
  readonly rankDeficient: readonly { readonly source: number; readonly rank: number }[];
  readonly summary: FitSummary;
  /**
   * Only with `keepPairs`: R^2 of every pair at [target * channels + source]; -1 where undefined
   * (source = target, or a constant target).
   */
  readonly pairs: Float64Array | null;
}

export interface LayerFit {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Maps with one value everywhere (as targets they are skipped, as sources they explain nothing). */
  readonly constantMaps: readonly number[];
  /** One per d, in the order asked for. */
  readonly fits: readonly KernelFit[];
}

export interface FitOptions {
  /** Called after each source with the fraction done (0..1]. */
  readonly onProgress?: (fraction: number) => void;
  /** Keep every pair's R^2 (C x C per d), for tests and analysis. */
  readonly keepPairs?: boolean;
}

/**
 * A shifted copy whose remaining Cholesky pivot is at most this fraction of its own variance is
 * (to float64 precision of the normal equations) a combination of the copies before it: dropped.
 */
const PIVOT_TOLERANCE = 1e-10;
/** Targets whose cross terms are summed together (K * TARGET_BLOCK doubles stay in L1/L2). */
const TARGET_BLOCK = 128;
/**
 * A shifted copy whose variance (sum of squared deviations) is at most this fraction of its sum of
 * squares is constant up to rounding (the subtraction that gives the variance cancels).
 */
const VARIANCE_TOLERANCE = 1e-10;

/** Channel statistics: mean, sum of squared deviations (two passes) and whether the map is constant. */
function channelStats(stack: LayerMapsData): { mean: Float64Array; ssTot: Float64Array; constant: Uint8Array } {
  const { data, channels: C } = stack;
  const P = stack.height * stack.width;
  const mean = new Float64Array(C);
  const ssTot = new Float64Array(C);
  const constant = new Uint8Array(C).fill(1);
  for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) mean[c] += data[p * C + c];
  for (let c = 0; c < C; c++) mean[c] /= P;
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < C; c++) {
      const v = data[p * C + c];
      const e = v - mean[c];
      ssTot[c] += e * e;
      if (v !== data[c]) constant[c] = 0;
    }
  }
  for (let c = 0; c < C; c++) if (constant[c]) ssTot[c] = 0;
  return { mean, ssTot, constant };
}

/**
 * Cholesky factor of the n x n symmetric `a` (row-major) into `l`, dropping numerically dependent
 * columns (kept[k] = 0, row and column k of L zero). Returns the rank.
 */
function choleskyDropping(a: Float64Array, n: number, secondMoment: Float64Array, l: Float64Array, kept: Uint8Array): number {
  l.fill(0, 0, n * n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const variance = a[k * n + k];
    let pivot = variance;
    for (let m = 0; m < k; m++) pivot -= l[k * n + m] * l[k * n + m];
    // A variance at the rounding level of the sum it came from is a constant copy (e.g. all padding).
    if (!(variance > VARIANCE_TOLERANCE * secondMoment[k]) || !(pivot > PIVOT_TOLERANCE * variance)) {
      kept[k] = 0;
      continue;
    }
    kept[k] = 1;
    rank++;
    const diag = Math.sqrt(pivot);
    l[k * n + k] = diag;
    for (let r = k + 1; r < n; r++) {
      let s = a[r * n + k];
      for (let m = 0; m < k; m++) s -= l[r * n + m] * l[k * n + m];
      l[r * n + k] = s / diag;
    }
  }
  return rank;
}

/**
 * Solve L Z = B for all targets at once, in place: `zs` holds n rows of `C` right-hand sides
 * (one column per target); rows of dropped columns become 0. The inner loop runs over targets.
 */
function forwardSolveAll(l: Float64Array, n: number, kept: Uint8Array, zs: Float64Array, C: number): void {
  for (let k = 0; k < n; k++) {
    const row = k * C;
    if (!kept[k]) {
      zs.fill(0, row, row + C);
      continue;
    }
    for (let m = 0; m < k; m++) {
      const f = l[k * n + m];
      if (f === 0) continue;
      const other = m * C;
      for (let j = 0; j < C; j++) zs[row + j] -= f * zs[other + j];
    }
    const inv = 1 / l[k * n + k];
    for (let j = 0; j < C; j++) zs[row + j] *= inv;
  }
}

/** Solve L' w = z over the kept columns (w[k] = 0 for dropped ones). */
function backSolve(l: Float64Array, n: number, kept: Uint8Array, z: Float64Array, w: Float64Array): void {
  for (let k = n - 1; k >= 0; k--) {
    if (!kept[k]) {
      w[k] = 0;
      continue;
    }
    let s = z[k];
    for (let r = k + 1; r < n; r++) s -= l[r * n + k] * w[r];
    w[k] = s / l[k * n + k];
  }
}

/** Per-d work buffers and results. */
interface KernelState {
  readonly d: FitKernel;
  readonly n: number;
  /** Index of each of this window's offsets among the largest window's. */
  readonly index: Int32Array;
  readonly sigma: Float64Array;
  /** Each copy's sum of squares (of the mean-shifted source): the scale its variance is computed at. */
  readonly moment: Float64Array;
  readonly l: Float64Array;
  readonly kept: Uint8Array;
  /** n rows of C: the centred cross terms of every target, then L^-1 of them. */
  readonly zs: Float64Array;
  readonly z: Float64Array;
  readonly bestR2: Float64Array;
  readonly bestSource: Int32Array;
  readonly bestFilter: Float64Array;
  readonly bestBias: Float64Array;
  readonly rankDeficient: { source: number; rank: number }[];
  readonly pairs: Float64Array | null;
}

/**
 * Fit every ordered pair of maps of a layer with d x d filters for each d in `kernels`, and
 * keep each target's best source. Synchronous; `onProgress` reports after each source.
 */
export function fitGhosts(stack: LayerMapsData, kernels: readonly FitKernel[] = FIT_KERNELS, options: FitOptions = {}): LayerFit {
  const { data, height: H, width: W, channels: C } = stack;
  const P = H * W;
  if (!(C >= 2)) throw new Error(`a ghost fit needs at least two maps, this layer has ${C}`);
  if (!(P >= 1) || data.length !== P * C) throw new Error(`the maps hold ${data.length} values, not ${H} x ${W} x ${C}`);
  if (kernels.length === 0 || !kernels.every(isFitKernel)) throw new Error(`filter sizes must be among ${FIT_KERNELS.join(', ')}, got ${kernels.join(', ')}`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new Error('the maps contain a value that is not finite');

  const D = Math.max(...kernels);
  const R = (D - 1) / 2;
  const K = D * D;
  const Wp = W + 2 * R;
  const Hp = H + 2 * R;
  const offsets = new Int32Array(K);
  for (let u = 0; u < D; u++) for (let v = 0; v < D; v++) offsets[u * D + v] = (u - R) * Wp + (v - R);

  const { mean, ssTot, constant } = channelStats(stack);
  // Centred targets, float64: the cross terms are then covariances without cancellation.
  const centred = new Float64Array(P * C);
  for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) centred[p * C + c] = data[p * C + c] - mean[c];

  const states: KernelState[] = kernels.map((d) => {
    const n = d * d;
    const r = (d - 1) / 2;
    const index = new Int32Array(n);
    for (let u = 0; u < d; u++) for (let v = 0; v < d; v++) index[u * d + v] = (u + R - r) * D + (v + R - r);
    return {
      d, n, index,
      sigma: new Float64Array(n * n), moment: new Float64Array(n), l: new Float64Array(n * n), kept: new Uint8Array(n),
      zs: new Float64Array(n * C), z: new Float64Array(n),
      bestR2: new Float64Array(C).fill(-1), bestSource: new Int32Array(C).fill(-1),
      bestFilter: new Float64Array(C * n), bestBias: new Float64Array(C),
      rankDeficient: [],
      pairs: options.keepPairs ? new Float64Array(C * C).fill(-1) : null,
    };
  });

  const raw = new Float64Array(Hp * Wp); // the source, zero-padded
  const shifted = new Float64Array(Hp * Wp); // the source minus its mean, padded with minus the mean
  const values = new Float64Array(K);
  const gram = new Float64Array(K * K);
  const sums = new Float64Array(K);
  const cross = new Float64Array(K * C);
  const explained = new Float64Array(C);
  const w = new Float64Array(K);

  for (let i = 0; i < C; i++) {
    raw.fill(0);
    shifted.fill(-mean[i]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = data[(y * W + x) * C + i];
        raw[(y + R) * Wp + x + R] = v;
        shifted[(y + R) * Wp + x + R] = v - mean[i];
      }
    }
    gram.fill(0);
    sums.fill(0);
    cross.fill(0);
    // Gram matrix and sums of the mean-shifted copies (upper triangle).
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const at = (y + R) * Wp + x + R;
        for (let k = 0; k < K; k++) values[k] = shifted[at + offsets[k]];
        for (let k = 0; k < K; k++) {
          const a = values[k];
          sums[k] += a;
          if (a === 0) continue;
          const row = k * K;
          for (let m = k; m < K; m++) gram[row + m] += a * values[m];
        }
      }
    }
    // Cross terms with every centred target, from the raw copies (zeros skipped), a block of
    // targets at a time so that their sums stay in the fastest cache.
    for (let j0 = 0; j0 < C; j0 += TARGET_BLOCK) {
      const j1 = Math.min(C, j0 + TARGET_BLOCK);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const at = (y + R) * Wp + x + R;
          const p = (y * W + x) * C;
          for (let k = 0; k < K; k++) {
            const a = raw[at + offsets[k]];
            if (a === 0) continue;
            const row = k * C - p;
            for (let j = p + j0, end = p + j1; j < end; j++) cross[row + j] += a * centred[j];
          }
        }
      }
    }

    for (const s of states) {
      const { n, index, sigma, moment, l, kept, zs, z } = s;
      for (let r = 0; r < n; r++) {
        const kr = index[r];
        moment[r] = gram[kr * K + kr];
        for (let c = r; c < n; c++) {
          const kc = index[c];
          const g = kr <= kc ? gram[kr * K + kc] : gram[kc * K + kr];
          const v = g - (sums[kr] * sums[kc]) / P;
          sigma[r * n + c] = v;
          sigma[c * n + r] = v;
        }
      }
      const rank = choleskyDropping(sigma, n, moment, l, kept);
      if (rank < n) s.rankDeficient.push({ source: i, rank });
      // b' Sigma^+ b = |L^-1 b|^2 for every target at once.
      explained.fill(0);
      if (rank > 0) {
        for (let r = 0; r < n; r++) zs.set(cross.subarray(index[r] * C, (index[r] + 1) * C), r * C);
        forwardSolveAll(l, n, kept, zs, C);
        for (let r = 0; r < n; r++) {
          const row = r * C;
          for (let j = 0; j < C; j++) explained[j] += zs[row + j] * zs[row + j];
        }
      }
      for (let j = 0; j < C; j++) {
        if (j === i || constant[j]) continue;
        const r2 = Math.min(1, Math.max(0, 1 - Math.max(0, ssTot[j] - explained[j]) / ssTot[j]));
        if (s.pairs) s.pairs[j * C + i] = r2;
        if (r2 > s.bestR2[j]) {
          s.bestR2[j] = r2;
          s.bestSource[j] = i;
          if (rank > 0) {
            for (let r = 0; r < n; r++) z[r] = zs[r * C + j];
            backSolve(l, n, kept, z, w);
          } else w.fill(0, 0, n);
          // Bias in the original coordinates: mean(target) - sum_k w_k mean(shifted copy k of the source).
          let bias = mean[j];
          for (let r = 0; r < n; r++) {
            s.bestFilter[j * n + r] = w[r];
            bias -= (w[r] * (sums[index[r]] / P + mean[i]));
          }
          s.bestBias[j] = bias;
        }
      }
    }
    options.onProgress?.((i + 1) / C);
  }

  const constantMaps: number[] = [];
  for (let c = 0; c < C; c++) if (constant[c]) constantMaps.push(c);
  return {
    height: H, width: W, channels: C, constantMaps,
    fits: states.map((s): KernelFit => {
      const targets: TargetFit[] = [];
      let atLeast90 = 0;
      let atLeast80 = 0;
      for (let j = 0; j < C; j++) {
        if (constant[j]) {
          targets.push({ target: j, constant: true, value: data[j] });
          continue;
        }
        const r2 = s.bestR2[j];
        if (r2 >= FIT_THRESHOLDS[0]) atLeast90++;
        if (r2 >= FIT_THRESHOLDS[1]) atLeast80++;
        targets.push({ target: j, constant: false, source: s.bestSource[j], r2, filter: s.bestFilter.slice(j * s.n, (j + 1) * s.n), bias: s.bestBias[j] });
      }
      return {
        d: s.d, targets, rankDeficient: s.rankDeficient, pairs: s.pairs,
        summary: { maps: C, constant: constantMaps.length, fitted: C - constantMaps.length, atLeast90, atLeast80 },
      };
    }),
  };
}

/** conv2d(source map, filter, zero "same" padding, cross-correlation) + bias: what a fit predicts. */
export function reconstruct(stack: LayerMapsData, source: number, filter: ArrayLike<number>, bias: number): Float32Array {
  const { data, height: H, width: W, channels: C } = stack;
  const d = Math.round(Math.sqrt(filter.length));
  if (d * d !== filter.length || d % 2 !== 1) throw new Error(`a filter of ${filter.length} weights is not an odd square`);
  const r = (d - 1) / 2;
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = bias;
      for (let u = 0; u < d; u++) {
        const yy = y + u - r;
        if (yy < 0 || yy >= H) continue;
        for (let v = 0; v < d; v++) {
          const xx = x + v - r;
          if (xx < 0 || xx >= W) continue;
          s += filter[u * d + v] * data[(yy * W + xx) * C + source];
        }
      }
      out[y * W + x] = s;
    }
  }
  return out;
}

/** The k best (source, target) pairs of a fit, best first, no map in two pairs (Figure 1's boxes). */
export function disjointBestPairs(fit: KernelFit, k: number): FittedTarget[] {
  const ranked = fit.targets.filter((t): t is FittedTarget => !t.constant).sort((a, b) => b.r2 - a.r2 || a.target - b.target);
  const used = new Set<number>();
  const out: FittedTarget[] = [];
  for (const t of ranked) {
    if (out.length >= k) break;
    if (used.has(t.target) || used.has(t.source)) continue;
    used.add(t.target);
    used.add(t.source);
    out.push(t);
  }
  return out;
}
