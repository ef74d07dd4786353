/** The Teach tab's state (one slice of the app store, `teach`): taught classes of the loaded backbone. */
import type { CropRule } from '../../model/index.ts';
import { DEFAULT_SETTINGS, type BackboneRef, type CentroidSettings, type Evaluation, type HeadKind, type KnnSettings, type SoftmaxParams, type SoftmaxSettings } from '../../model/heads/index.ts';

export interface TeachExample {
  readonly id: string;
  /** As `model.embed` returns it. */
  readonly embedding: Float32Array;
  /** A small JPEG data URL of what the model saw. */
  readonly thumbnail: string;
  /** A file name, or "webcam". */
  readonly source: string;
  readonly order: number;
}

export interface TeachClass {
  readonly id: string;
  readonly name: string;
  readonly examples: readonly TeachExample[];
}

export interface HeadSettingsByKind {
  readonly centroid: CentroidSettings;
  readonly knn: KnnSettings;
  readonly softmax: SoftmaxSettings;
}

/** The last prediction shown: for a webcam frame or a photo, over the classes it was made with. */
export interface TeachPrediction {
  readonly source: string;
  readonly kind: 'webcam' | 'photo';
  readonly index: number;
  readonly scores: Float32Array;
  readonly classIds: readonly string[];
}

export interface TeachState {
  /** no-model: nothing loaded yet; loading: reading what the browser kept for this backbone. */
  readonly status: 'no-model' | 'loading' | 'ready';
  /** weightsSha256 of the backbone the classes belong to. */
  readonly sha: string | null;
  readonly backbone: BackboneRef | null;
  /** Input side and crop rule every example is embedded with. */
  readonly input: { readonly size: number; readonly crop: CropRule } | null;
  readonly classes: readonly TeachClass[];
  readonly head: HeadKind;
  readonly settings: HeadSettingsByKind;
  /** Increases with every change to classes or examples. */
  readonly revision: number;
  readonly softmax: { readonly params: SoftmaxParams; readonly revision: number; readonly classIds: readonly string[] } | null;
  /** Softmax training in progress: losses so far. */
  readonly training: { readonly epochs: number; readonly losses: readonly number[] } | null;
  /** The losses of the last finished training (for the curve). */
  readonly losses: readonly number[] | null;
  /** The class the held record button adds webcam frames to. */
  readonly recording: string | null;
  readonly prediction: TeachPrediction | null;
  readonly evaluation: (Evaluation & { readonly revision: number; readonly head: HeadKind }) | null;
  /** Whether the browser keeps the classes (false: IndexedDB unavailable). */
  readonly persistent: boolean;
  /** Changes not yet written to IndexedDB. */
  readonly unsaved: number;
}

export const INITIAL_TEACH: TeachState = {
  status: 'no-model',
  sha: null,
  backbone: null,
  input: null,
  classes: [],
  head: 'centroid',
  settings: DEFAULT_SETTINGS,
  revision: 0,
  softmax: null,
  training: null,
  losses: null,
  recording: null,
  prediction: null,
  evaluation: null,
  persistent: true,
  unsaved: 0,
};

export const examplesIn = (classes: readonly TeachClass[]) => classes.reduce((n, c) => n + c.examples.length, 0);
