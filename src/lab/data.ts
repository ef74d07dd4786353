/**
 * The lab's in-memory data sets (LabData: NHWC uint8 32 x 32 x 3 images, class-index labels):
 * checks, class counts, balanced subsets. Pure code, shared by the CLI, the page's worker and tests.
 */
import type { LabData } from './types.ts';

/** Bytes of one lab image (32 x 32 RGB). */
export const LAB_IMAGE_BYTES = 32 * 32 * 3;

/** A LabData from its parts, checked (one-line Error when the parts do not fit together). */
export function labData(images: Uint8Array, labels: Uint8Array, classes: readonly string[]): LabData {
  const data = { images, labels, count: labels.length, classes: [...classes] };
  checkLabData(data);
  return data;
}

/** Throws a one-line Error unless `data` is consistent: sizes, labels within the classes, distinct class names. */
export function checkLabData(data: LabData, what = 'the data set'): void {
  if (data.classes.length < 2) throw new Error(`${what} has ${data.classes.length} class${data.classes.length === 1 ? ` ("${data.classes[0]}")` : 'es'}; training needs at least 2`);
  if (new Set(data.classes).size !== data.classes.length) throw new Error(`${what} names a class twice`);
  if (data.classes.length > 256) throw new Error(`${what} has ${data.classes.length} classes; at most 256 are allowed`);
  if (data.labels.length !== data.count || data.images.length !== data.count * LAB_IMAGE_BYTES) {
    throw new Error(`${what}: ${data.count} images need ${data.count * LAB_IMAGE_BYTES} pixel bytes and ${data.count} labels, got ${data.images.length} and ${data.labels.length}`);
  }
  if (data.count === 0) throw new Error(`${what} holds no images`);
  for (let i = 0; i < data.count; i++) if (data.labels[i] >= data.classes.length) throw new Error(`${what}: image ${i} has class ${data.labels[i]} of ${data.classes.length}`);
}

/** Images per class, in class order. */
export function classCounts(data: LabData): number[] {
  const counts = data.classes.map(() => 0);
  for (let i = 0; i < data.count; i++) counts[data.labels[i]]++;
  return counts;
}

/** Throws a one-line Error unless the test set's classes are the training set's, in the same order. */
export function checkSameClasses(train: LabData, test: LabData): void {
  const a = train.classes.join(', ');
  const b = test.classes.join(', ');
  if (a !== b) throw new Error(`the test classes (${b}) differ from the training classes (${a})`);
}

/**
 * The first `perClass` images of every class (in their order in `data`), for a quick run on a few
 * hundred images. Classes with fewer images keep all of theirs.
 */
export function labSubset(data: LabData, perClass: number): LabData {
  if (!(Number.isInteger(perClass) && perClass >= 1)) throw new Error(`a subset needs at least 1 image per class, got ${perClass}`);
  const taken = data.classes.map(() => 0);
  const keep: number[] = [];
  for (let i = 0; i < data.count; i++) {
    if (taken[data.labels[i]] < perClass) {
      taken[data.labels[i]]++;
      keep.push(i);
    }
  }
  const images = new Uint8Array(keep.length * LAB_IMAGE_BYTES);
  const labels = new Uint8Array(keep.length);
  keep.forEach((src, dst) => {
    images.set(data.images.subarray(src * LAB_IMAGE_BYTES, (src + 1) * LAB_IMAGE_BYTES), dst * LAB_IMAGE_BYTES);
    labels[dst] = data.labels[src];
  });
  return { images, labels, count: keep.length, classes: [...data.classes] };
}
