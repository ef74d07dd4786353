import { useLayoutEffect, useRef, useState } from 'react';
import { SETTINGS } from './settings.ts';
import { useApp, type AppState } from './store.ts';
import { useMediaQuery } from './useMediaQuery.ts';

/**
 * One dismissable message of the store (`error` or `notice`) inside its live region. On phones a
 * long message shows its first lines with a "More" button, so the camera and its predictions keep
 * the first screen; the whole text is always in the page (and read out by screen readers).
 */
function Message({ field }: { field: 'error' | 'notice' }) {
  const text = useApp((s: AppState) => s[field]);
  const set = useApp((s) => s.set);
  const narrow = useMediaQuery(SETTINGS.layout.narrowQuery);
  const span = useRef<HTMLSpanElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [clipped, setClipped] = useState(false);
  // A new message starts folded again.
  useLayoutEffect(() => setExpanded(false), [text]);
  useLayoutEffect(() => {
    const el = span.current;
    setClipped(!!el && narrow && !expanded && el.scrollHeight > el.clientHeight + 1);
  }, [text, narrow, expanded]);
  if (!text) return null;
  return (
    <p data-expanded={expanded}>
      <span data-testid={`${field}-message`} ref={span}>{text}</span>{' '}
      {narrow && (clipped || expanded) && (
        <button type="button" data-testid={`${field}-more`} aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Less' : 'More'}
        </button>
      )}
      <button type="button" aria-label={`Dismiss the ${field}`} onClick={() => set({ [field]: null })}>{narrow ? '✕' : 'Dismiss'}</button>
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
