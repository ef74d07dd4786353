/**
 * The shipped sample photos, listed at build time: public/samples/index.json is bundled, so the
 * gallery is on the page's first screen with no request (and no wait on a busy main thread) for the
 * list. The file itself stays served for the benchmark and the tests.
 */
import index from '../../../public/samples/index.json';

export interface Sample {
  readonly file: string;
  /** The photo's true class. */
  readonly name: string;
}

export const SAMPLES: readonly Sample[] = index.samples;
