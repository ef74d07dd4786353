/**
 * One user of TensorFlow.js's backends at a time. The active backend is global in TF.js, so the
 * page's own work (preparing a model, classifying) and a GPU backend warming up in the background
 * take turns through this lock, first come first served. The background work holds it one step at
 * a time and gives it back between steps (`pause`), so an answer waits at most one step.
 */
export type Release = () => void;

let tail: Promise<void> = Promise.resolve();
let holders = 0;
let waiting = 0;

/** Wait for the lock; the returned function gives it back (once). */
export function acquire(): Promise<Release> {
  let release!: () => void;
  const freed = new Promise<void>((resolve) => (release = resolve));
  const turn = tail;
  tail = tail.then(() => freed);
  waiting++;
  return turn.then(() => {
    waiting--;
    holders++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      holders--;
      release();
    };
  });
}

/** Run `fn` holding the lock. */
export async function exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
  const release = await acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}

/** True while someone waits for the lock (the background work then gives it up at its next step). */
export function lockWanted(): boolean {
  return waiting > 0;
}

/** For tests: whether the lock is held now. */
export function lockHeld(): boolean {
  return holders > 0;
}
