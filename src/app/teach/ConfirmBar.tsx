/** An in-page question before something that cannot be undone (never window.confirm). */
import { useEffect, useRef } from 'react';

export interface Pending {
  readonly message: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
}

export function ConfirmBar({ pending, onClose, testid }: { pending: Pending; onClose: () => void; testid: string }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Focus the safe choice first, so Enter does not destroy anything by accident.
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div className="teach-confirm" role="alertdialog" aria-labelledby={`${testid}-message`} data-testid={testid}
      onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <p id={`${testid}-message`}>{pending.message}</p>
      <button type="button" className="danger" data-testid={`${testid}-confirm`} onClick={() => { onClose(); pending.onConfirm(); }}>{pending.confirmLabel}</button>
      <button type="button" ref={cancelRef} data-testid={`${testid}-cancel`} onClick={onClose}>Cancel</button>
    </div>
  );
}
