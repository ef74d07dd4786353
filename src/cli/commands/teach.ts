import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readClassFolders } from '../../node/class-folders.ts';
import {
  DEFAULT_SETTINGS, HEAD_LIMITS, MIN_EXAMPLES_TO_EVALUATE, checkClassName, classExamples, evaluateHead, headOfSet, writeTeachFile,
  type HeadSettings, type SoftmaxHead, type TaughtClass, type TaughtSet,
} from '../../model/heads/index.ts';
import { UsageError, cropOption, describeCrop, intOption, openModel, pct, print, readImage, type Command } from '../common.ts';

export const CLI_CREATED_BY = 'ghostnet CLI teach';

function headSettings(kind: string | undefined, k: number | undefined, epochs: number | undefined): HeadSettings {
  switch (kind ?? 'centroid') {
    case 'centroid':
      return DEFAULT_SETTINGS.centroid;
    case 'knn':
      return { ...DEFAULT_SETTINGS.knn, k: k ?? DEFAULT_SETTINGS.knn.k };
    case 'softmax':
      return { ...DEFAULT_SETTINGS.softmax, epochs: epochs ?? DEFAULT_SETTINGS.softmax.epochs };
    default:
      throw new UsageError(`--head must be centroid, knn or softmax, got "${kind}"`);
  }
}

export const teach: Command = {
  usage: 'teach <model-dir|checkpoint> <class-folder> --out <head.json> [--head centroid|knn|softmax] [--k N] [--epochs N] [--size N] [--crop PCT|none] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 2 || !v.out) throw new UsageError('teach needs <model-dir|checkpoint> <class-folder> --out <head.json>');
    const settings = headSettings(v.head, intOption(v.k, 'k', 1, HEAD_LIMITS.maxK), intOption(v.epochs, 'epochs', 1, HEAD_LIMITS.maxEpochs));
    if (v.k !== undefined && settings.kind !== 'knn') throw new UsageError('--k goes with --head knn');
    if (v.epochs !== undefined && settings.kind !== 'softmax') throw new UsageError('--epochs goes with --head softmax');
    const size = intOption(v.size, 'size', 32, 2048);
    const folders = await readClassFolders(pos[1]);
    if (folders.length < HEAD_LIMITS.minClasses) throw new Error(`${pos[1]}: needs at least ${HEAD_LIMITS.minClasses} sub-folders, one per class (found ${folders.length})`);
    if (folders.length > HEAD_LIMITS.maxClasses) throw new Error(`${pos[1]}: has ${folders.length} class folders; at most ${HEAD_LIMITS.maxClasses} are allowed`);
    for (const f of folders) checkClassName(f.name);

    const model = await openModel(pos[0], backend, cropOption(v.crop));
    const s = size ?? model.inputSize;
    await model.warmup(s);
    const classes: TaughtClass[] = [];
    let skipped = 0;
    for (const folder of folders) {
      const examples = [];
      for (const file of folder.files) {
        let pixels;
        try {
          pixels = await readImage(file);
        } catch (e) {
          // One bad photo does not spoil a class: say which, and go on.
          process.stderr.write(`skipped ${file}: ${(e as Error).message}\n`);
          skipped++;
          continue;
        }
        examples.push({ embedding: await model.embed(pixels, s), source: path.relative(pos[1], file) });
      }
      if (examples.length === 0) throw new Error(`class "${folder.name}" has no examples: no readable image in ${folder.dir}`);
      if (examples.length > HEAD_LIMITS.maxExamplesPerClass) throw new Error(`class "${folder.name}" has ${examples.length} images; at most ${HEAD_LIMITS.maxExamplesPerClass} are allowed`);
      classes.push({ name: folder.name.trim(), examples });
    }
    const base: TaughtSet = {
      backbone: { name: model.metadata.name, weightsSha256: model.weightsSha256, width: model.metadata.width, numClasses: model.metadata.numClasses },
      input: { size: s, crop: model.crop },
      embeddingSize: model.embeddingSize,
      head: settings,
      classes,
    };
    const t0 = performance.now();
    const head = await headOfSet(base);
    const trainMs = performance.now() - t0;
    const set: TaughtSet = { ...base, softmax: head.kind === 'softmax' ? (head as SoftmaxHead).params : null };
    const evaluable = classes.every((c) => c.examples.length >= MIN_EXAMPLES_TO_EVALUATE);
    const evaluation = evaluable ? await evaluateHead(classExamples(set), set.embeddingSize, settings) : null;

    // Written next to the target and renamed into place: no half-written head file on failure.
    const tmp = `${v.out}.tmp-${process.pid}`;
    try {
      await fs.writeFile(tmp, writeTeachFile(set, CLI_CREATED_BY));
      await fs.rename(tmp, v.out);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw new Error(`${v.out}: cannot be written (${(e as Error).message})`);
    }
    model.dispose();

    const report = {
      out: v.out, backbone: set.backbone.name, size: s, crop: model.crop, head: settings,
      classes: classes.map((c) => ({ name: c.name, examples: c.examples.length })), skipped,
      trainMs: Math.round(trainMs),
      evaluation: evaluation && { method: evaluation.method, folds: evaluation.folds, accuracy: evaluation.accuracy, confusion: evaluation.confusion },
    };
    if (v.json) {
      print(JSON.stringify(report));
      return;
    }
    print(`taught ${classes.length} classes on ${set.backbone.name} at ${s}px (crop ${describeCrop(model.crop)}), ${settings.kind} head -> ${v.out}`);
    for (const c of report.classes) print(`  ${c.name}: ${c.examples} examples`);
    if (skipped) print(`  ${skipped} file(s) skipped (see above)`);
    if (evaluation) print(`${evaluation.method === 'leave-one-out' ? 'leave-one-out' : `${evaluation.folds}-fold cross-validation`} accuracy: ${pct(evaluation.accuracy)} of ${evaluation.examples} examples`);
    else print(`(accuracy on the examples is estimated once every class has ${MIN_EXAMPLES_TO_EVALUATE} or more)`);
  },
};
