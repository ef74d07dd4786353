/** Tunables of the Teach tab, in one table. */
export const TEACH_SETTINGS = {
  /** While the record button is held, one webcam frame becomes an example this often (4 a second). */
  recordIntervalMs: 250,
  /** Side of an example's thumbnail (drawn from the model's input, so it shows what the model saw). */
  thumbnailSize: 56,
  thumbnailQuality: 0.75,
  /** A new set starts with this many empty classes. */
  initialClasses: 2,
  /** Leave-one-out is recomputed once changes have settled for this long (not while recording). */
  evaluateDelayMs: 400,
  /** Above this many examples, kNN's leave-one-out (n^2 comparisons) waits for a button press. */
  knnAutoEvaluateLimit: 1500,
} as const;
