/** Keep and share: what the browser keeps, export to one file, import it back, clear (asks first). */
import { useState } from 'react';
import { useApp } from '../store.ts';
import { ConfirmBar, type Pending } from './ConfirmBar.tsx';
import { examplesIn } from './state.ts';
import { applyImport, clearTeach, exportTeach, readImport } from './teachActions.ts';

export function KeepShare() {
  const ready = useApp((s) => s.teach.status === 'ready');
  const persistent = useApp((s) => s.teach.persistent);
  const unsaved = useApp((s) => s.teach.unsaved);
  const backbone = useApp((s) => s.teach.backbone?.name ?? '');
  const examples = useApp((s) => examplesIn(s.teach.classes));
  const classCount = useApp((s) => s.teach.classes.length);
  const [pending, setPending] = useState<Pending | null>(null);
  const [importing, setImporting] = useState(false);

  const importFile = async (file: File) => {
    setImporting(true);
    try {
      const set = await readImport(file);
      if (!set) return;
      const incoming = set.classes.reduce((n, c) => n + c.examples.length, 0);
      if (examples === 0) await applyImport(set, file.name);
      else setPending({
        message: `Replace your ${classCount} classes (${examples} examples) with the ${set.classes.length} classes (${incoming} examples) in "${file.name}"?`,
        confirmLabel: 'Replace',
        onConfirm: () => void applyImport(set, file.name),
      });
    } finally {
      setImporting(false);
    }
  };

  return (
    <section className="teach-keep" aria-labelledby="teach-keep-heading">
      <h3 id="teach-keep-heading">Keep and share</h3>
      <p className="hint" data-testid="teach-saved" data-pending={unsaved} data-persistent={persistent}>
        {!persistent ? 'This browser cannot keep them: export them to keep them.' : unsaved > 0 ? 'Saving…' : `Kept in this browser for “${backbone}”.`}
      </p>
      <div className="teach-keep-actions">
        <button type="button" data-testid="teach-export" disabled={!ready} onClick={exportTeach}>Export to a file</button>
        <label className="file-button">
          {importing ? 'Importing…' : 'Import a file…'}
          <input type="file" accept=".json,application/json" data-testid="teach-import" disabled={!ready}
            onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importFile(f); }} />
        </label>
        <button type="button" className="danger" data-testid="teach-clear" disabled={!ready || examples === 0}
          onClick={() => setPending({ message: `Forget all ${classCount} classes and ${examples} examples taught on “${backbone}”? This cannot be undone (export first to keep a copy).`, confirmLabel: 'Clear everything', onConfirm: () => void clearTeach() })}>
          Clear…
        </button>
      </div>
      {pending && <ConfirmBar pending={pending} onClose={() => setPending(null)} testid="teach-confirm" />}
    </section>
  );
}
