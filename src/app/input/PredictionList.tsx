/** Top-5 classes as bars, the last inference's latency, and a polite announcement of the top class. */
import { useApp } from '../store.ts';

export function PredictionList() {
  const predictions = useApp((s) => s.predictions);
  const latencyMs = useApp((s) => s.latencyMs);
  const input = useApp((s) => s.input);
  const shownLabel = useApp((s) => s.modelInput?.label);
  const top = predictions?.[0];
  // Every still image is announced; the webcam's text only changes (and is re-read) with its top class.
  const announcement = !top || !input ? '' : input.kind === 'webcam' ? `Webcam: ${top.name}` : `${top.name}, ${(top.probability * 100).toFixed(0)} percent`;

  return (
    <section className="predictions" aria-labelledby="predictions-heading">
      <h2 id="predictions-heading">Predictions{shownLabel ? <span className="input-label" data-testid="predictions-for"> for {shownLabel}</span> : null}</h2>
      {predictions ? (
        <ol className="prediction-list" data-testid="predictions">
          {predictions.map((p) => (
            <li key={p.index} data-testid="prediction-row">
              <span className="prediction-label" data-testid="prediction-label">{p.name}</span>
              <span className="prediction-bar" aria-hidden="true"><span style={{ width: `${(p.probability * 100).toFixed(1)}%` }} /></span>
              <span className="prediction-probability" data-testid="prediction-probability" data-value={p.probability}>{(p.probability * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="hint">Choose a photo, a sample or the webcam to see what GhostNet thinks it is.</p>
      )}
      {latencyMs !== null && <p data-testid="latency">Last inference: {latencyMs.toFixed(1)} ms</p>}
      <p className="visually-hidden" aria-live="polite" data-testid="announcement">{announcement}</p>
    </section>
  );
}
