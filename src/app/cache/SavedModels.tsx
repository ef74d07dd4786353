/**
 * Diagnostics: the models kept in this browser, the storage they use, a remove button for each,
 * and a button that keeps the model in use when it was brought by hand.
 */
import { useEffect, useState } from 'react';
import { useApp } from '../store.ts';
import { formatBytes } from '../../fetch/download.ts';
import { storageEstimate } from './modelCache.ts';
import { canKeep, forgetSavedModel, keepCurrentModel } from './savedModels.ts';
import './cache.css';

export function SavedModels() {
  const saved = useApp((s) => s.savedModels);
  const current = useApp((s) => s.models.find((m) => m.id === s.modelId));
  const keepable = canKeep(current, saved);
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);
  const [busy, setBusy] = useState(false);
  // The browser's own figure for the whole page (models, caches, everything), after every change.
  useEffect(() => {
    let live = true;
    void storageEstimate().then((e) => { if (live) setEstimate(e); });
    return () => { live = false; };
  }, [saved]);
  const stored = saved.reduce((n, s) => n + s.bytes, 0);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="saved-models" aria-labelledby="saved-models-heading" data-testid="saved-models">
      <h3 id="saved-models-heading">Saved in this browser</h3>
      <p data-testid="cached-storage" data-bytes={stored} data-count={saved.length}>
        {saved.length === 0 ? 'No models saved' : `${saved.length} model${saved.length > 1 ? 's' : ''}, ${formatBytes(stored)}`}
        {estimate ? ` · the page stores ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows it` : ''}
      </p>
      {saved.length > 0 && (
        <ul>
          {saved.map((s) => (
            <li key={s.id} data-testid="cached-model" data-model-id={s.id}>
              <span title={s.origin}>{s.name} · {formatBytes(s.bytes)}</span>{' '}
              <button type="button" data-testid="cached-model-remove" data-model-id={s.id} disabled={busy} aria-label={`Remove ${s.name} from this browser`} onClick={() => void run(() => forgetSavedModel(s.id))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {keepable && (
        <button type="button" data-testid="cached-model-keep" disabled={busy} onClick={() => void run(keepCurrentModel)}>
          Keep “{current.name}” in this browser
        </button>
      )}
    </section>
  );
}
