/**
 * The app's shared state, in one store (zustand). Components read slices with `useApp(selector)`;
 * long-running work (backend start, model loading, inference) lives in `actions.ts`.
 */
import { create } from 'zustand';
import type { AnyModel, ModelSource, PixelBuffer, Prediction } from '../model/index.ts';
import type { BackendInfo, BackendName } from '../runtime/backends.ts';
import type { WebgpuReport } from '../runtime/webgpu.ts';
import type { ModelInputImage } from './input/pipeline.ts';
import { INITIAL_TEACH, type TeachState } from './teach/state.ts';

export interface ModelEntry {
  readonly id: string;
  readonly name: string;
  readonly source: ModelSource;
  /** Shipped with the app (true) or brought by the user (false). */
  readonly builtIn: boolean;
}

/** A model kept in this browser (IndexedDB), as the diagnostics panel lists it. */
export interface SavedModelInfo {
  readonly id: string;
  readonly name: string;
  readonly bytes: number;
  /** The URL it was downloaded from, or the file it was converted from. */
  readonly origin: string;
}

/** The one-click ImageNet download while it runs. */
export interface DownloadState {
  /** The source being tried ("huggingface.co") and its place in the list. */
  readonly host: string;
  readonly attempt: number;
  readonly sources: number;
  readonly received: number;
  /** The announced length, or the approximate size while the server has not said. */
  readonly total: number;
  readonly exact: boolean;
  readonly fraction: number;
  readonly phase: 'downloading' | 'converting' | 'loading' | 'saving';
}

export type InputKind = 'upload' | 'sample' | 'webcam';

/** Getting a model ready, in order: its bytes, the backend (which may still be starting), weights, warm-up. */
export type LoadStage = 'download' | 'backend' | 'prepare' | 'warmup';

export interface ModelProgress {
  readonly stage: LoadStage;
  /** Bytes (download) or steps (warm-up) done; total null when unknown. */
  readonly done: number;
  readonly total: number | null;
}

/** The background trial's timing (ms per forward pass of the model in use), when the app ran one. */
export interface BackendProbe {
  readonly wasmMs: number;
  /** Per GPU backend tried (WebGL, WebGPU); null when not tried. */
  readonly webglMs: number | null;
  readonly webgpuMs: number | null;
  /** The fastest GPU backend's ms / wasmMs (below 1: the GPU is faster). */
  readonly ratio: number;
}

/**
 * The app's own choice at work in the background: a GPU backend being warmed up and timed against
 * wasm while the page answers on wasm, then switched to (only if faster) or kept off.
 */
export interface BackendTrial {
  /** The GPU backend being tried (or the one switched to). */
  readonly backend: BackendName;
  readonly state: 'warming' | 'timing' | 'switched' | 'kept' | 'failed' | 'cancelled';
  /** Warm-up steps done and in all (WebGL's shaders one step at a time). */
  readonly done: number;
  readonly total: number | null;
  /** Why it failed or was kept off, or what forced it; null otherwise. */
  readonly message: string | null;
  /** tf.memory().numTensors as the trial began (the model in use on wasm only); null before. */
  readonly tensorsBefore: number | null;
}

/** The image every view works on: the last upload, sample or webcam frame. */
export interface CurrentInput {
  readonly pixels: PixelBuffer;
  readonly label: string;
  readonly kind: InputKind;
  /** Increases with every new input, so views can tell frames apart cheaply. */
  readonly version: number;
}

export interface AppState {
  backend: BackendInfo | null;
  backendStatus: 'starting' | 'ready' | 'error';
  /** Backend the user asked for (the app may have fallen back from it). */
  requestedBackend: BackendName;
  /** True while the app tries a GPU backend in the background (the page answers on wasm meanwhile). */
  backendProbing: boolean;
  backendProbe: BackendProbe | null;
  backendTrial: BackendTrial | null;
  /** The WebGPU adapter as the app's own choice saw it (webgpu.ts), once it looked; null before. */
  webgpuSeen: WebgpuReport | null;
  models: ModelEntry[];
  modelId: string | null;
  /** The model in use: a GhostNet, or a network trained in the Ghost lab (`kind` tells). */
  model: AnyModel | null;
  modelStatus: 'idle' | 'loading' | 'ready' | 'error';
  modelLoadMs: number | null;
  /** Where the model being loaded is (header progress bar); null when nothing loads. */
  modelProgress: ModelProgress | null;
  inputSize: number;
  input: CurrentInput | null;
  predictions: Prediction[] | null;
  latencyMs: number | null;
  /** The S x S pixels the model saw for the last prediction (drawn by the input preview). */
  modelInput: ModelInputImage | null;
  /** Inferences run since the page opened. */
  inferenceCount: number;
  /** A checkpoint being converted in the worker. */
  conversion: { readonly file: string; readonly fraction: number; readonly stage: string } | null;
  /** The ImageNet download in progress (null when none). */
  download: DownloadState | null;
  /** Models kept in this browser. */
  savedModels: readonly SavedModelInfo[];
  /** The message shown in the error region (null when all is well). */
  error: string | null;
  /**
   * The error belongs to a form input that is still invalid (the explainer's): the app's own
   * successes (a model ready, a prediction made) do not clear it; its owner or the user does.
   * Any other error set replaces it and unpins.
   */
  errorPinned: boolean;
  /** Something the user should know that is not an error (e.g. a huge photo was scaled down). */
  notice: string | null;
  /** A polite status line for screen readers and the page (e.g. what was classified). */
  status: string;
  /** The open tab (an id of App's TABS); unknown ids fall back to the first tab. */
  tab: string;
  /** The Teach tab: classes taught on the loaded backbone (see teach/state.ts). */
  teach: TeachState;
  /** The service worker holds everything the app needs to start and classify offline. */
  offlineReady: boolean;
  /** A newer deployment is installed and waits for the user to reload. */
  updateReady: boolean;
  set: (patch: Partial<AppState>) => void;
}

export const useApp = create<AppState>((set) => ({
  backend: null,
  backendStatus: 'starting',
  requestedBackend: 'webgl',
  backendProbing: false,
  backendProbe: null,
  backendTrial: null,
  webgpuSeen: null,
  models: [],
  modelId: null,
  model: null,
  modelStatus: 'idle',
  modelLoadMs: null,
  modelProgress: null,
  inputSize: 160,
  input: null,
  predictions: null,
  latencyMs: null,
  modelInput: null,
  inferenceCount: 0,
  conversion: null,
  download: null,
  savedModels: [],
  error: null,
  errorPinned: false,
  notice: null,
  status: '',
  tab: 'classify',
  teach: INITIAL_TEACH,
  offlineReady: false,
  updateReady: false,
  set: (patch) => set('error' in patch && !('errorPinned' in patch) ? { ...patch, errorPinned: false } : patch),
}));

/** Take back a message this part of the app showed, unless another has replaced it since. */
export function withdrawMessage(field: 'error' | 'notice', shown: string | null): void {
  const state = useApp.getState();
  if (shown !== null && state[field] === shown) state.set({ [field]: null });
}

/** The patch that clears an error a success makes stale, leaving a pinned one (see errorPinned). */
export function clearStaleError(): Partial<AppState> {
  return useApp.getState().errorPinned ? {} : { error: null };
}

let inputVersion = 0;
export function nextInputVersion(): number {
  return ++inputVersion;
}
