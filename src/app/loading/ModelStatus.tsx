/**
 * The model's state in the header: `model-status` (a polite live region that only names the
 * stage) and, while a model gets ready, a progress bar over the whole load (the download's bytes,
 * then each stage, then the warm-up's steps: WebGL shader compilation or the first inference), with
 * the stage's own amount beside it.
 */
import { useApp } from '../store.ts';
import { loadFraction, stageAmount, stageLabel } from './stages.ts';
import './loading.css';

export function ModelStatus() {
  const modelStatus = useApp((s) => s.modelStatus);
  const progress = useApp((s) => s.modelProgress);
  const backend = useApp((s) => s.backend?.name);
  const loading = modelStatus === 'loading';
  const label = loading && progress ? stageLabel(progress, backend) : '';
  const amount = loading && progress ? stageAmount(progress) : '';
  return (
    <span className="model-loading">
      <span className="model-status" role="status" data-testid="model-status" data-status={modelStatus}>
        {loading ? `${label || 'Loading the model'}…` : ''}
      </span>
      {loading && progress && (
        <>
          <progress
            className="model-progress"
            data-testid="model-progress"
            data-stage={progress.stage}
            data-done={progress.done}
            data-total={progress.total ?? ''}
            aria-label={`${label}${amount ? `: ${amount}` : ''}`}
            value={loadFraction(progress)}
            max={1}
          />
          {amount && <span className="model-progress-amount" aria-hidden="true">{amount}</span>}
        </>
      )}
    </span>
  );
}
