/** Which head sits on the frozen features, its settings, and (softmax regression) training with a live loss curve. */
import { HEAD_LIMITS, type HeadKind } from '../../model/heads/index.ts';
import { useApp } from '../store.ts';
import { LossCurve } from './LossCurve.tsx';
import { changeSettings, chooseHead, softmaxOutdated, stopTraining, trainSoftmaxHead } from './teachActions.ts';

const HEADS: { kind: HeadKind; label: string; what: (s: ReturnType<typeof useApp.getState>['teach']['settings']) => string }[] = [
  { kind: 'centroid', label: 'Nearest class mean', what: (s) => `Each class is the average direction of its examples; a new image goes to the class it points most nearly towards (cosine similarity). Bars: softmax of ${s.centroid.temperature} × cosine. Updates the moment you add an example.` },
  { kind: 'knn', label: 'k nearest neighbours', what: (s) => `The ${s.knn.k} most similar examples vote for their class, each with its similarity. Bars: each class's share of the votes.` },
  { kind: 'softmax', label: 'Softmax regression', what: (s) => `A linear layer trained on your examples with Adam (learning rate ${s.softmax.learningRate}, weight decay ${s.softmax.weightDecay}) for ${s.softmax.epochs} epochs. Press Train after changing examples.` },
];

function NumberField({ label, value, min, max, step, testid, onChange }: { label: string; value: number; min: number; max: number; step: number; testid: string; onChange: (v: number) => void }) {
  return (
    <label>
      {label}{' '}
      <input type="number" data-testid={testid} value={value} min={min} max={max} step={step}
        onChange={(e) => { const v = Number(e.target.value); if (e.target.value !== '' && v >= min && v <= max) onChange(v); }} />
    </label>
  );
}

export function HeadPicker() {
  const head = useApp((s) => s.teach.head);
  const settings = useApp((s) => s.teach.settings);
  const training = useApp((s) => s.teach.training);
  const losses = useApp((s) => s.teach.losses);
  const trained = useApp((s) => s.teach.softmax !== null);
  const outdated = useApp((s) => softmaxOutdated(s.teach));
  const ready = useApp((s) => s.teach.status === 'ready');
  const active = HEADS.find((h) => h.kind === head)!;
  return (
    <section className="teach-head" aria-labelledby="teach-head-heading">
      <h3 id="teach-head-heading">Head</h3>
      <fieldset data-testid="teach-head" data-kind={head} disabled={!ready}>
        <legend className="visually-hidden">Head on the GhostNet features</legend>
        {HEADS.map((h) => (
          <label key={h.kind} className="teach-head-option">
            <input type="radio" name="teach-head" value={h.kind} data-testid={`teach-head-${h.kind}`} checked={head === h.kind} onChange={() => chooseHead(h.kind)} />
            {h.label}
          </label>
        ))}
      </fieldset>
      <p className="hint">{active.what(settings)}</p>
      {head === 'knn' && (
        <NumberField label="k" testid="teach-k" value={settings.knn.k} min={1} max={HEAD_LIMITS.maxK} step={1} onChange={(k) => changeSettings('knn', { k })} />
      )}
      {head === 'softmax' && (
        <div className="teach-softmax">
          <div className="teach-softmax-settings">
            <NumberField label="Epochs" testid="teach-epochs" value={settings.softmax.epochs} min={1} max={HEAD_LIMITS.maxEpochs} step={10} onChange={(epochs) => changeSettings('softmax', { epochs })} />
            <NumberField label="Learning rate" testid="teach-learning-rate" value={settings.softmax.learningRate} min={0.0001} max={1} step={0.001} onChange={(learningRate) => changeSettings('softmax', { learningRate })} />
            <NumberField label="Weight decay" testid="teach-weight-decay" value={settings.softmax.weightDecay} min={0} max={1} step={0.001} onChange={(weightDecay) => changeSettings('softmax', { weightDecay })} />
          </div>
          {training ? (
            <button type="button" data-testid="teach-train-stop" onClick={stopTraining}>Stop training</button>
          ) : (
            <button type="button" data-testid="teach-train" disabled={!ready} onClick={() => void trainSoftmaxHead()}>{trained ? 'Train again' : 'Train'}</button>
          )}
          <p className="hint" data-testid="teach-train-status" data-state={training ? 'training' : outdated ? 'outdated' : trained ? 'trained' : 'untrained'}>
            {training ? `Training: epoch ${training.losses.length} of ${training.epochs}…` : outdated ? 'Examples changed since training: train again to include them.' : trained ? 'Trained on the current examples.' : 'Not trained yet.'}
          </p>
          {(training || losses) && <LossCurve losses={training?.losses ?? losses ?? []} epochs={training?.epochs ?? losses?.length ?? settings.softmax.epochs} />}
        </div>
      )}
    </section>
  );
}
