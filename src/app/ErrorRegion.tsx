import { useApp } from './store.ts';

/**
 * One place for every message: errors (assertive, so screen readers hear them at once) and notices
 * such as "this photo was scaled down" (polite).
 */
export function ErrorRegion() {
  const error = useApp((s) => s.error);
  const notice = useApp((s) => s.notice);
  const set = useApp((s) => s.set);
  return (
    <div className="messages">
      <div className="error-region" role="alert" data-testid="error-region">
        {error && (
          <p>
            <span data-testid="error-message">{error}</span>{' '}
            <button type="button" aria-label="Dismiss the error" onClick={() => set({ error: null })}>Dismiss</button>
          </p>
        )}
      </div>
      <div className="notice-region" role="status" data-testid="notice-region">
        {notice && (
          <p>
            <span data-testid="notice-message">{notice}</span>{' '}
            <button type="button" aria-label="Dismiss the notice" onClick={() => set({ notice: null })}>Dismiss</button>
          </p>
        )}
      </div>
    </div>
  );
}
