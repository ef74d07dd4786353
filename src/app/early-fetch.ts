/**
 * The first model's bytes, asked for before anything else runs: main.tsx imports this module first,
 * so the model list, the first model's model.json and its weights are on their way (and the wasm
 * backend's binary is being compiled) while the rest of the app's code is evaluated and the page
 * first renders (hundreds of milliseconds on a slow device). All of them are asked for at once: the
 * shipped models' files are known at build time (scripts/vite-shipped-models.ts), so no request
 * waits for another's response (and for the main thread, busy evaluating the app, to read it). The
 * app's own fetches (startApp, selectModel) take these responses through `earlyFetch`, each once;
 * everything else goes to the network as usual. The first model is the one startApp will load: the
 * model remembered from an earlier visit if it is a shipped one, else the default (a model kept in
 * IndexedDB needs no download, so then only the list is fetched early).
 */
import { SHIPPED_MODEL_FILES } from 'virtual:shipped-model-files';
import { compileWasmEarly } from '../runtime/wasm-early.ts';

/** The same key as cache/savedModels.ts (not imported: this module must stay tiny and run first). */
const LAST_MODEL_KEY = 'ghostnet.model.last';

const early = new Map<string, Promise<Response>>();

const absolute = (url: string | URL) => new URL(url, location.href).href;

function start(url: string): Promise<Response> {
  const p = fetch(url);
  early.set(absolute(url), p);
  // A failure is the taker's to report; nothing is said if no one takes it.
  p.catch(() => {});
  return p;
}

function remembered(): string | null {
  try {
    return localStorage.getItem(LAST_MODEL_KEY);
  } catch {
    return null;
  }
}

/** A shipped model's files and name as the build listed them; own keys only, so an id (a remembered one, say) is never looked up on the object's prototype. */
export function shippedModel(id: string | null): (typeof SHIPPED_MODEL_FILES.models)[string] | undefined {
  return id !== null && Object.hasOwn(SHIPPED_MODEL_FILES.models, id) ? SHIPPED_MODEL_FILES.models[id] : undefined;
}

function prefetch(): void {
  try {
    start(SHIPPED_MODEL_FILES.index);
    const first = shippedModel(remembered() ?? SHIPPED_MODEL_FILES.defaultId);
    if (!first) return;
    start(first.modelJson);
    for (const path of first.weights) start(path);
  } catch {
    // Nothing fetched early: the app's own fetches go to the network as usual.
  }
}

// Every early request is made here, synchronously, as this module is evaluated: before any of the
// app's own fetches can ask for the same URL, so none is made twice.
if (typeof window !== 'undefined' && typeof fetch === 'function') prefetch();

// And the wasm backend's binary: compiled off the main thread meanwhile (runtime/wasm-early.ts).
if (typeof window !== 'undefined') compileWasmEarly();

/** `fetch`, but a request for a URL fetched early (and not yet taken) gets that response, once. */
export const earlyFetch: typeof fetch = async (input, init) => {
  const url = absolute(input instanceof Request ? input.url : input);
  const taken = early.get(url);
  if (!taken || (init?.method && init.method !== 'GET')) return fetch(input, init);
  early.delete(url);
  return taken;
};
