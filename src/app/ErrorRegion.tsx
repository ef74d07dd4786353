import { useApp } from './store.ts';

/** One place for every error message; assertive so screen readers hear it at once. */
export function ErrorRegion() {
  const error = useApp((s) => s.error);
  const set = useApp((s) => s.set);
  return (
    <div className="error-region" role="alert" data-testid="error-region">
      {error && (
        <p>
          <span>{error}</span>{' '}
          <button type="button" onClick={() => set({ error: null })}>Dismiss</button>
        </p>
      )}
    </div>
  );
}
