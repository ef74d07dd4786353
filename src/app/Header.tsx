import { BACKENDS, type BackendName } from './backends.ts';
import { selectModel, switchBackend } from './actions.ts';
import { useApp } from './store.ts';
import { PREPROCESSING } from '../model/preprocess.ts';

const SIZES = Array.from({ length: (PREPROCESSING.maxSize - PREPROCESSING.minSize) / 32 + 1 }, (_, i) => PREPROCESSING.minSize + 32 * i);

export function Header() {
  const { backend, backendStatus, models, modelId, modelStatus, inputSize, set } = useApp();
  return (
    <header className="header">
      <h1>GhostNet in the browser</h1>
      <div className="controls">
        <label>
          Model{' '}
          <select data-testid="model-select" value={modelId ?? ''} disabled={models.length === 0} onChange={(e) => void selectModel(e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>{m.name}</option>
            ))}
          </select>
        </label>
        <label>
          Input size{' '}
          <select data-testid="size-select" value={inputSize} onChange={(e) => set({ inputSize: Number(e.target.value) })}>
            {[...new Set([...SIZES, inputSize])].sort((a, b) => a - b).map((s) => (
              <option key={s} value={s}>{s} px</option>
            ))}
          </select>
        </label>
        <label>
          Backend{' '}
          <select value={backend?.name ?? ''} onChange={(e) => void switchBackend(e.target.value as BackendName)}>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>{b}</option>
            ))}
          </select>
        </label>
        <span className="backend" data-testid="backend-indicator" data-backend={backend?.name ?? ''}>
          {backendStatus === 'starting' ? 'starting…' : backend ? `${backend.name} · ${backend.renderer}` : 'no backend'}
        </span>
        <span className="model-status" aria-live="polite">{modelStatus === 'loading' ? 'loading model…' : ''}</span>
      </div>
    </header>
  );
}
