/** The store's error region: a pinned (form-validation) error outlives the app's own successes. */
import { beforeEach, describe, expect, it } from 'vitest';
import { clearStaleError, useApp } from '../src/app/store.ts';

const { set } = useApp.getState();
const error = () => useApp.getState().error;

describe('clearStaleError', () => {
  beforeEach(() => set({ error: null }));

  it('clears an ordinary error', () => {
    set({ error: 'Classification failed: boom' });
    set(clearStaleError());
    expect(error()).toBeNull();
  });

  it('leaves a pinned error for its owner or the user to withdraw', () => {
    set({ error: 'Explainer: s (ratio) must be a whole number from 2 to 16.', errorPinned: true });
    set({ modelStatus: 'ready', ...clearStaleError() });
    expect(error()).toMatch(/^Explainer/);
    set({ error: null }); // the owner, or the Dismiss button
    expect(error()).toBeNull();
    expect(useApp.getState().errorPinned).toBe(false);
  });

  it('another error replaces a pinned one and unpins, so a later success clears it', () => {
    set({ error: 'Explainer: bad input', errorPinned: true });
    set({ error: 'The sample could not be loaded' });
    expect(useApp.getState().errorPinned).toBe(false);
    set(clearStaleError());
    expect(error()).toBeNull();
  });
});
