/**
 * A class-folder tree as a lab data set (LabData, 32 x 32 RGB): any tree of JPEG/PNG images, one
 * sub-folder per class (src/node/class-folders.ts: hidden entries left out; classes sorted by name
 * in code-unit order, which for CIFAR-10's folders is also its label order). Each image is decoded
 * as the CLI decodes photos (src/node/images.ts) and, unless it is already 32 x 32, resized as a
 * whole to 32 x 32 with PIL's bilinear filter (src/model/preprocess.ts; the aspect ratio is not
 * kept, nothing is cropped). Unreadable files are skipped and named through `onSkip`.
 */
import { promises as fs } from 'node:fs';
import { resizeRgb } from '../model/preprocess.ts';
import { LAB_IMAGE_BYTES, labData } from '../lab/data.ts';
import { LAB_INPUT_SIZE } from '../lab/spec.ts';
import type { LabData } from '../lab/types.ts';
import { readClassFolders } from './class-folders.ts';
import { decodeImage } from './images.ts';

export interface LabTreeResult {
  readonly data: LabData;
  /** Files that could not be read as images, with the reason. */
  readonly skipped: { readonly file: string; readonly reason: string }[];
}

/**
 * Read `root` as a lab data set. Throws a one-line Error when it is no class-folder tree, has
 * fewer than two classes, or a class has no readable image; `onSkip` hears of each unreadable file.
 */
export async function readLabTree(root: string, opts: { onSkip?: (file: string, reason: string) => void } = {}): Promise<LabTreeResult> {
  const folders = await readClassFolders(root);
  if (folders.length === 0) throw new Error(`${root}: has no class sub-folders (one folder of images per class is needed)`);
  if (folders.length === 1) throw new Error(`${root}: has a single class ("${folders[0].name}"); training needs at least 2 class folders`);
  if (folders.length > 256) throw new Error(`${root}: has ${folders.length} class folders; at most 256 are allowed`);
  const total = folders.reduce((n, f) => n + f.files.length, 0);
  const images = new Uint8Array(total * LAB_IMAGE_BYTES);
  const labels = new Uint8Array(total);
  const skipped: { file: string; reason: string }[] = [];
  let count = 0;
  for (const [label, folder] of folders.entries()) {
    let inClass = 0;
    for (const file of folder.files) {
      let rgb: Uint8Array;
      try {
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await fs.readFile(file));
        } catch {
          throw new Error(`${file}: cannot be read`);
        }
        rgb = resizeRgb(await decodeImage(bytes, file), LAB_INPUT_SIZE);
      } catch (e) {
        const reason = (e as Error).message.split('\n')[0].replace(`${file}: `, '');
        skipped.push({ file, reason });
        opts.onSkip?.(file, reason);
        continue;
      }
      images.set(rgb, count * LAB_IMAGE_BYTES);
      labels[count++] = label;
      inClass++;
    }
    if (inClass === 0) throw new Error(`${folder.dir}: class "${folder.name}" has no readable image`);
  }
  return { data: labData(images.slice(0, count * LAB_IMAGE_BYTES), labels.slice(0, count), folders.map((f) => f.name)), skipped };
}
