/** Number formatting for the "Why it's cheap" views: exact integers with separators, millions, ratios. */
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInteger(n: number): string {
  return INTEGER.format(n);
}

/** 141_153_000 -> "141.15 M"; small counts stay exact. */
export function formatCount(n: number): string {
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return formatInteger(n);
}

export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}
