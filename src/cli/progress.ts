/**
 * A progress line on a terminal: rewritten in place, at most every `everyMs`, erased when done.
 * When stderr is not a terminal (a pipe, a test) nothing is written, so a failure stays one line.
 */
export interface ProgressLine {
  update(text: string, force?: boolean): void;
  clear(): void;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export function progressLine(stream: ProgressStream, everyMs = 100, now: () => number = () => performance.now()): ProgressLine {
  if (!stream.isTTY) return { update() {}, clear() {} };
  let shown = 0;
  let last = -Infinity;
  return {
    update(text, force = false) {
      const t = now();
      if (!force && t - last < everyMs) return;
      last = t;
      stream.write(`\r${text.padEnd(shown)}`);
      shown = text.length;
    },
    clear() {
      if (shown > 0) stream.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
  };
}
