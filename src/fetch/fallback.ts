/**
 * The ImageNet weights from the first source that works: each source is downloaded and then used
 * (converted and checked); whatever fails, the next one is tried, and if none works the error
 * names every source and why. A cancel stops everything at once.
 */
import { formatWidth, type GhostNetMetadata } from '../model/format.ts';
import { SourceError, downloadCheckpoint, isAbort, type DownloadOptions } from './download.ts';
import type { WeightSource } from './sources.ts';

export interface SourceFailure {
  readonly source: WeightSource;
  /** Completes the sentence "<url> ...". */
  readonly reason: string;
}

export class AllSourcesFailed extends Error {
  constructor(readonly failures: readonly SourceFailure[]) {
    super(describeFailures(failures));
  }
}

/** "URL answered HTTP 404; URL could not be reached ..." */
export function describeFailures(failures: readonly SourceFailure[]): string {
  return failures.map((f) => `${f.source.url} ${f.reason}`).join('; ');
}

export interface Fetched<T> {
  readonly result: T;
  readonly source: WeightSource;
  /** Size of the downloaded file. */
  readonly bytes: number;
  readonly downloadMs: number;
  /** Time `use` took (conversion and checks). */
  readonly useMs: number;
  /** The sources tried before this one, and why they failed. */
  readonly failures: readonly SourceFailure[];
}

export interface FallbackOptions extends DownloadOptions {
  /** Called as each source is tried (index into `sources`). */
  readonly onAttempt?: (source: WeightSource, index: number) => void;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function fetchFirstWorking<T>(
  sources: readonly WeightSource[],
  use: (bytes: Uint8Array, source: WeightSource) => Promise<T>,
  options: FallbackOptions = {},
): Promise<Fetched<T>> {
  const failures: SourceFailure[] = [];
  for (const [index, source] of sources.entries()) {
    options.onAttempt?.(source, index);
    const t0 = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = await downloadCheckpoint(source, options);
    } catch (e) {
      if (isAbort(e)) throw e;
      failures.push({ source, reason: e instanceof SourceError ? e.message : `failed: ${messageOf(e)}` });
      continue;
    }
    const t1 = performance.now();
    const size = bytes.length;
    try {
      const result = await use(bytes, source);
      return { result, source, bytes: size, downloadMs: t1 - t0, useMs: performance.now() - t1, failures };
    } catch (e) {
      if (isAbort(e)) throw e;
      failures.push({ source, reason: `sent a file that is not usable: ${messageOf(e)}` });
    }
  }
  throw new AllSourcesFailed(failures);
}

/** A converted model is the ImageNet GhostNet only if it has the 1000 ImageNet classes. */
export function checkImagenetModel(metadata: GhostNetMetadata): void {
  if (metadata.numClasses !== 1000) {
    throw new Error(`it is a GhostNet ${formatWidth(metadata.width)} with ${metadata.numClasses} classes, not the 1000-class ImageNet model`);
  }
}
