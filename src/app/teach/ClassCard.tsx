/**
 * One taught class: its name (editable), example count, the record button (held: webcam frames
 * become examples, a few a second), photos by choosing or dropping (many at once), thumbnails
 * with a remove button each, and deleting the class.
 */
import { useEffect, useState } from 'react';
import { HEAD_LIMITS } from '../../model/heads/index.ts';
import { ConfirmBar, type Pending } from './ConfirmBar.tsx';
import { addPhotos, deleteClass, removeExample, renameClass, setRecording } from './teachActions.ts';
import { useApp } from '../store.ts';
import type { TeachClass } from './state.ts';

const imagesOf = (list: FileList | null | undefined) => [...(list ?? [])];

export function ClassCard({ cls, index, cameraLive }: { cls: TeachClass; index: number; cameraLive: boolean }) {
  const recording = useApp((s) => s.teach.recording === cls.id);
  const predicted = useApp((s) => s.teach.prediction?.classIds[s.teach.prediction.index] === cls.id);
  const [draft, setDraft] = useState(cls.name);
  const [busy, setBusy] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  useEffect(() => setDraft(cls.name), [cls.name]);

  const commitName = () => {
    if (draft.trim() === cls.name) return setDraft(cls.name);
    if (!renameClass(cls.id, draft)) setDraft(cls.name);
  };
  const add = async (files: File[]) => {
    if (files.length === 0) return;
    setBusy((n) => n + files.length);
    try {
      await addPhotos(cls.id, files);
    } finally {
      setBusy((n) => n - files.length);
    }
  };
  const full = cls.examples.length >= HEAD_LIMITS.maxExamplesPerClass;
  const start = () => { if (cameraLive && !full) setRecording(cls.id); };
  const stop = () => { if (useApp.getState().teach.recording === cls.id) setRecording(null); };

  return (
    <li
      className={`teach-class dropzone${dragging ? ' over' : ''}${predicted ? ' predicted' : ''}`}
      data-testid="teach-class" data-class-name={cls.name} data-count={cls.examples.length}
      aria-label={`Class ${index + 1}: ${cls.name}`}
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; setDragging(true); } }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        // These photos are examples of this class, not something for the page to classify.
        e.preventDefault();
        e.stopPropagation();
        setDragging(false);
        void add(imagesOf(e.dataTransfer.files));
      }}
    >
      <div className="teach-class-head">
        <input
          className="teach-class-name" data-testid="teach-class-name" aria-label={`Name of class ${index + 1}`}
          value={draft} maxLength={HEAD_LIMITS.maxClassNameLength}
          onChange={(e) => setDraft(e.target.value)} onBlur={commitName}
          onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); if (e.key === 'Escape') setDraft(cls.name); }}
        />
        <span className="teach-count" data-testid="teach-class-count" data-count={cls.examples.length}>
          {cls.examples.length} {cls.examples.length === 1 ? 'example' : 'examples'}{busy > 0 ? ` (adding ${busy}…)` : ''}
        </span>
        <button type="button" className="teach-delete" data-testid="teach-class-delete" aria-label={`Delete class ${cls.name}`}
          onClick={() => cls.examples.length === 0 ? deleteClass(cls.id) : setPending({ message: `Delete "${cls.name}" and its ${cls.examples.length} examples?`, confirmLabel: 'Delete class', onConfirm: () => deleteClass(cls.id) })}>
          Delete
        </button>
      </div>
      {pending && <ConfirmBar pending={pending} onClose={() => setPending(null)} testid="teach-delete-confirm" />}
      <div className="teach-class-actions">
        <button
          type="button" className={`teach-record${recording ? ' on' : ''}`} data-testid="teach-record" aria-pressed={recording}
          disabled={!cameraLive || full} title={cameraLive ? 'Hold to add webcam frames' : 'Start the camera first'}
          onPointerDown={(e) => { e.currentTarget.setPointerCapture?.(e.pointerId); start(); }}
          onPointerUp={stop} onPointerCancel={stop} onLostPointerCapture={stop}
          onKeyDown={(e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); start(); } }}
          onKeyUp={(e) => { if (e.key === ' ' || e.key === 'Enter') stop(); }}
          onBlur={stop}
        >
          {recording ? `Recording… ${cls.examples.length}` : 'Hold to record'}
        </button>
        <label className="file-button">
          Add photos…
          <input type="file" accept="image/*" multiple data-testid="teach-class-files" aria-label={`Add photos to ${cls.name}`}
            onChange={(e) => { const files = imagesOf(e.target.files); e.target.value = ''; void add(files); }} />
        </label>
      </div>
      {cls.examples.length > 0 ? (
        <ul className="teach-thumbs" aria-label={`Examples of ${cls.name}`}>
          {cls.examples.map((e, i) => (
            <li key={e.id} data-testid="teach-example" data-source={e.source}>
              {e.thumbnail ? <img src={e.thumbnail} alt={`${cls.name} ${i + 1} (${e.source})`} width={48} height={48} /> : <span className="teach-thumb-none" title={e.source}>{i + 1}</span>}
              <button type="button" data-testid="teach-example-remove" aria-label={`Remove example ${i + 1} of ${cls.name}`} onClick={() => removeExample(cls.id, e.id)}>×</button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">Hold the record button with the webcam on, or choose or drop photos here.</p>
      )}
    </li>
  );
}
