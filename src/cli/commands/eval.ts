import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isClassFolderTree, readClassFolders } from '../../node/class-folders.ts';
import { rankClasses } from '../../model/heads/index.ts';
import type { AnyModel, PixelBuffer } from '../../model/index.ts';
import { UsageError, cropOption, describeCrop, intOption, openModel, pct, print, readImage, type Command } from '../common.ts';
import { openHead, readHeadFile } from '../heads.ts';

function parseLabels(text: string, file: string): { file: string; label: number }[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const fi = header.indexOf('file');
  const ci = header.indexOf('class_index');
  if (fi < 0 || ci < 0) throw new Error(`${file}: needs a header with columns "file" and "class_index"`);
  return lines.map((l, n) => {
    const cols = l.split(',');
    const label = Number(cols[ci]);
    if (!cols[fi] || !Number.isInteger(label) || label < 0) throw new Error(`${file}: line ${n + 2} has no valid file/class_index`);
    return { file: cols[fi].trim(), label };
  });
}

interface Item {
  /** As given: relative to the image folder. */
  readonly file: string;
  readonly label: number;
}

/** Folder name -> class index among `names` (exact, else case-insensitive; `ids` also match, e.g. WordNet ids). */
function classIndexOf(folder: string, names: readonly string[], ids: readonly string[] = []): number {
  const exact = names.indexOf(folder.trim());
  if (exact >= 0) return exact;
  const lower = folder.trim().toLowerCase();
  const i = names.findIndex((n) => n.toLowerCase() === lower);
  return i >= 0 ? i : ids.findIndex((id) => id.toLowerCase() === lower);
}

export const evaluate: Command = {
  usage: 'eval <model-dir|checkpoint> <image-dir> (--labels <csv: file,class_index> | <image-dir> holds one sub-folder per class) [--head <head.json>] [--size N] [--crop PCT|none] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 2) throw new UsageError('eval needs <model-dir|checkpoint> <image-dir> (with --labels <csv>, or class sub-folders)');
    const size = intOption(v.size, 'size', 32, 2048);
    const tree = !v.labels;
    if (tree && !(await isClassFolderTree(pos[1]))) throw new UsageError(`eval needs --labels <csv>, or an <image-dir> with one sub-folder per class (${pos[1]} has none)`);
    let rows: Item[] = [];
    if (!tree) {
      let csv: string;
      try { csv = await fs.readFile(v.labels!, 'utf8'); } catch { throw new Error(`${v.labels}: cannot be read`); }
      rows = parseLabels(csv, v.labels!);
      if (rows.length === 0) throw new Error(`${v.labels}: lists no images`);
    }
    const set = v.head ? await readHeadFile(v.head) : null;
    const crop = cropOption(v.crop);
    const model = await openModel(pos[0], backend, crop);
    const taught = set ? await openHead(v.head!, set, model, size, crop) : null;
    const classNames = set ? set.classes.map((c) => c.name) : model.metadata.classes.map((c) => c.name);
    const s = taught?.size ?? size ?? model.inputSize;

    if (tree) {
      for (const folder of await readClassFolders(pos[1])) {
        const label = classIndexOf(folder.name, classNames, set ? [] : model.metadata.classes.map((c) => c.id));
        if (label < 0) throw new Error(`${folder.dir}: "${folder.name}" is not one of the ${set ? 'head\'s' : 'model\'s'} classes (${classNames.slice(0, 5).join(', ')}${classNames.length > 5 ? ', …' : ''})`);
        rows.push(...folder.files.map((f) => ({ file: path.relative(pos[1], f), label })));
      }
      if (rows.length === 0) throw new Error(`${pos[1]}: its class folders hold no files`);
    }
    const where = tree && set ? 'head\'s' : 'model\'s';
    const bad = rows.find((r) => r.label >= classNames.length);
    if (bad) throw new Error(`${v.labels}: class_index ${bad.label} of ${bad.file} is outside the ${where} ${classNames.length} classes`);

    // Best-first class indices for one image: the head's classes, or the model's own.
    const ranked = async (pixels: PixelBuffer, m: AnyModel): Promise<number[]> => {
      if (taught) return rankClasses(taught.head.predict(await m.embed(pixels, s)));
      return (await m.classify(pixels, 5, s)).map((p) => p.index);
    };
    const k = Math.min(5, classNames.length);
    let top1 = 0, topK = 0, skipped = 0;
    const confusion = classNames.map(() => new Array<number>(classNames.length).fill(0));
    const predictions: { file: string; label: string; predicted: string }[] = [];
    const t0 = performance.now();
    for (const r of rows) {
      let pixels: PixelBuffer;
      try {
        pixels = await readImage(path.join(pos[1], r.file));
      } catch (e) {
        if (!tree) throw e;
        process.stderr.write(`skipped ${path.join(pos[1], r.file)}: ${(e as Error).message}\n`);
        skipped++;
        continue;
      }
      const order = await ranked(pixels, model);
      if (order[0] === r.label) top1++;
      if (order.slice(0, k).includes(r.label)) topK++;
      if (tree) {
        confusion[r.label][order[0]]++;
        predictions.push({ file: r.file, label: classNames[r.label], predicted: classNames[order[0]] });
      }
    }
    const images = rows.length - skipped;
    if (images === 0) throw new Error(`${pos[1]}: no readable image`);
    const report = {
      images, size: s, crop: model.crop, ...(set ? { head: set.head.kind } : {}),
      top1: top1 / images, top5: topK / images, ms: Math.round(performance.now() - t0),
      ...(tree ? { skipped, classes: classNames, confusion, predictions } : {}),
    };
    if (v.json) print(JSON.stringify(report));
    else {
      print(`${report.images} images at ${s}px (crop ${describeCrop(model.crop)}${set ? `, ${set.head.kind} head` : ''}): top-1 ${pct(report.top1)}, top-${k === 5 ? 5 : k} ${pct(report.top5)} (${report.ms} ms)`);
      if (tree && set) for (const [i, name] of classNames.entries()) print(`  ${name}: ${confusion[i][i]} of ${confusion[i].reduce((a, b) => a + b, 0)} right`);
      if (skipped) print(`  ${skipped} file(s) skipped (see above)`);
    }
    model.dispose();
  },
};
