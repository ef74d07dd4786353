/**
 * Runs one async job at a time and never queues more than one follow-up: while a run is in
 * flight, requests collapse into a single re-run that reads the latest state. A minimum
 * interval between starts keeps a live webcam from flooding the GPU.
 */
export class LatestOnlyRunner {
  private inFlight = false;
  private pendingInterval: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastStart = -Infinity;
  private disposed = false;

  /** `job` may return a delay (ms) after which it wants to run again even without a request. */
  constructor(
    private readonly job: () => Promise<number | null>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get busy(): boolean {
    return this.inFlight;
  }

  /** Ask for a run no sooner than `intervalMs` after the previous start (0: as soon as possible). */
  request(intervalMs = 0): void {
    if (this.disposed) return;
    if (this.inFlight) {
      this.pendingInterval = Math.min(this.pendingInterval ?? Infinity, intervalMs);
      return;
    }
    const wait = Math.max(0, this.lastStart + intervalMs - this.now());
    if (this.timer !== null) {
      if (wait > 0) return; // the scheduled run will pick up the latest state
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.disposed) return;
    this.inFlight = true;
    this.lastStart = this.now();
    let again: number | null = null;
    try {
      again = await this.job();
    } finally {
      this.inFlight = false;
    }
    if (this.pendingInterval !== null) {
      const interval = this.pendingInterval;
      this.pendingInterval = null;
      this.request(interval);
    } else if (again !== null) {
      this.request(Math.max(0, this.now() - this.lastStart + again));
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** What the webcam-following views need to know about their input. */
interface FollowedInput {
  readonly version: number;
  readonly kind: string;
}

/**
 * Ask `runner` for a run for `input`: at once, or, for a new webcam frame, no sooner than
 * `webcamIntervalMs` after the previous start. `lastVersion` remembers the input seen last.
 */
export function requestFor(runner: LatestOnlyRunner | null, lastVersion: { current: number | null }, input: FollowedInput, webcamIntervalMs: number): void {
  const newFrame = lastVersion.current !== null && lastVersion.current !== input.version;
  lastVersion.current = input.version;
  runner?.request(input.kind === 'webcam' && newFrame ? webcamIntervalMs : 0);
}
