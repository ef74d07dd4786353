/** A class-balanced part of a lab data set (so a class can run a quick version of the experiment). No TF.js here. */
import type { LabData } from '../../lab/types.ts';

const IMAGE_BYTES = 32 * 32 * 3;

/**
 * The first images of each class, in the set's order, `count` in all, spread as evenly over the
 * classes as the set allows (the first classes take the remainder). The whole set when `count`
 * is at least its size. Throws a one-line Error for a count below the number of classes.
 */
export function balancedSubset(data: LabData, count: number): LabData {
  if (!Number.isInteger(count) || count < data.classes.length) {
    throw new Error(`the training set needs a whole number of images, at least one per class (${data.classes.length}); got ${count}`);
  }
  if (count >= data.count) return data;
  const classes = data.classes.length;
  const available = new Array<number>(classes).fill(0);
  for (let i = 0; i < data.count; i++) available[data.labels[i]]++;
  // Even shares, capped by what each class has; what a small class cannot take goes to the others.
  const quota = new Array<number>(classes).fill(0);
  let left = count;
  while (left > 0) {
    const open = quota.map((q, c) => (q < available[c] ? c : -1)).filter((c) => c >= 0);
    if (open.length === 0) break;
    const share = Math.max(1, Math.floor(left / open.length));
    for (const c of open) {
      if (left === 0) break;
      const take = Math.min(share, available[c] - quota[c], left);
      quota[c] += take;
      left -= take;
    }
  }
  const picked: number[] = [];
  const taken = new Array<number>(classes).fill(0);
  for (let i = 0; i < data.count && picked.length < count; i++) {
    const c = data.labels[i];
    if (taken[c] < quota[c]) {
      taken[c]++;
      picked.push(i);
    }
  }
  const images = new Uint8Array(picked.length * IMAGE_BYTES);
  const labels = new Uint8Array(picked.length);
  picked.forEach((src, dst) => {
    images.set(data.images.subarray(src * IMAGE_BYTES, (src + 1) * IMAGE_BYTES), dst * IMAGE_BYTES);
    labels[dst] = data.labels[src];
  });
  return { images, labels, count: picked.length, classes: data.classes };
}
