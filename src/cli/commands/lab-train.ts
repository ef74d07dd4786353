/**
 * `lab-train`: train the lab's small VGG-style network (ordinary and/or Ghost configurations) on a
 * class-folder tree, test it on another, with the same engine as the page's Lab tab (src/lab/train.ts).
 */
import { checkSameClasses } from '../../lab/data.ts';
import { checkLabWidth, parseLabConfig } from '../../lab/spec.ts';
import { trainLab } from '../../lab/train.ts';
import type { LabConfig, LabData, LabRunResult } from '../../lab/types.ts';
import { initNodeBackend } from '../../node/backend.ts';
import { readLabTree } from '../../node/lab-images.ts';
import { UsageError, intOption, pct, print, type Command } from '../common.ts';
import { checkLabSaveTarget, writeLabModelFolders } from './lab-save.ts';

/** The configurations trained when no --config is given: the ordinary network and Ghost s = 2, d = 3. */
export const DEFAULT_LAB_CONFIGS = ['vanilla', 's2d3'];
export const DEFAULT_LAB_EPOCHS = 10;
export const MAX_LAB_EPOCHS = 1000;

function configsOption(names: string[] | undefined): LabConfig[] {
  const configs: LabConfig[] = [];
  for (const name of names ?? DEFAULT_LAB_CONFIGS) {
    let config: LabConfig;
    try {
      config = parseLabConfig(name);
    } catch (e) {
      throw new UsageError(`--config: ${(e as Error).message}`);
    }
    if (configs.some((c) => c.name === config.name)) throw new UsageError(`--config ${config.name} is given twice`);
    configs.push(config);
  }
  return configs;
}

function widthOption(v: string | undefined): number {
  if (v === undefined) return 1;
  const w = Number(v);
  try {
    if (v.trim() === '') throw new Error('');
    checkLabWidth(w);
  } catch {
    throw new UsageError(`--width must be a number above 0 and at most 4 (a multiplier of the layer widths), got "${v}"`);
  }
  return w;
}

async function readTree(root: string, what: string): Promise<LabData> {
  const { data } = await readLabTree(root, {
    // One line per unreadable file; training goes on with the rest.
    onSkip: (file, reason) => process.stderr.write(`skipped ${file}: ${reason}\n`),
  }).catch((e: Error) => {
    throw new Error(`${what}: ${e.message}`);
  });
  return data;
}

export const labTrain: Command = {
  usage: `lab-train <train-tree> --test <test-tree> [--config vanilla|sSdD]... [--epochs N] [--seed K] [--width W] [--save <dir>] [--json]
      train the lab's small VGG-style network on class folders (images resized to 32 x 32), ordinary (vanilla)
      or with Ghost modules (sSdD: s in 2..5, d in 1,3,5,7); default --config vanilla --config s2d3,
      --epochs ${DEFAULT_LAB_EPOCHS}, --seed 0, --width 1; --save writes a model folder (one sub-folder per
      configuration when there are several)`,
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 1) throw new UsageError('lab-train needs one <train-tree> (a folder with one sub-folder of images per class) and --test <test-tree>');
    if (!v.test) throw new UsageError('lab-train needs --test <test-tree> (class folders with the same class names as the training tree)');
    const configs = configsOption(v.config);
    const epochs = intOption(v.epochs, 'epochs', 1, MAX_LAB_EPOCHS) ?? DEFAULT_LAB_EPOCHS;
    const seed = intOption(v.seed, 'seed', 0, 2 ** 31 - 1) ?? 0;
    const width = widthOption(v.width);
    if (v.save !== undefined) await checkLabSaveTarget(v.save);

    const train = await readTree(pos[0], 'the training tree');
    const test = await readTree(v.test, 'the test tree');
    checkSameClasses(train, test);
    const used = await initNodeBackend(backend);
    if (!v.json) print(`training on ${train.count} images of ${train.classes.length} classes (${train.classes.join(', ')}), testing on ${test.count}; ${used} backend`);

    const results: LabRunResult[] = [];
    try {
      for (const config of configs) {
        if (!v.json) print(`${config.name}: width ${width}, seed ${seed}, ${epochs} epoch${epochs === 1 ? '' : 's'}`);
        const result = await trainLab({
          config, width, epochs, seed, train, test,
          onEpoch: (r) => {
            if (!v.json) print(`  epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, test accuracy ${pct(r.testAccuracy)}, ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSecond)} images/s`);
          },
        });
        results.push(result);
        const row = {
          config: config.name,
          s: config.kind === 'ghost' ? config.s : null,
          d: config.kind === 'ghost' ? config.d : null,
          params: result.params,
          multiplyAdds: result.multiplyAdds,
          seed,
          width,
          classes: train.classes,
          trainImages: train.count,
          testImages: test.count,
          backend: used,
          epochs: result.epochs,
        };
        if (v.json) print(JSON.stringify(row));
        else print(`  ${config.name}: ${result.params.toLocaleString('en-US')} parameters, ${(result.multiplyAdds / 1e6).toFixed(2)} M multiply-adds, test accuracy ${pct(result.epochs.at(-1)!.testAccuracy)}`);
      }
      if (v.save !== undefined) {
        await writeLabModelFolders(v.save, results, train.classes);
        if (!v.json) print(`saved ${results.length === 1 ? 'the model folder' : `${results.length} model folders (${results.map((r) => r.config.name).join(', ')})`} in ${v.save}`);
      }
    } finally {
      for (const r of results) r.network.dispose();
    }
  },
};
