/**
 * Pack a lab data set into the one static file the Lab tab downloads (format: src/lab/pack.ts).
 *
 *   npx tsx scripts/pack-cifar10-lab.ts <root> <out.bin> [--source TEXT]
 *
 * <root> holds `train/<class>/*.jpg` and `test/<class>/*.jpg` (the same class folders in both;
 * classes sorted by name, files by name, hidden entries left out, as the CLI reads them). Every
 * file must be a 32 x 32 JPEG: it is decoded once to check, and stored byte for byte as it is on
 * disk, so the page decodes exactly what the CLI decodes. The output is written next to its
 * target and renamed into place.
 *
 * The shipped file was made with
 *   npx tsx scripts/pack-cifar10-lab.ts ../shared/cifar10-lab public/lab/cifar10-lab.bin
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readClassFolders } from '../src/node/class-folders.ts';
import { decodeImage } from '../src/node/images.ts';
import { LAB_IMAGE_SIZE, LAB_SPLITS, parseLabPack, writeLabPack, type LabPackEntry } from '../src/lab/pack.ts';

export const CIFAR10_SOURCE =
  'CIFAR-10 (A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", tech. report, University of Toronto, 2009): ' +
  'the first 1000 training and 200 test images of each class, in sorted file-name order, of a public JPEG copy of its train and test splits.';

export async function packTree(root: string, source: string): Promise<Uint8Array> {
  let classes: string[] | null = null;
  const entries: LabPackEntry[] = [];
  for (const split of LAB_SPLITS) {
    const folders = await readClassFolders(path.join(root, split));
    const names = folders.map((f) => f.name);
    if (names.length < 2) throw new Error(`${path.join(root, split)}: needs at least 2 class folders (found ${names.length})`);
    if (classes && names.join('\n') !== classes.join('\n')) throw new Error(`${split} classes (${names.join(', ')}) differ from train classes (${classes.join(', ')})`);
    classes = names;
    for (const [label, folder] of folders.entries()) {
      if (folder.files.length === 0) throw new Error(`${folder.dir}: no images`);
      for (const file of folder.files) {
        const jpeg = new Uint8Array(await fs.readFile(file));
        if (!(jpeg[0] === 0xff && jpeg[1] === 0xd8)) throw new Error(`${file}: not a JPEG file (the pack holds JPEG files as they are)`);
        const img = await decodeImage(jpeg, file);
        if (img.width !== LAB_IMAGE_SIZE || img.height !== LAB_IMAGE_SIZE) throw new Error(`${file}: is ${img.width} x ${img.height}; the pack holds ${LAB_IMAGE_SIZE} x ${LAB_IMAGE_SIZE} images`);
        entries.push({ label, split, jpeg });
      }
    }
  }
  return writeLabPack(classes!, entries, source);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { source: { type: 'string' } } });
  if (positionals.length !== 2) {
    process.stderr.write('usage: tsx scripts/pack-cifar10-lab.ts <root with train/ and test/ class folders> <out.bin> [--source TEXT]\n');
    process.exit(2);
  }
  const [root, out] = positionals;
  const bytes = await packTree(root, values.source ?? CIFAR10_SOURCE);
  const { manifest } = parseLabPack(bytes);
  await fs.mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, out);
  console.log(`${out}: ${manifest.counts.train} train + ${manifest.counts.test} test images, ${manifest.classes.length} classes (${manifest.classes.join(', ')}), ${(bytes.length / 1e6).toFixed(2)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('pack-cifar10-lab.ts')) {
  main().catch((e) => {
    process.stderr.write(`error: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  });
}
