/**
 * `lab-train --save <dir>`: the trained networks as model folders (labmodel's saveLabModel, read back
 * by classify, eval, features and ghost-fit), all or nothing. One configuration: <dir> is the model
 * folder. Several: <dir>/<config>/ for each (e.g. <dir>/vanilla, <dir>/s2d3), all written into a
 * temporary sibling of <dir> that is renamed into place at the end, so a failure leaves nothing behind.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LabRunResult } from '../../lab/types.ts';
import { saveLabModel } from '../../node/lab-model-folder.ts';
import { checkOutputDir, writeDirAtomically } from '../../node/model-files.ts';

export const LAB_TRAIN_ORIGIN = 'ghostnet CLI lab-train';

/** Refuse a --save target that cannot be written (it exists and is not an empty folder, or has no parent), before training. */
export async function checkLabSaveTarget(dir: string): Promise<void> {
  await checkOutputDir(dir).catch((e: Error) => {
    throw new Error(`--save ${e.message}`);
  });
  try {
    await fs.access(path.dirname(path.resolve(dir)));
  } catch {
    throw new Error(`--save ${dir}: its parent folder does not exist`);
  }
}

export async function writeLabModelFolders(dir: string, runs: readonly LabRunResult[], classes: readonly string[]): Promise<void> {
  const info = { classes, origin: LAB_TRAIN_ORIGIN };
  try {
    if (runs.length === 1) {
      await saveLabModel(runs[0], dir, info);
      return;
    }
    await writeDirAtomically(dir, async (tmp) => {
      for (const run of runs) await saveLabModel(run, path.join(tmp, run.config.name), info);
    });
  } catch (e) {
    throw new Error(`--save ${dir}: cannot be written (${(e as Error).message.split('\n')[0]})`);
  }
}
