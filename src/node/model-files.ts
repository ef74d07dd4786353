/** Model folders and checkpoints on disk, for the CLI and tests. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { convertCheckpoint, type ConvertOptions, type ConvertedModel } from '../convert/convert.ts';
import type { ModelArtifactsSource } from '../model/index.ts';
import { WEIGHTS_FILE } from '../model/format.ts';

async function readModelDir(dir: string): Promise<ModelArtifactsSource> {
  const jsonPath = path.join(dir, 'model.json');
  let modelJson: { userDefinedMetadata?: unknown; weightsManifest?: { paths: string[]; weights: ModelArtifactsSource['weightSpecs'] }[] };
  try {
    modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
  } catch (e) {
    throw new Error(`${jsonPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no model.json in this folder' : 'not valid JSON'}`);
  }
  const groups = modelJson.weightsManifest;
  if (!Array.isArray(groups)) throw new Error(`${jsonPath}: no weightsManifest`);
  const buffers: Uint8Array[] = [];
  for (const g of groups) {
    for (const p of g.paths) {
      const file = path.resolve(dir, p);
      if (path.dirname(file) !== path.resolve(dir)) throw new Error(`${jsonPath}: weight path "${p}" leaves the model folder`);
      buffers.push(await fs.readFile(file));
    }
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) { weightData.set(b, o); o += b.byteLength; }
  return { modelJson, weightSpecs: groups.flatMap((g) => g.weights), weightData: weightData.buffer };
}

/** A model folder (or its model.json), or a checkpoint converted in memory. */
export async function readModelSource(p: string): Promise<ModelArtifactsSource> {
  let stat;
  try {
    stat = await fs.stat(p);
  } catch {
    throw new Error(`${p}: no such file or folder`);
  }
  if (stat.isDirectory()) return readModelDir(p);
  if (path.basename(p) === 'model.json') return readModelDir(path.dirname(p));
  return convertCheckpoint(new Uint8Array(await fs.readFile(p)), { sourceName: path.basename(p) });
}

export async function convertFile(checkpoint: string, options: ConvertOptions = {}): Promise<ConvertedModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(checkpoint));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${checkpoint}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a checkpoint file' : 'cannot be read'}`);
  }
  return convertCheckpoint(bytes, { sourceName: path.basename(checkpoint), ...options });
}

/**
 * A model folder can be written at `outDir`: it does not exist, or is an empty folder (its entries,
 * [], are returned; null when absent). Commands that download first check this before they start.
 */
export async function checkOutputDir(outDir: string): Promise<string[] | null> {
  const existing = await fs.readdir(path.resolve(outDir)).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    if (e.code === 'ENOTDIR') throw new Error(`${outDir}: exists and is not a folder`);
    throw e;
  });
  if (existing && existing.length > 0) throw new Error(`${outDir}: the folder exists and is not empty; choose a new one`);
  return existing;
}

/**
 * Write model.json + weights into `outDir` all at once: files go to a temporary sibling folder
 * that is renamed into place, so a failure never leaves a half-written model folder.
 */
export async function writeModelDir(model: Pick<ConvertedModel, 'weightData'> & { readonly modelJson: object }, outDir: string): Promise<void> {
  await writeDirAtomically(outDir, async (tmp) => {
    await fs.writeFile(path.join(tmp, WEIGHTS_FILE), new Uint8Array(model.weightData));
    await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(model.modelJson) + '\n');
  });
}

/**
 * Fills a new temporary folder beside `outDir` with `fill`, then renames it into place: `outDir`
 * appears whole or not at all (it must be missing or empty: checkOutputDir).
 */
export async function writeDirAtomically(outDir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const target = path.resolve(outDir);
  const existing = await checkOutputDir(outDir);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = await fs.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.tmp-`));
  try {
    await fill(tmp);
    await fs.chmod(tmp, 0o755);
    if (existing) await fs.rmdir(target);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
