/** The results in the paper's form (configuration, parameters, multiply-adds, test accuracy, time), with CSV / JSON export. */
import { formatCount } from '../explain/format.ts';
import { SETTINGS } from '../settings.ts';
import { useMediaQuery } from '../useMediaQuery.ts';
import { exportResults, finishedRuns } from './labActions.ts';
import { useLab } from './labState.ts';
import { configLabel, resultRows } from './results.ts';

const pct = (a: number) => `${(a * 100).toFixed(1)}%`;

export function LabResults() {
  const narrow = useMediaQuery(SETTINGS.layout.narrowQuery);
  useLab((s) => s.runs);
  const runs = finishedRuns();
  const rows = resultRows(runs);
  const vanillaOf = (r: (typeof rows)[number]) => rows.find((v) => v.config === 'vanilla' && v.width === r.width && v.trainImages === r.trainImages && v.epochs === r.epochs);
  return (
    <section className="lab-box lab-results" aria-labelledby="lab-results-heading">
      <h2 id="lab-results-heading">Results</h2>
      {/* Wide screens: the table may scroll sideways, so its wrapper takes focus (keyboard scrolling); phones show cards. */}
      <div className="lab-table-wrap" tabIndex={narrow ? undefined : 0} role="region" aria-label="Results table">
        <table className="lab-table" aria-describedby="lab-table-note" data-testid="lab-results" data-rows={rows.length} data-runs={runs.length}>
          <thead>
            <tr>
              <th scope="col">Configuration</th>
              <th scope="col">Parameters</th>
              <th scope="col">Multiply-adds</th>
              <th scope="col">Test accuracy</th>
              <th scope="col">Seeds</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr><td colSpan={6} className="hint">Finished runs appear here.</td></tr>
            )}
            {rows.map((r) => {
              const v = vanillaOf(r);
              const ratio = v && v !== r ? ` (${(r.multiplyAdds / v.multiplyAdds).toFixed(2)}x)` : '';
              return (
                <tr key={r.key} data-testid="lab-result-row" data-config={r.config} data-params={r.params} data-multiply-adds={r.multiplyAdds}
                  data-accuracy={r.meanAccuracy ?? ''} data-seeds={r.accuracies.length}>
                  <th scope="row">
                    {configLabel(r.config)}
                    <span className="lab-config-detail">width {r.width}x · {r.trainImages.toLocaleString('en')} images · {r.epochs} epoch{r.epochs === 1 ? '' : 's'}</span>
                  </th>
                  <td data-label="Parameters" title={r.params.toLocaleString('en')}>{formatCount(r.params)}</td>
                  <td data-label="Multiply-adds" title={r.multiplyAdds.toLocaleString('en')}><span className="lab-nowrap">{formatCount(r.multiplyAdds)}</span>{ratio}</td>
                  <td data-label="Test accuracy">{r.meanAccuracy === null ? '–' : pct(r.meanAccuracy)}{r.spread !== null && ` ± ${(r.spread * 100).toFixed(1)}`}</td>
                  <td data-label="Seeds" title={r.runs.map((x) => `seed ${x.seed}${x.stopped ? ' (stopped)' : ''}`).join(', ')}>{r.accuracies.length}{r.runs.length > r.accuracies.length ? ` (+${r.runs.length - r.accuracies.length} stopped)` : ''}</td>
                  <td data-label="Time">{r.meanSeconds < 100 ? r.meanSeconds.toFixed(1) : Math.round(r.meanSeconds)} s</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint lab-table-note" id="lab-table-note">
        Test accuracy after the last epoch on the 2,000 test images (mean ± standard deviation over seeds where there are several);
        multiply-adds per 32 x 32 image, with their share of the ordinary network's; time: training seconds per run. A stopped run
        counts for time only.
      </p>
      <div className="lab-actions">
        <button type="button" data-testid="lab-export-csv" disabled={runs.length === 0} onClick={() => exportResults('csv')}>Export CSV</button>
        <button type="button" data-testid="lab-export-json" disabled={runs.length === 0} onClick={() => exportResults('json')}>Export JSON</button>
      </div>
    </section>
  );
}
