/** Every pair with both similarities, most similar first; a row selects its pair. */
import type { PairSimilarity } from '../../model/index.ts';
import { METRIC_LABEL, type Metric } from './ranking.ts';

interface Props {
  readonly ranked: readonly PairSimilarity[];
  readonly metric: Metric;
  readonly boxColours: ReadonlyMap<number, string>;
  readonly selectedGhost: number | null;
  readonly onSelect: (ghost: number) => void;
}

export function PairList({ ranked, metric, boxColours, selectedGhost, onSelect }: Props) {
  return (
    <div className="pair-list" data-testid="pair-list">
      <table>
        <caption>Pairs by {METRIC_LABEL[metric]}, most similar first</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Pair (intrinsic → ghost)</th>
            <th scope="col">Cosine</th>
            <th scope="col">Pearson</th>
          </tr>
        </thead>
        <tbody>
          {ranked.map((p, rank) => {
            const colour = boxColours.get(p.ghost);
            return (
              <tr key={p.ghost} data-testid="pair-row" data-ghost={p.ghost} data-intrinsic={p.intrinsic} data-cosine={p.cosine} data-pearson={p.pearson}>
                <td>{rank + 1}</td>
                <td>
                  <button type="button" aria-pressed={selectedGhost === p.ghost} onClick={() => onSelect(p.ghost)}>
                    {colour && (
                      <>
                        <span className="box-swatch" style={{ borderColor: colour }} aria-hidden="true" />
                        <span className="visually-hidden">boxed in the grid: </span>
                      </>
                    )}
                    {p.intrinsic} → {p.ghost}
                  </button>
                </td>
                <td>{p.cosine.toFixed(4)}</td>
                <td>{p.pearson.toFixed(4)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
