/** Mean pair similarity of every Ghost module for one image: one forward pass, every tap read async. */
import * as tf from '@tensorflow/tfjs-core';
import type { AnyModel, PixelBuffer } from '../../model/index.ts';
import { pairSimilarities } from '../../model/similarity.ts';
import { meanOf } from './ranking.ts';

export interface ModuleRedundancy {
  readonly moduleId: string;
  /** Its group in the module map, as an axis label (`S3`, `32²`). */
  readonly group: string;
  readonly meanCosine: number;
  readonly meanPearson: number;
  readonly pairs: number;
}

export async function redundancyAcrossDepth(model: AnyModel, pixels: PixelBuffer, size: number): Promise<ModuleRedundancy[]> {
  const modules = model.ghostModules();
  if (modules.length === 0) return [];
  const entries = model.moduleEntries(size);
  const result = model.ghostTaps(pixels, modules.map((m) => m.id), size);
  try {
    const taps = modules.map((m) => {
      const tap = result.taps.get(m.id);
      if (!tap) throw new Error(`the model returned no tap for ${m.id}`);
      return tap;
    });
    const arrays = await Promise.all(taps.map((t) => Promise.all([t.intrinsic.data(), t.ghost.data()]) as Promise<Float32Array[]>));
    return modules.map((m, k) => {
      const [intrinsic, ghost] = arrays[k];
      const pairs = pairSimilarities(intrinsic, taps[k].intrinsic.shape[3], ghost, taps[k].ghost.shape[3], m.ratio);
      return { moduleId: m.id, group: entries.find((e) => e.id === m.id)?.groupShort ?? '', meanCosine: meanOf(pairs, 'cosine'), meanPearson: meanOf(pairs, 'pearson'), pairs: pairs.length };
    });
  } finally {
    tf.dispose([result.logits, ...[...result.taps.values()].flatMap((t) => [t.intrinsic, t.ghost])]);
  }
}
