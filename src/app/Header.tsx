import { useId, useRef, useState } from 'react';
import { BACKENDS, type BackendName } from '../runtime/backends.ts';
import { changeInputSize, chooseBackend, selectModel } from './actions.ts';
import { ModelStatus } from './loading/ModelStatus.tsx';
import { useApp } from './store.ts';
import { PREPROCESSING } from '../model/preprocess.ts';
import { ImagenetDownload } from './imagenet/ImagenetDownload.tsx';
import { Diagnostics } from './diagnostics/Diagnostics.tsx';
import { SETTINGS } from './settings.ts';
import { useMediaQuery } from './useMediaQuery.ts';
import './header.css';

const SIZES = Array.from({ length: (PREPROCESSING.maxSize - PREPROCESSING.minSize) / 32 + 1 }, (_, i) => PREPROCESSING.minSize + 32 * i);

function ModelSelect({ labelHidden = false }: { labelHidden?: boolean }) {
  const models = useApp((s) => s.models);
  const modelId = useApp((s) => s.modelId);
  const modelStatus = useApp((s) => s.modelStatus);
  // While a chosen model loads, the selector shows the choice rather than snapping back.
  const [chosen, setChosen] = useState<string | null>(null);
  const shownModel = modelStatus === 'loading' && chosen ? chosen : modelId;
  return (
    <label className={labelHidden ? 'model-chip' : undefined}>
      <span className={labelHidden ? 'visually-hidden' : undefined}>Model</span>{' '}
      <select data-testid="model-select" value={shownModel ?? ''} disabled={models.length === 0} onChange={(e) => { setChosen(e.target.value); void selectModel(e.target.value); }}>
        {shownModel === null && <option value="">loading…</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id}>{m.name}{m.builtIn ? '' : ' (yours)'}</option>
        ))}
      </select>
    </label>
  );
}

function SizeSelect() {
  const inputSize = useApp((s) => s.inputSize);
  // No model yet: the size is the one it will choose (its own or the one chosen for it), not shown before.
  const hasModel = useApp((s) => s.model !== null);
  return (
    <label>
      Input size{' '}
      <select data-testid="size-select" value={inputSize} disabled={!hasModel} onChange={(e) => void changeInputSize(Number(e.target.value))}>
        {[...new Set([...SIZES, inputSize])].sort((a, b) => a - b).map((s) => (
          <option key={s} value={s}>{s} px</option>
        ))}
      </select>
    </label>
  );
}

function BackendSelect() {
  const backend = useApp((s) => s.backend);
  const backendStatus = useApp((s) => s.backendStatus);
  return (
    <label>
      Backend{' '}
      <select data-testid="backend-select" value={backend?.name ?? ''} disabled={backendStatus === 'starting'} onChange={(e) => void chooseBackend(e.target.value as BackendName)}>
        {backend === null && <option value="">starting…</option>}
        {BACKENDS.map((b) => (
          <option key={b} value={b}>{b}</option>
        ))}
      </select>
    </label>
  );
}

function BackendIndicator() {
  const backend = useApp((s) => s.backend);
  const backendStatus = useApp((s) => s.backendStatus);
  return (
    <span className="backend" data-testid="backend-indicator" data-backend={backend?.name ?? ''}>
      {backendStatus === 'starting' ? 'starting…' : backend ? `${backend.name} · ${backend.renderer}` : 'no backend'}
    </span>
  );
}

/** Why the app runs on another backend than WebGL: said here, and only here (no notice repeats it). */
function BackendReason() {
  const backend = useApp((s) => s.backend);
  if (!backend?.fallbackReason) return null;
  return <p className="fallback" data-testid="backend-fallback">Running on {backend.name}: {backend.fallbackReason}.</p>;
}

/**
 * Wide screens: title, the three selectors and the ImageNet control; under them a line of its own for
 * the backend and the model's state. That line keeps its height whether a progress bar shows or not,
 * so nothing below moves while the first model loads (a photo picked meanwhile is where it was).
 */
function DesktopHeader() {
  return (
    <header className="header">
      <h1>GhostNet in the browser</h1>
      <div className="controls">
        <ModelSelect />
        <SizeSelect />
        <BackendSelect />
        <ImagenetDownload />
      </div>
      <div className="header-line">
        <BackendIndicator />
        <ModelStatus />
      </div>
      <BackendReason />
    </header>
  );
}

/**
 * Phones: one row (the title, the model as a chip, a settings button), and a second one only while a
 * model loads or the ImageNet model downloads; size, backend (and why), the ImageNet download and
 * the diagnostics are in a settings sheet (a modal <dialog>: focus moves in and back, Esc closes).
 */
function PhoneHeader() {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const downloading = useApp((s) => s.download !== null);
  const close = () => dialog.current?.close();
  return (
    <header className="header header-phone">
      <h1>GhostNet in the browser</h1>
      <ModelSelect labelHidden />
      <button
        type="button"
        className="settings-button"
        data-testid="settings-open"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => { dialog.current?.showModal(); setOpen(true); }}
      >
        <span aria-hidden="true">⚙</span>
        <span className="visually-hidden">Settings: input size, backend, ImageNet model, diagnostics</span>
      </button>
      <div className="header-status">
        <ModelStatus />
        {downloading && <ImagenetDownload />}
      </div>
      <dialog
        ref={dialog}
        className="settings-sheet"
        data-testid="settings-sheet"
        aria-labelledby={titleId}
        onClose={() => setOpen(false)}
        // A tap on the backdrop (outside the sheet's box) closes it.
        onClick={(e) => { if (e.target === e.currentTarget) close(); }}
      >
        <div className="settings-sheet-body">
          <div className="settings-sheet-head">
            <h2 id={titleId}>Settings</h2>
            <button type="button" data-testid="settings-close" onClick={close} autoFocus>Close</button>
          </div>
          <div className="settings-sheet-controls">
            <SizeSelect />
            <BackendSelect />
          </div>
          <BackendIndicator />
          <BackendReason />
          {!downloading && <ImagenetDownload onStart={close} />}
          <Diagnostics placement="sheet" />
        </div>
      </dialog>
    </header>
  );
}

export function Header() {
  const narrow = useMediaQuery(SETTINGS.layout.narrowQuery);
  return narrow ? <PhoneHeader /> : <DesktopHeader />;
}
