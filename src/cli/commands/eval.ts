import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError, cropOption, describeCrop, intOption, openModel, pct, print, readImage, type Command } from '../common.ts';

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

export const evaluate: Command = {
  usage: 'eval <model-dir|checkpoint> <image-dir> --labels <csv: file,class_index> [--size N] [--crop PCT|none] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 2 || !v.labels) throw new UsageError('eval needs <model-dir|checkpoint> <image-dir> --labels <csv>');
    const size = intOption(v.size, 'size', 32, 2048);
    let csv: string;
    try { csv = await fs.readFile(v.labels, 'utf8'); } catch { throw new Error(`${v.labels}: cannot be read`); }
    const rows = parseLabels(csv, v.labels);
    if (rows.length === 0) throw new Error(`${v.labels}: lists no images`);
    const model = await openModel(pos[0], backend, cropOption(v.crop));
    const bad = rows.find((r) => r.label >= model.metadata.numClasses);
    if (bad) throw new Error(`${v.labels}: class_index ${bad.label} of ${bad.file} is outside the model's ${model.metadata.numClasses} classes`);
    const s = size ?? model.inputSize;
    let top1 = 0, top5 = 0;
    const t0 = performance.now();
    for (const r of rows) {
      const preds = await model.classify(await readImage(path.join(pos[1], r.file)), 5, s);
      if (preds[0].index === r.label) top1++;
      if (preds.some((p) => p.index === r.label)) top5++;
    }
    const report = { images: rows.length, size: s, crop: model.crop, top1: top1 / rows.length, top5: top5 / rows.length, ms: Math.round(performance.now() - t0) };
    if (v.json) print(JSON.stringify(report));
    else print(`${report.images} images at ${s}px (crop ${describeCrop(model.crop)}): top-1 ${pct(report.top1)}, top-5 ${pct(report.top5)} (${report.ms} ms)`);
    model.dispose();
  },
};
