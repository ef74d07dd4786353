/**
 * Batches for the lab: uint8 NHWC images -> normalised float32, with the seeded augmentation of
 * the recipe (random horizontal flip, 4-pixel zero pad then a random 32 x 32 crop, as
 * torchvision's RandomCrop(32, padding=4) + RandomHorizontalFlip on the raw image).
 * Normalisation (x / 255 - mean) / std is computed in float32 exactly as PyTorch computes it on a
 * float32 tensor (one table per channel), so fixture batches match PyTorch bit for bit.
 */
import { CIFAR_MEAN, CIFAR_STD } from './spec.ts';
import type { LabRandom } from './random.ts';

export const LAB_PAD = 4;
const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

/** table[c * 256 + v] = fround(fround(fround(v / 255) - mean_c) / std_c). */
export const NORMALIZE_TABLE: Float32Array = (() => {
  const t = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(CIFAR_MEAN[c]);
    const std = Math.fround(CIFAR_STD[c]);
    for (let v = 0; v < 256; v++) t[c * 256 + v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
  }
  return t;
})();

/** Normalised float32 NHWC of images `indices` of `images` (32 x 32 x 3 uint8 each), augmented when `rng` is given. */
export function makeBatch(images: Uint8Array, indices: ArrayLike<number>, rng: LabRandom | null, out?: Float32Array): Float32Array {
  const n = indices.length;
  const dst = out && out.length === n * PIXELS ? out : new Float32Array(n * PIXELS);
  const T = NORMALIZE_TABLE;
  for (let b = 0; b < n; b++) {
    const src = indices[b] * PIXELS;
    const o = b * PIXELS;
    if (rng === null) {
      for (let i = 0; i < PIXELS; i += 3) {
        dst[o + i] = T[images[src + i]];
        dst[o + i + 1] = T[256 + images[src + i + 1]];
        dst[o + i + 2] = T[512 + images[src + i + 2]];
      }
      continue;
    }
    const flip = rng.next() < 0.5;
    const dy = rng.int(2 * LAB_PAD + 1) - LAB_PAD;
    const dx = rng.int(2 * LAB_PAD + 1) - LAB_PAD;
    for (let y = 0; y < SIDE; y++) {
      const sy = y + dy;
      for (let x = 0; x < SIDE; x++) {
        const sx = (flip ? SIDE - 1 - x : x) + dx;
        const d = o + (y * SIDE + x) * 3;
        if (sy < 0 || sy >= SIDE || sx < 0 || sx >= SIDE) {
          dst[d] = T[0];
          dst[d + 1] = T[256];
          dst[d + 2] = T[512];
        } else {
          const s = src + (sy * SIDE + sx) * 3;
          dst[d] = T[images[s]];
          dst[d + 1] = T[256 + images[s + 1]];
          dst[d + 2] = T[512 + images[s + 2]];
        }
      }
    }
  }
  return dst;
}
