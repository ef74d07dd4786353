import { UsageError, cropOption, describeCrop, intOption, openModel, pct, print, readImage, type Command } from '../common.ts';
import { rankClasses } from '../../model/heads/index.ts';
import { openHead, readHeadFile } from '../heads.ts';

interface Row {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
  readonly id?: string;
}

export const classify: Command = {
  usage: 'classify <model-dir|checkpoint> <image>... [--head <head.json>] [--size N] [--crop PCT|none] [--top K] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length < 2) throw new UsageError('classify needs <model-dir|checkpoint> <image>...');
    const size = intOption(v.size, 'size', 32, 2048);
    const top = intOption(v.top, 'top', 1, 1000) ?? 5;
    const set = v.head ? await readHeadFile(v.head) : null;
    const crop = cropOption(v.crop);
    const model = await openModel(pos[0], backend, crop);
    // With --head: the taught classes, from the model's embedding (at the head's size and crop).
    const taught = set ? await openHead(v.head!, set, model, size, crop) : null;
    const s = taught?.size ?? size ?? model.inputSize;
    await model.warmup(s);
    for (const file of pos.slice(1)) {
      const t0 = performance.now();
      const pixels = await readImage(file);
      let preds: Row[];
      if (taught) {
        const prediction = taught.head.predict(await model.embed(pixels, s));
        preds = rankClasses(prediction).slice(0, top).map((i) => ({ index: i, label: set!.classes[i].name, probability: prediction.scores[i] }));
      } else {
        preds = (await model.classify(pixels, top, s)).map((p) => ({ index: p.index, label: p.name, probability: p.probability, id: p.id }));
      }
      const ms = performance.now() - t0;
      if (v.json) {
        print(JSON.stringify({ file, size: s, crop: model.crop, ...(set ? { head: set.head.kind } : {}), ms: Number(ms.toFixed(1)), predictions: preds }));
      } else {
        print(`${file} (${s}px, crop ${describeCrop(model.crop)}${set ? `, ${set.head.kind} head` : ''}, ${ms.toFixed(1)} ms): ` + preds.map((p) => `${p.label} ${pct(p.probability)}`).join(', '));
      }
    }
    model.dispose();
  },
};
