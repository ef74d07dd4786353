import { useState } from 'react';
import { BACKENDS, type BackendName } from '../runtime/backends.ts';
import { changeInputSize, chooseBackend, selectModel } from './actions.ts';
import { ModelStatus } from './loading/ModelStatus.tsx';
import { useApp } from './store.ts';
import { PREPROCESSING } from '../model/preprocess.ts';
import { ImagenetDownload } from './imagenet/ImagenetDownload.tsx';

const SIZES = Array.from({ length: (PREPROCESSING.maxSize - PREPROCESSING.minSize) / 32 + 1 }, (_, i) => PREPROCESSING.minSize + 32 * i);

export function Header() {
  const backend = useApp((s) => s.backend);
  const backendStatus = useApp((s) => s.backendStatus);
  const probing = useApp((s) => s.backendProbing);
  const models = useApp((s) => s.models);
  const modelId = useApp((s) => s.modelId);
  const modelStatus = useApp((s) => s.modelStatus);
  const inputSize = useApp((s) => s.inputSize);
  // While a chosen model loads, the selector shows the choice rather than snapping back.
  const [chosen, setChosen] = useState<string | null>(null);
  const shownModel = modelStatus === 'loading' && chosen ? chosen : modelId;
  return (
    <header className="header">
      <h1>GhostNet in the browser</h1>
      <div className="controls">
        <label>
          Model{' '}
          <select data-testid="model-select" value={shownModel ?? ''} disabled={models.length === 0} onChange={(e) => { setChosen(e.target.value); void selectModel(e.target.value); }}>
            {shownModel === null && <option value="">loading…</option>}
            {models.map((m) => (
              <option key={m.id} value={m.id}>{m.name}{m.builtIn ? '' : ' (yours)'}</option>
            ))}
          </select>
        </label>
        <label>
          Input size{' '}
          <select data-testid="size-select" value={inputSize} onChange={(e) => void changeInputSize(Number(e.target.value))}>
            {[...new Set([...SIZES, inputSize])].sort((a, b) => a - b).map((s) => (
              <option key={s} value={s}>{s} px</option>
            ))}
          </select>
        </label>
        <label>
          Backend{' '}
          <select data-testid="backend-select" value={backend?.name ?? ''} disabled={backendStatus === 'starting'} onChange={(e) => void chooseBackend(e.target.value as BackendName)}>
            {backend === null && <option value="">starting…</option>}
            {BACKENDS.map((b) => (
              <option key={b} value={b}>{b}</option>
            ))}
          </select>
        </label>
        {/* After the three selectors, so a phone keeps them in one row; beside them on a desktop. */}
        <ImagenetDownload />
        <span className="backend" data-testid="backend-indicator" data-backend={backend?.name ?? ''} title={backend?.fallbackReason ?? undefined}>
          {backendStatus === 'starting' ? (probing ? 'timing WebGL against wasm…' : 'starting…') : backend ? `${backend.name} · ${backend.renderer}` : 'no backend'}
        </span>
        <ModelStatus />
      </div>
      {backend?.fallbackReason && (
        <p className="fallback" data-testid="backend-fallback">Not on WebGL? {backend.fallbackReason}.</p>
      )}
    </header>
  );
}
