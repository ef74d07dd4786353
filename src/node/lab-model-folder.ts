/** A trained Ghost-lab network written as a model folder (model.json + weights.bin) that the CLI's classify, eval, features and ghost-fit read. */
import { labModelArtifacts, type LabModelMetadata, type LabSaveInfo } from '../lab/model-folder.ts';
import type { LabRunResult } from '../lab/types.ts';
import { writeModelDir } from './model-files.ts';

/**
 * Write `run`'s network to `dir` all at once (a temporary sibling folder renamed into place, so a
 * failure leaves nothing half-written); a `dir` that exists and is not empty is refused. The
 * caller still owns `run.network`. Check `dir` with `checkOutputDir` before training.
 */
export async function saveLabModel(run: LabRunResult, dir: string, info: LabSaveInfo): Promise<LabModelMetadata> {
  const artifacts = await labModelArtifacts(run, { origin: 'lab-train', ...info });
  await writeModelDir(artifacts, dir);
  return artifacts.metadata;
}
