/** Ordering and picking pairs by similarity: what the grid, the list and the boxes agree on. */
import { schemeTableau10 } from 'd3-scale-chromatic';
import type { PairSimilarity } from '../../model/index.ts';

export type Metric = 'cosine' | 'pearson';

export const METRIC_LABEL: Record<Metric, string> = { cosine: 'cosine similarity', pearson: 'Pearson correlation' };

/** Box colours of the k most similar pairs, most similar first (as many as k may be). */
export const BOX_COLOURS: readonly string[] = schemeTableau10;

/** Pairs from most to least similar; ties keep channel order. */
export function rankPairs(pairs: readonly PairSimilarity[], metric: Metric): PairSimilarity[] {
  return [...pairs].sort((a, b) => b[metric] - a[metric] || a.ghost - b.ghost);
}

/**
 * Grid order of the intrinsic maps: channel order, or by the best similarity among each
 * intrinsic map's ghosts (with ratio 2 that is simply its one pair).
 */
export function cellOrder(pairs: readonly PairSimilarity[], cells: number, metric: Metric, sorted: boolean): number[] {
  const order = Array.from({ length: cells }, (_, i) => i);
  if (!sorted) return order;
  const best = new Float64Array(cells).fill(-Infinity);
  for (const p of pairs) best[p.intrinsic] = Math.max(best[p.intrinsic], p[metric]);
  return order.sort((a, b) => best[b] - best[a] || a - b);
}

export function meanOf(pairs: readonly PairSimilarity[], metric: Metric): number {
  return pairs.length ? pairs.reduce((s, p) => s + p[metric], 0) / pairs.length : 0;
}
