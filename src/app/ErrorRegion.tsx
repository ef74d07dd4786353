import { useApp, type AppState } from './store.ts';

/** One dismissable message of the store (`error` or `notice`) inside its live region. */
function Message({ field }: { field: 'error' | 'notice' }) {
  const text = useApp((s: AppState) => s[field]);
  const set = useApp((s) => s.set);
  if (!text) return null;
  return (
    <p>
      <span data-testid={`${field}-message`}>{text}</span>{' '}
      <button type="button" aria-label={`Dismiss the ${field}`} onClick={() => set({ [field]: null })}>Dismiss</button>
    </p>
  );
}

/**
 * One place for every message: errors (assertive, so screen readers hear them at once) and notices
 * such as "this photo was scaled down" (polite).
 */
export function ErrorRegion() {
  return (
    <div className="messages">
      <div className="error-region" role="alert" data-testid="error-region">
        <Message field="error" />
      </div>
      <div className="notice-region" role="status" data-testid="notice-region">
        <Message field="notice" />
      </div>
    </div>
  );
}
