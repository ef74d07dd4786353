/** The view is never empty: without an upload, sample or webcam frame, the first shipped sample is used. */
import { classifyImage, messageOf } from '../actions.ts';
import { SAMPLES } from '../input/samples.ts';
import { useApp } from '../store.ts';

let loading: Promise<void> | null = null;

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

async function loadFirstSample(): Promise<void> {
  try {
    const first = SAMPLES[0];
    if (!first) throw new Error('the sample list is empty');
    const blob = await (await fetchOk(`samples/${first.file}`)).blob();
    // The user may have picked an image meanwhile; theirs wins.
    if (useApp.getState().input) return;
    await classifyImage(blob, first.file, 'sample');
  } catch (e) {
    useApp.getState().set({ error: `The sample image could not be loaded: ${messageOf(e)}` });
  }
}

export function ensureInput(): Promise<void> {
  if (useApp.getState().input) return Promise.resolve();
  loading ??= loadFirstSample().finally(() => {
    loading = null;
  });
  return loading;
}
