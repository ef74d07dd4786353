/** What `teach`, `classify --head` and `eval --head` share: reading a head file and checking it fits the model. */
import { promises as fs } from 'node:fs';
import type { AnyModel, CropRule } from '../model/index.ts';
import { MAX_TEACH_FILE_BYTES, TeachFileError, checkBackbone, headOfSet, readTeachFile, type Head, type TaughtSet } from '../model/heads/index.ts';
import { UsageError, describeCrop } from './common.ts';

export async function readHeadFile(file: string): Promise<TaughtSet> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new Error(`${file}: cannot be read`);
  }
  if (stat.size > MAX_TEACH_FILE_BYTES) throw new Error(`${file}: larger than ${MAX_TEACH_FILE_BYTES / 1024 / 1024} MB, not a head file`);
  try {
    return readTeachFile(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if (e instanceof TeachFileError) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * The head of a file, on this model, at the file's input size and crop: a different backbone,
 * `--size` or `--crop` than the embeddings were made with is refused.
 */
export async function openHead(file: string, set: TaughtSet, model: AnyModel, size: number | undefined, crop: CropRule | undefined): Promise<{ head: Head; size: number }> {
  try {
    checkBackbone(set, { name: model.metadata.name, weightsSha256: model.weightsSha256, embeddingSize: model.embeddingSize });
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (size !== undefined && size !== set.input.size) throw new UsageError(`--size ${size} differs from the head's ${set.input.size} px (its examples were embedded at ${set.input.size} px)`);
  if (crop !== undefined && JSON.stringify(crop) !== JSON.stringify(set.input.crop)) {
    throw new UsageError(`--crop ${describeCrop(crop)} differs from the head's crop (${describeCrop(set.input.crop)})`);
  }
  model.crop = set.input.crop;
  return { head: await headOfSet(set), size: set.input.size };
}
