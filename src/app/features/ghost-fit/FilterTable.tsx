/** A fitted d x d filter as a small heat map with its numbers: blue for positive, red for negative weights. */
import { interpolateRdBu } from 'd3-scale-chromatic';
import { parseCssColor } from '../../../viz/colormap.ts';

/** Relative luminance (WCAG) of an sRGB colour. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white text, whichever contrasts more with the background. */
function textOn(background: string): string {
  const l = luminance(parseCssColor(background));
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

export function FilterTable({ filter, d, bias }: { filter: ArrayLike<number>; d: number; bias: number }) {
  let scale = 0;
  for (let k = 0; k < filter.length; k++) scale = Math.max(scale, Math.abs(filter[k]));
  const rows = Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => filter[r * d + c]));
  return (
    <figure className="ghost-fit-filter">
      <table data-testid="ghost-fit-filter" data-values={JSON.stringify(Array.from(filter))} data-bias={bias}>
        <caption>Fitted {d} × {d} filter</caption>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((w, c) => {
                // RdBu runs red (0) -> white (0.5) -> blue (1).
                const background = interpolateRdBu(scale > 0 ? 0.5 + (0.5 * w) / scale : 0.5);
                return (
                  <td key={c} style={{ background, color: textOn(background) }} title={String(w)}>
                    {formatWeight(w)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <figcaption data-testid="ghost-fit-bias">bias {formatWeight(bias)}</figcaption>
    </figure>
  );
}

export function formatWeight(w: number): string {
  if (w === 0) return '0';
  return Math.abs(w) >= 0.01 && Math.abs(w) < 1000 ? w.toFixed(3) : w.toExponential(1);
}
