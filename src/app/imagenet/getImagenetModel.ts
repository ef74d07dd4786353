/**
 * "Get the ImageNet model": download from the first source that works, convert in the worker,
 * switch to it, keep it in this browser. Every failure ends in one message; the previous model
 * stays in use and nothing is stored half-way.
 */
import { addModel } from '../actions.ts';
import { convertInWorker } from '../byow/userModels.ts';
import { saveArtifacts } from '../cache/savedModels.ts';
import { clearStaleError, useApp, withdrawMessage, type AppState, type DownloadState } from '../store.ts';
import { formatBytes, isAbort, type DownloadProgress } from '../../fetch/download.ts';
import { AllSourcesFailed, checkImagenetModel, fetchFirstWorking } from '../../fetch/fallback.ts';
import { hostOf } from '../../fetch/sources.ts';
import type { ConvertedModel } from '../../convert/convert.ts';
import { APP_SOURCES, IMAGENET_MODEL_ID } from './sources.ts';

const get = () => useApp.getState();
const set = (patch: Partial<AppState>) => get().set(patch);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let controller: AbortController | null = null;

/**
 * The download's own failure stays up while the webcam classifies (a frame's success does not make
 * it stale: errorPinned); the next attempt or the user takes it back.
 */
let shownError: string | null = null;
function fail(message: string): void {
  shownError = message;
  set({ error: message, errorPinned: true });
}

/** Stop the download (or the conversion after it); nothing is kept. */
export function cancelImagenetDownload(): void {
  controller?.abort();
}

function progress(patch: Partial<DownloadState>): void {
  const current = get().download;
  if (current) set({ download: { ...current, ...patch } });
}

/** At most one store update per percent of the file (a download arrives in hundreds of chunks). */
function onDownloadProgress(p: DownloadProgress): void {
  const current = get().download;
  if (!current) return;
  if (p.fraction < 1 && p.received > 0 && Math.floor(p.fraction * 100) === Math.floor(current.fraction * 100) && p.exact === current.exact) return;
  progress({ phase: 'downloading', received: p.received, total: p.total, exact: p.exact, fraction: p.fraction });
}

export async function getImagenetModel(): Promise<boolean> {
  if (controller || get().conversion) {
    set({ error: 'A model is already being downloaded or converted; wait for it to finish.' });
    return false;
  }
  if (get().models.some((m) => m.id === IMAGENET_MODEL_ID)) return false;
  withdrawMessage('error', shownError);
  shownError = null;
  controller = new AbortController();
  const { signal } = controller;
  const first = APP_SOURCES[0];
  set({
    ...clearStaleError(),
    download: { host: hostOf(first.url), attempt: 1, sources: APP_SOURCES.length, received: 0, total: first.approxBytes, exact: false, fraction: 0, phase: 'downloading' },
  });
  try {
    const fetched = await fetchFirstWorking<ConvertedModel>(
      APP_SOURCES,
      async (bytes, source) => {
        progress({ phase: 'converting' });
        const file = source.url.split('/').pop() || source.url;
        set({ conversion: { file, fraction: 0, stage: 'reading' } });
        try {
          const converted = await convertInWorker(source.url, bytes.buffer as ArrayBuffer, (fraction, stage) => set({ conversion: { file, fraction, stage } }), signal);
          checkImagenetModel(converted.metadata);
          return converted;
        } finally {
          set({ conversion: null });
        }
      },
      {
        signal,
        onAttempt: (source, index) => progress({ host: hostOf(source.url), attempt: index + 1, received: 0, total: source.approxBytes, exact: false, fraction: 0, phase: 'downloading' }),
        onProgress: onDownloadProgress,
      },
    );
    progress({ phase: 'loading' });
    const converted = fetched.result;
    if (!(await addModel(converted.metadata.name, converted, IMAGENET_MODEL_ID))) return false; // its message is set
    const from = `${hostOf(fetched.source.url)} (${formatBytes(fetched.bytes)} in ${seconds(fetched.downloadMs)}, converted in ${seconds(fetched.useMs)})`;
    progress({ phase: 'saving' });
    try {
      await saveArtifacts(IMAGENET_MODEL_ID, converted.metadata.name, converted, fetched.source.url);
    } catch (e) {
      fail(`The ImageNet model from ${from} is in use, but could not be kept in this browser: ${messageOf(e)}. Nothing was stored; it will need downloading again next time.`);
      return true;
    }
    set({ notice: `The ImageNet model came from ${from} and is kept in this browser for next time.` });
    return true;
  } catch (e) {
    if (isAbort(e)) set({ notice: 'The ImageNet download was cancelled; nothing was kept. The previous model is still in use.' });
    else if (e instanceof AllSourcesFailed) {
      const reasons = e.failures.map((f) => `${f.source.url} ${f.reason}.`).join(' ');
      fail(`The ImageNet model could not be downloaded. ${reasons} To do it by hand: download it from ${first.url}, then drop the file on this page. The previous model is still in use.`);
    } else fail(`The ImageNet model could not be set up: ${messageOf(e)}. The previous model is still in use.`);
    return false;
  } finally {
    controller = null;
    set({ download: null });
  }
}
