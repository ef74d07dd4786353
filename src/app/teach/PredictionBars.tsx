/** The taught head's answer for the last webcam frame or photo: one bar per class. */
import { useApp } from '../store.ts';
import { headUnavailableReason, predictPhoto } from './teachActions.ts';

export function PredictionBars() {
  const prediction = useApp((s) => s.teach.prediction);
  const classes = useApp((s) => s.teach.classes);
  const reason = useApp((s) => headUnavailableReason(s.teach));
  // Scores belong to the classes they were computed for: shown by class id, so a renamed class keeps its bar.
  const rows = prediction ? classes.map((c) => ({ c, i: prediction.classIds.indexOf(c.id) })).filter((r) => r.i >= 0) : [];
  const top = prediction && rows.find((r) => r.i === prediction.index);
  return (
    <section className="teach-predictions dropzone" aria-labelledby="teach-predictions-heading" data-testid="teach-test-drop">
      <h3 id="teach-predictions-heading">Prediction{prediction ? <span className="input-label"> for {prediction.source}</span> : null}</h3>
      <label className="file-button">
        Test a photo…
        <input type="file" accept="image/*" data-testid="teach-test-input" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void predictPhoto(f); }} />
      </label>
      <p className="hint">or drop one anywhere on this tab but on a class; with the webcam on, every frame is predicted.</p>
      {reason ? (
        <p className="hint" data-testid="teach-predictions-unavailable">{reason}</p>
      ) : prediction && top ? (
        <ol className="prediction-list" data-testid="teach-predictions" data-source={prediction.source} data-kind={prediction.kind} data-label={top.c.name}>
          {rows.map(({ c, i }) => (
            <li key={c.id} data-testid="teach-prediction-row" data-class={c.name} data-score={prediction.scores[i]} className={i === prediction.index ? 'top' : undefined}>
              <span className="prediction-label">{c.name}</span>
              <span className="prediction-bar" aria-hidden="true"><span style={{ width: `${(prediction.scores[i] * 100).toFixed(1)}%` }} /></span>
              <span className="prediction-probability">{(prediction.scores[i] * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="hint">Start the webcam or test a photo.</p>
      )}
      <p className="visually-hidden" aria-live="polite">{prediction?.kind === 'photo' && top ? `${prediction.source}: ${top.c.name}` : ''}</p>
    </section>
  );
}
