/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * The service worker (src/sw.ts, built by vite-plugin-pwa with Workbox, see vite.config.ts): it
 * precaches the app, the wasm binaries, the fonts, the shipped models and the samples, so the app
 * starts and classifies offline, and makes the page cross-origin isolated from the second visit on.
 * A new deployment installs in the background and then waits: the page shows "reload to update"
 * (store `updateReady`) and only the user's reload switches versions.
 *
 * A page no service worker serves yet (a first visit) registers it only once its first model has
 * loaded (or failed to) and the weights it downloaded are kept (keepWeights.ts): the install then
 * finds them in the cache and does not download them a second time.
 */
import { registerSW } from 'virtual:pwa-register';
import { useApp, type AppState } from '../store.ts';
import { keptWeightsSettled } from './keepWeights.ts';

/** How often an open page asks the server whether a new deployment exists (besides every load). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

let applyUpdate: (() => Promise<void>) | null = null;

/** The page's first model is loaded or has failed (or the app could not even list its models). */
function firstModelSettled(s: AppState): boolean {
  return s.modelStatus === 'ready' || s.modelStatus === 'error' || (s.modelStatus === 'idle' && s.error !== null);
}

function whenFirstModelSettled(): Promise<void> {
  return new Promise((resolve) => {
    if (firstModelSettled(useApp.getState())) return resolve();
    const stop = useApp.subscribe((s) => {
      if (!firstModelSettled(s)) return;
      stop();
      resolve();
    });
  });
}

export function startServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  // A page already controlled by a service worker is served from its complete precache.
  if (navigator.serviceWorker.controller) {
    useApp.getState().set({ offlineReady: true });
    register();
  } else {
    void whenFirstModelSettled().then(keptWeightsSettled).then(register);
  }
}

function register(): void {
  applyUpdate = registerSW({
    immediate: true,
    onOfflineReady: () => useApp.getState().set({ offlineReady: true }),
    onNeedRefresh: () => useApp.getState().set({ updateReady: true }),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      setInterval(() => {
        if (document.visibilityState === 'visible' && navigator.onLine) void registration.update().catch(() => {});
      }, UPDATE_CHECK_MS);
    },
    onRegisterError: (e) => console.warn(`The service worker could not be registered, so the app will not work offline: ${e instanceof Error ? e.message : String(e)}`),
  });
}

/** Activate the waiting version; the page reloads once it controls the page. */
export async function reloadToUpdate(): Promise<void> {
  await applyUpdate?.();
}
