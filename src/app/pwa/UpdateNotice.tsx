/** "A new version is ready": shown once a newer deployment waits, until the user reloads. */
import { useState } from 'react';
import { useApp } from '../store.ts';
import { reloadToUpdate } from './serviceWorker.ts';

export function UpdateNotice() {
  const updateReady = useApp((s) => s.updateReady);
  const [reloading, setReloading] = useState(false);
  if (!updateReady) return null;
  return (
    <div className="notice-region update-notice" role="status" data-testid="update-notice">
      <p>
        <span>A new version of the app is ready.</span>
        <button type="button" className="button-primary" data-testid="update-reload" disabled={reloading} onClick={() => { setReloading(true); void reloadToUpdate(); }}>
          {reloading ? 'Reloading…' : 'Reload to update'}
        </button>
      </p>
    </div>
  );
}
