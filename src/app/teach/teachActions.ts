/**
 * What the Teach tab can do. The taught classes live in the store's `teach` slice; every change
 * is written to IndexedDB (storage.ts) in the background, in order; the head is kept in step
 * (the nearest-class-mean and kNN heads take a new example in place, so predictions follow at
 * once). Failures end as one message in the app's error region; nothing half-done is kept.
 */
import { messageOf } from '../actions.ts';
import { pixelsFromBlob } from '../pixels.ts';
import { clearStaleError, useApp } from '../store.ts';
import type { AnyModel, PixelBuffer } from '../../model/index.ts';
import {
  CentroidHead, HEAD_LIMITS, KnnHead, MAX_TEACH_FILE_BYTES, MIN_EXAMPLES_TO_EVALUATE, SoftmaxHead, TeachFileError, checkBackbone, checkClassName,
  crossValidateSoftmax, evaluateHead, readTeachFile, trainSoftmax, writeTeachFile,
  type ClassExamples, type Head, type HeadKind, type HeadSettings, type TaughtSet,
} from '../../model/heads/index.ts';
import { embedPixels } from './embedder.ts';
import { INITIAL_TEACH, examplesIn, type HeadSettingsByKind, type TeachClass, type TeachExample, type TeachState } from './state.ts';
import { deleteSet, loadSet, replaceSet, saveSet, type StoredExample, type StoredSet } from './storage.ts';
import { TEACH_SETTINGS } from './teachSettings.ts';

const app = () => useApp.getState();
const state = () => app().teach;
const update = (patch: Partial<TeachState>) => app().set({ teach: { ...state(), ...patch } });
const fail = (error: string) => app().set({ error });

let idCounter = 0;
const newId = () => (typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${++idCounter}`);

// ---------------------------------------------------------------------------------------------
// Persistence: one write at a time, in the order of the changes.

let writing: Promise<void> = Promise.resolve();

function storedSet(t: TeachState): StoredSet {
  return {
    sha: t.sha!, backbone: t.backbone!, input: t.input!, head: t.head, settings: t.settings, revision: t.revision, softmax: t.softmax,
    classes: t.classes.map((c) => ({ id: c.id, name: c.name })), updatedAt: Date.now(),
  };
}

function storedExample(sha: string, classId: string, e: TeachExample): StoredExample {
  return { id: e.id, sha, classId, embedding: e.embedding, thumbnail: e.thumbnail, source: e.source, order: e.order };
}

function persist(added: StoredExample[] = [], removed: string[] = []): void {
  const t = state();
  if (!t.persistent || !t.sha) return;
  const snapshot = storedSet(t);
  update({ unsaved: t.unsaved + 1 });
  writing = writing
    .then(() => saveSet(snapshot, added, removed))
    .catch((e) => fail(`Your taught classes could not be saved in this browser: ${messageOf(e)}. They stay until you close the page; export them to keep them.`))
    .finally(() => update({ unsaved: Math.max(0, state().unsaved - 1) }));
}

/** Resolves when every change so far is stored (for tests and before reading back). */
export function teachSaved(): Promise<void> {
  return writing;
}

// ---------------------------------------------------------------------------------------------
// The head, kept in step with the classes.

interface CachedHead {
  readonly revision: number;
  readonly kind: HeadKind;
  readonly key: string;
  readonly head: Head;
}
let cached: CachedHead | null = null;

const settingsKey = (s: HeadSettings) => JSON.stringify(s);
const classIds = (classes: readonly TeachClass[]) => classes.map((c) => c.id);
const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function classExamplesOf(classes: readonly TeachClass[]): ClassExamples[] {
  return classes.map((c) => ({ name: c.name, embeddings: c.examples.map((e) => e.embedding) }));
}

/** Why there is no prediction yet, or null when the head can predict. */
export function headUnavailableReason(t: TeachState = state()): string | null {
  if (t.status !== 'ready') return 'Loading…';
  if (t.classes.filter((c) => c.examples.length > 0).length < HEAD_LIMITS.minClasses) return 'Give at least two classes some examples to see predictions.';
  if (t.head === 'softmax') {
    if (!t.softmax || !sameIds(t.softmax.classIds, classIds(t.classes))) return 'Train the softmax head to see its predictions.';
  }
  return null;
}

/** The head for the current classes and settings; null while it cannot predict. */
export function currentHead(): Head | null {
  const t = state();
  if (headUnavailableReason(t)) return null;
  const settings = t.settings[t.head];
  const revision = t.head === 'softmax' ? t.softmax!.revision : t.revision;
  const key = settingsKey(settings);
  if (cached && cached.kind === t.head && cached.revision === revision && cached.key === key && cached.head.classCount === t.classes.length) return cached.head;
  const size = t.classes.find((c) => c.examples.length > 0)!.examples[0].embedding.length;
  let head: Head;
  if (settings.kind === 'centroid') head = CentroidHead.fit(classExamplesOf(t.classes), size, settings);
  else if (settings.kind === 'knn') head = KnnHead.fit(classExamplesOf(t.classes), settings);
  else head = new SoftmaxHead(size, t.classes.length, settings, t.softmax!.params);
  cached = { revision, kind: t.head, key, head };
  return head;
}

/** Is the softmax head trained on an older set of examples than the current one? */
export function softmaxOutdated(t: TeachState = state()): boolean {
  return t.head === 'softmax' && t.softmax !== null && t.softmax.revision !== t.revision;
}

// ---------------------------------------------------------------------------------------------
// Opening the set of the loaded backbone

let openToken = 0;

function freshClasses(): TeachClass[] {
  return Array.from({ length: TEACH_SETTINGS.initialClasses }, (_, i) => ({ id: newId(), name: `Class ${i + 1}`, examples: [] }));
}

/** Show the classes taught on this model's backbone (what the browser kept, or a fresh set). */
export async function openTeachFor(model: AnyModel | null): Promise<void> {
  const token = ++openToken;
  stopTraining();
  if (!model) {
    update({ ...INITIAL_TEACH, persistent: state().persistent, unsaved: state().unsaved });
    return;
  }
  const sha = model.weightsSha256;
  if (state().sha === sha && state().status !== 'no-model') return;
  cached = null;
  const backbone = { name: model.metadata.name, weightsSha256: sha, width: model.metadata.width, numClasses: model.metadata.numClasses };
  update({ ...INITIAL_TEACH, status: 'loading', sha, backbone, persistent: state().persistent, unsaved: state().unsaved });
  let kept: Awaited<ReturnType<typeof loadSet>> = null;
  let persistent = true;
  try {
    await writing;
    kept = await loadSet(sha);
  } catch (e) {
    persistent = false;
    app().set({ notice: `Taught classes cannot be kept in this browser (${messageOf(e)}); they last until the page closes. Export them to keep them.` });
  }
  if (token !== openToken) return;
  if (!kept) {
    update({ ...INITIAL_TEACH, status: 'ready', sha, backbone, persistent, unsaved: state().unsaved, input: { size: model.inputSize, crop: model.crop }, classes: freshClasses() });
    return;
  }
  const { set, examples } = kept;
  const classes = set.classes.map((c) => ({ id: c.id, name: c.name, examples: examples.filter((e) => e.classId === c.id).map(({ id, embedding, thumbnail, source, order }) => ({ id, embedding, thumbnail, source, order })) }));
  update({ ...INITIAL_TEACH, status: 'ready', sha, backbone: set.backbone, persistent, unsaved: state().unsaved, input: set.input, classes, head: set.head, settings: set.settings, revision: set.revision, softmax: set.softmax });
  scheduleEvaluation();
}

// ---------------------------------------------------------------------------------------------
// Classes

/** A change to the classes or examples: new revision, evaluation out of date, saved. */
function changed(classes: readonly TeachClass[], added: StoredExample[] = [], removed: string[] = []): void {
  update({ classes, revision: state().revision + 1 });
  persist(added, removed);
  scheduleEvaluation();
}

function nameProblem(name: string, exceptId: string | null): string | null {
  let n: string;
  try {
    n = checkClassName(name);
  } catch (e) {
    return messageOf(e);
  }
  if (state().classes.some((c) => c.id !== exceptId && c.name.toLowerCase() === n.toLowerCase())) return `there is already a class called "${n}"`;
  return null;
}

export function addClass(): void {
  const t = state();
  if (t.status !== 'ready') return;
  if (t.classes.length >= HEAD_LIMITS.maxClasses) {
    fail(`A head takes at most ${HEAD_LIMITS.maxClasses} classes.`);
    return;
  }
  let n = t.classes.length + 1;
  while (t.classes.some((c) => c.name.toLowerCase() === `class ${n}`)) n++;
  changed([...t.classes, { id: newId(), name: `Class ${n}`, examples: [] }]);
}

/** Rename a class; a bad name is refused with a message (and the old one kept). */
export function renameClass(id: string, name: string): boolean {
  const problem = nameProblem(name, id);
  if (problem) {
    fail(`The class cannot be renamed: ${problem}.`);
    return false;
  }
  const n = name.trim();
  const t = state();
  if (t.classes.find((c) => c.id === id)?.name === n) return true;
  update({ classes: t.classes.map((c) => (c.id === id ? { ...c, name: n } : c)) });
  persist();
  return true;
}

export function deleteClass(id: string): void {
  const t = state();
  const gone = t.classes.find((c) => c.id === id);
  if (!gone) return;
  if (t.classes.length <= HEAD_LIMITS.minClasses) {
    fail(`Keep at least ${HEAD_LIMITS.minClasses} classes; rename this one or remove its examples instead.`);
    return;
  }
  if (t.recording === id) update({ recording: null });
  changed(t.classes.filter((c) => c.id !== id), [], gone.examples.map((e) => e.id));
}

// ---------------------------------------------------------------------------------------------
// Examples

let nextOrder = Date.now();

/** Add examples to a class; the nearest-class-mean and kNN heads take them in place. */
function addExamples(classId: string, items: readonly { embedding: Float32Array; thumbnail: string; source: string }[]): number {
  const t = state();
  const index = t.classes.findIndex((c) => c.id === classId);
  if (index < 0 || items.length === 0) return 0;
  const room = HEAD_LIMITS.maxExamplesPerClass - t.classes[index].examples.length;
  if (room <= 0) {
    fail(`"${t.classes[index].name}" has ${HEAD_LIMITS.maxExamplesPerClass} examples, the most a class can hold; remove some first.`);
    update({ recording: null });
    return 0;
  }
  const examples: TeachExample[] = items.slice(0, room).map((i) => ({ id: newId(), embedding: i.embedding, thumbnail: i.thumbnail, source: i.source, order: ++nextOrder }));
  // Keep the cached head in step (no refit) when it is exactly the head of the current revision.
  const head = cached && cached.revision === t.revision && cached.kind === t.head && t.head !== 'softmax' && cached.head.classCount === t.classes.length ? cached.head : null;
  if (head instanceof CentroidHead || head instanceof KnnHead) {
    for (const e of examples) head.add(index, e.embedding);
    cached = { ...cached!, revision: t.revision + 1 };
  }
  const classes = t.classes.map((c, i) => (i === index ? { ...c, examples: [...c.examples, ...examples] } : c));
  changed(classes, examples.map((e) => storedExample(t.sha!, classId, e)));
  return examples.length;
}

export function removeExample(classId: string, exampleId: string): void {
  const t = state();
  const classes = t.classes.map((c) => (c.id === classId ? { ...c, examples: c.examples.filter((e) => e.id !== exampleId) } : c));
  changed(classes, [], [exampleId]);
}

/** Photos chosen or dropped onto a class: each is decoded, embedded and added; bad ones are skipped and named. */
export async function addPhotos(classId: string, files: readonly File[]): Promise<number> {
  const model = app().model;
  const t = state();
  if (!model || t.status !== 'ready' || !t.input) return 0;
  const sha = t.sha;
  const skipped: string[] = [];
  let added = 0;
  for (const file of files) {
    try {
      const { pixels } = await pixelsFromBlob(file, file.name);
      const e = await embedPixels(model, pixels, t.input, true);
      if (state().sha !== sha || !state().classes.some((c) => c.id === classId)) return added; // model or class changed meanwhile
      added += addExamples(classId, [{ ...e, source: file.name }]);
    } catch (e) {
      skipped.push(messageOf(e));
    }
  }
  if (skipped.length) fail(`${skipped.length === 1 ? 'A file was' : `${skipped.length} files were`} skipped: ${skipped.join('; ')}.`);
  else if (added) app().set(clearStaleError());
  return added;
}

let lastRecordedAt = 0;

/** Start or stop adding webcam frames to a class (the held record button). */
export function setRecording(classId: string | null): void {
  if (classId !== null && state().status !== 'ready') return;
  if (classId !== state().recording) lastRecordedAt = 0;
  update({ recording: classId });
  if (classId === null) scheduleEvaluation();
}

/**
 * One webcam frame: its embedding becomes an example of the recording class (at most every
 * recordIntervalMs), and the head predicts it. The caller skips frames while embedderBusy().
 */
export async function teachFrame(pixels: PixelBuffer, now = performance.now()): Promise<void> {
  const model = app().model;
  const t = state();
  if (!model || t.status !== 'ready' || !t.input) return;
  const record = t.recording !== null && now - lastRecordedAt >= TEACH_SETTINGS.recordIntervalMs ? t.recording : null;
  const e = await embedPixels(model, pixels, t.input, record !== null);
  if (state().sha !== t.sha) return;
  if (record !== null && state().recording === record) {
    lastRecordedAt = now;
    addExamples(record, [{ ...e, source: 'webcam' }]);
  }
  predictEmbedding(e.embedding, 'webcam', 'webcam');
}

/** A photo to classify with the taught head. */
export async function predictPhoto(file: File): Promise<void> {
  const model = app().model;
  const t = state();
  if (!model || t.status !== 'ready' || !t.input) return;
  try {
    const { pixels } = await pixelsFromBlob(file, file.name);
    const e = await embedPixels(model, pixels, t.input, false);
    if (state().sha === t.sha) predictEmbedding(e.embedding, file.name, 'photo');
  } catch (e) {
    fail(messageOf(e));
  }
}

/** The head's answer for an embedding, into the store (null when it cannot predict yet). */
export function predictEmbedding(embedding: Float32Array, source: string, kind: 'webcam' | 'photo'): void {
  const head = currentHead();
  const t = state();
  if (!head) {
    if (t.prediction) update({ prediction: null });
    return;
  }
  const { index, scores } = head.predict(embedding);
  update({ prediction: { source, kind, index, scores, classIds: classIds(t.classes) } });
}

// ---------------------------------------------------------------------------------------------
// Head choice and softmax training

export function chooseHead(kind: HeadKind): void {
  if (state().head === kind) return;
  update({ head: kind, prediction: null });
  persist();
  scheduleEvaluation();
}

export function changeSettings<K extends HeadKind>(kind: K, patch: Partial<HeadSettingsByKind[K]>): void {
  const t = state();
  const settings = { ...t.settings, [kind]: { ...t.settings[kind], ...patch } } as HeadSettingsByKind;
  update({ settings, ...(kind === 'softmax' ? {} : { prediction: null }) });
  persist();
  scheduleEvaluation();
}

let training: AbortController | null = null;

export function stopTraining(): void {
  training?.abort();
  training = null;
}

/** Train softmax regression on every example (with a live loss), then its cross-validation. */
export async function trainSoftmaxHead(): Promise<void> {
  const t = state();
  if (t.status !== 'ready' || training) return;
  const classes = classExamplesOf(t.classes);
  const empty = t.classes.find((c) => c.examples.length === 0);
  if (empty) {
    fail(`"${empty.name}" has no examples, so it cannot be trained; give it some or delete it.`);
    return;
  }
  const settings = t.settings.softmax;
  const controller = new AbortController();
  training = controller;
  const losses: number[] = [];
  const revision = t.revision;
  const ids = classIds(t.classes);
  update({ training: { epochs: settings.epochs, losses } });
  try {
    const embeddings = classes.flatMap((c) => c.embeddings);
    const labels = classes.flatMap((c, i) => c.embeddings.map(() => i));
    const size = embeddings[0].length;
    const head = await trainSoftmax(embeddings, labels, classes.length, size, settings, {
      signal: controller.signal,
      onEpoch: (_, loss) => {
        losses.push(loss);
        update({ training: { epochs: settings.epochs, losses: losses.slice() } });
      },
    });
    if (state().sha !== t.sha) return;
    update({ softmax: { params: head.params, revision, classIds: ids }, training: null, losses });
    persist();
    if (classes.every((c) => c.embeddings.length >= MIN_EXAMPLES_TO_EVALUATE)) {
      const evaluation = await crossValidateSoftmax(classes, size, settings, { signal: controller.signal });
      if (state().revision === revision) update({ evaluation: { ...evaluation, revision, head: 'softmax' } });
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') fail(`Training failed: ${messageOf(e)}`);
    update({ training: null });
  } finally {
    if (training === controller) training = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Leave-one-out, once every class has enough examples

let evaluationTimer: ReturnType<typeof setTimeout> | null = null;

/** Whether every class has enough examples for an evaluation. */
export function evaluable(t: TeachState = state()): boolean {
  return t.classes.length >= HEAD_LIMITS.minClasses && t.classes.every((c) => c.examples.length >= MIN_EXAMPLES_TO_EVALUATE);
}

function scheduleEvaluation(): void {
  if (evaluationTimer) clearTimeout(evaluationTimer);
  evaluationTimer = setTimeout(() => {
    evaluationTimer = null;
    const t = state();
    if (t.recording) return; // runs when recording stops
    if (t.head === 'softmax' || !evaluable(t)) return; // softmax: cross-validated after training
    if (t.head === 'knn' && examplesIn(t.classes) > TEACH_SETTINGS.knnAutoEvaluateLimit) return;
    void evaluateNow();
  }, TEACH_SETTINGS.evaluateDelayMs);
}

/** Leave-one-out (nearest class mean, kNN) for the current classes. */
export async function evaluateNow(): Promise<void> {
  const t = state();
  if (!evaluable(t) || t.head === 'softmax') return;
  const classes = classExamplesOf(t.classes);
  const evaluation = await evaluateHead(classes, classes[0].embeddings[0].length, t.settings[t.head]);
  if (state().revision === t.revision && state().head === t.head) update({ evaluation: { ...evaluation, revision: t.revision, head: t.head } });
}

// ---------------------------------------------------------------------------------------------
// Keep and share: export, import, clear

export function taughtSetOf(t: TeachState): TaughtSet {
  const softmax = t.head === 'softmax' && t.softmax && t.softmax.revision === t.revision && sameIds(t.softmax.classIds, classIds(t.classes)) ? t.softmax.params : null;
  const embeddingSize = t.classes.find((c) => c.examples.length)?.examples[0].embedding.length ?? 1280;
  return {
    backbone: t.backbone!, input: t.input!, embeddingSize, head: t.settings[t.head], softmax,
    classes: t.classes.map((c) => ({ name: c.name, examples: c.examples.map((e) => ({ embedding: e.embedding, thumbnail: e.thumbnail || undefined, source: e.source })) })),
  };
}

export const TEACH_CREATED_BY = 'GhostNet in the browser, Teach tab';

/** The taught classes as one file (the CLI's head.json format), offered as a download. */
export function exportTeach(): void {
  const t = state();
  if (t.status !== 'ready') return;
  const text = writeTeachFile(taughtSetOf(t), TEACH_CREATED_BY);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `ghostnet-teach-${t.backbone!.name.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '').toLowerCase()}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  app().set({ notice: `Exported ${t.classes.length} classes with ${examplesIn(t.classes)} examples.` });
}

/** Read and check an import file; null (with one message in the error region) when it is refused. */
export async function readImport(file: File): Promise<TaughtSet | null> {
  const refuse = (why: string) => {
    fail(`"${file.name}" was not imported: ${why}. Nothing was changed.`);
    return null;
  };
  if (file.size > MAX_TEACH_FILE_BYTES) return refuse(`it is ${(file.size / 1024 / 1024).toFixed(0)} MB; teach files up to ${MAX_TEACH_FILE_BYTES / 1024 / 1024} MB are accepted`);
  const model = app().model;
  if (!model) return refuse('no model is loaded');
  try {
    const set = readTeachFile(await file.text());
    checkBackbone(set, { name: model.metadata.name, weightsSha256: model.weightsSha256, embeddingSize: model.embeddingSize });
    return set;
  } catch (e) {
    if (e instanceof TeachFileError) return refuse(e.message);
    return refuse(`it could not be read (${messageOf(e)})`);
  }
}

/** Replace the current classes with an imported set (checked by readImport); stored atomically. */
export async function applyImport(set: TaughtSet, name: string): Promise<void> {
  const t = state();
  if (t.status !== 'ready' || set.backbone.weightsSha256 !== t.sha) return;
  stopTraining();
  const classes: TeachClass[] = set.classes.map((c) => ({
    id: newId(), name: c.name,
    examples: c.examples.map((e) => ({ id: newId(), embedding: e.embedding, thumbnail: e.thumbnail ?? '', source: e.source ?? name, order: ++nextOrder })),
  }));
  while (classes.length < HEAD_LIMITS.minClasses) classes.push({ id: newId(), name: `Class ${classes.length + 1}`, examples: [] });
  const revision = t.revision + 1;
  const settings = { ...t.settings, [set.head.kind]: set.head } as HeadSettingsByKind;
  const softmax = set.softmax ? { params: set.softmax, revision, classIds: classIds(classes) } : null;
  const next: TeachState = { ...t, input: set.input, classes, head: set.head.kind, settings, revision, softmax, prediction: null, evaluation: null, losses: null, recording: null };
  if (t.persistent) {
    const all = classes.flatMap((c) => c.examples.map((e) => storedExample(t.sha!, c.id, e)));
    try {
      await writing;
      await replaceSet(storedSet(next), all);
    } catch (e) {
      fail(`"${name}" was not imported: it could not be stored (${messageOf(e)}). Nothing was changed.`);
      return;
    }
  }
  cached = null;
  update(next);
  app().set({ ...clearStaleError(), notice: `Imported ${classes.length} classes with ${examplesIn(classes)} examples from "${name}".` });
  scheduleEvaluation();
}

/** Forget every taught class of this backbone (after the user confirmed). */
export async function clearTeach(): Promise<void> {
  const t = state();
  if (t.status !== 'ready') return;
  stopTraining();
  if (t.persistent) {
    try {
      await writing;
      await deleteSet(t.sha!);
    } catch (e) {
      fail(`The taught classes could not be cleared: ${messageOf(e)}`);
      return;
    }
  }
  cached = null;
  update({ ...INITIAL_TEACH, status: 'ready', sha: t.sha, backbone: t.backbone, persistent: t.persistent, unsaved: state().unsaved, input: t.input, classes: freshClasses(), revision: t.revision + 1 });
}
