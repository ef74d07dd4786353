import { UsageError, cropOption, describeCrop, intOption, openModel, pct, print, readImage, type Command } from '../common.ts';

export const classify: Command = {
  usage: 'classify <model-dir|checkpoint> <image>... [--size N] [--crop PCT|none] [--top K] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length < 2) throw new UsageError('classify needs <model-dir|checkpoint> <image>...');
    const size = intOption(v.size, 'size', 32, 2048);
    const top = intOption(v.top, 'top', 1, 1000) ?? 5;
    const model = await openModel(pos[0], backend, cropOption(v.crop));
    const s = size ?? model.inputSize;
    await model.warmup(s);
    for (const file of pos.slice(1)) {
      const t0 = performance.now();
      const preds = await model.classify(await readImage(file), top, s);
      const ms = performance.now() - t0;
      if (v.json) {
        const predictions = preds.map((p) => ({ index: p.index, label: p.name, probability: p.probability, id: p.id }));
        print(JSON.stringify({ file, size: s, crop: model.crop, ms: Number(ms.toFixed(1)), predictions }));
      } else {
        print(`${file} (${s}px, crop ${describeCrop(model.crop)}, ${ms.toFixed(1)} ms): ` + preds.map((p) => `${p.name} ${pct(p.probability)}`).join(', '));
      }
    }
    model.dispose();
  },
};
