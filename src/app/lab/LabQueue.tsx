/** The runs: queued ones (removable), the running one (live figures, stop), finished ones (use the network). */
import { forgetRun, stopRun, useRunNetwork } from './labActions.ts';
import { useLab, type LabRun } from './labState.ts';
import { runName, SERIES } from './LabChart.tsx';
import { useApp } from '../store.ts';

/** Finished runs listed here (all of them are in the results table). */
const SHOWN_FINISHED = 10;

const seconds = (s: number) => (s < 100 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

function RunFigures({ run }: { run: LabRun }) {
  const last = run.epochs[run.epochs.length - 1];
  if (!last && !run.batch) return null;
  return (
    <p className="lab-figures">
      {run.batch && run.status === 'running' && (
        <span data-testid="lab-run-progress" data-epoch={run.batch.epoch} data-batch={run.batch.batch}>
          epoch {run.batch.epoch} of {run.epochsPlanned}, batch {run.batch.batch} of {run.batch.batches}
        </span>
      )}
      {last && (
        <>
          <span data-testid="lab-run-speed" data-images-per-second={last.imagesPerSecond}>{Math.round(last.imagesPerSecond)} images/s</span>
          <span data-testid="lab-run-epoch-time" data-seconds={last.seconds}>{seconds(last.seconds)} per epoch</span>
          <span>loss {last.loss.toFixed(3)}</span>
          <span data-testid="lab-run-accuracy" data-value={last.testAccuracy}>test {(last.testAccuracy * 100).toFixed(1)}%</span>
        </>
      )}
    </p>
  );
}

function RunItem({ run, index }: { run: LabRun; index: number }) {
  const using = useApp((s) => s.modelId === `lab-${run.id}`);
  const finished = run.status === 'done' || run.status === 'stopped';
  const statusText = {
    queued: 'queued', running: 'training…', done: `${run.epochs.length} epochs`, failed: 'failed',
    stopped: `stopped after ${run.epochs.length} of ${run.epochsPlanned} epochs`,
  }[run.status];
  return (
    <li className={`lab-run-item ${run.status}`} data-testid="lab-run-item" data-run-id={run.id} data-status={run.status} data-config={run.config}
      data-epochs={run.epochs.length} data-has-network={run.hasNetwork}
      data-tensors-before={run.tensors?.before} data-tensors-after={run.tensors?.after}>
      <div className="lab-run-head">
        <span className={`lab-swatch lab-series lab-series-${index % SERIES}${run.config === 'vanilla' ? ' vanilla' : ''}`} aria-hidden="true" />
        <strong>{runName(run)}</strong>
        <span className="lab-run-meta">{run.trainImages.toLocaleString('en')} images · {run.epochsPlanned} epoch{run.epochsPlanned === 1 ? '' : 's'}{run.backend ? ` · ${run.backend}` : ''}</span>
        <span className="lab-run-status" data-testid="lab-run-status">{statusText}</span>
      </div>
      <RunFigures run={run} />
      {run.error && <p className="lab-problem">{run.error}</p>}
      <div className="lab-actions">
        {run.status === 'running' && <button type="button" data-testid="lab-stop" onClick={() => stopRun(run.id)}>Stop</button>}
        {run.status === 'queued' && <button type="button" data-testid="lab-remove" onClick={() => stopRun(run.id)}>Remove from queue</button>}
        {finished && run.hasNetwork && (
          <>
            <button type="button" data-testid="lab-use-classify" aria-pressed={using} onClick={() => void useRunNetwork(run.id, 'classify')}>Use for Classify</button>
            <button type="button" data-testid="lab-open-features" onClick={() => void useRunNetwork(run.id, 'features')}>Open in Feature maps</button>
          </>
        )}
        {(finished || run.status === 'failed') && <button type="button" data-testid="lab-forget" onClick={() => void forgetRun(run.id)}>Forget</button>}
      </div>
    </li>
  );
}

export function LabQueue() {
  const runs = useLab((s) => s.runs);
  const active = runs.filter((r) => r.status === 'queued' || r.status === 'running');
  const finished = runs.filter((r) => r.status !== 'queued' && r.status !== 'running');
  const shown = finished.slice(-SHOWN_FINISHED).reverse();
  return (
    <section className="lab-box lab-queue" aria-labelledby="lab-queue-heading" data-testid="lab-queue" data-queued={active.length}>
      <h2 id="lab-queue-heading">Runs</h2>
      {runs.length === 0 && <p className="hint">No run yet: queue one above. Runs train one after another in the background; the other tabs keep working.</p>}
      <ol className="lab-runs">
        {[...active, ...shown].map((r) => <RunItem key={r.id} run={r} index={runs.indexOf(r)} />)}
      </ol>
      {finished.length > shown.length && <p className="hint">{finished.length - shown.length} older runs are in the results table.</p>}
    </section>
  );
}
