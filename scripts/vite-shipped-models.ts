/**
 * The shipped models' files, known at build time: `virtual:shipped-model-files` lists, for each
 * model in public/models/index.json, its model.json and its weight files (from the model.json's
 * weights manifest), and which model is the default. The page's first module (src/app/early-fetch.ts)
 * then asks for the first model's files all at once, with no chain of requests (list, then
 * model.json, then weights) each waiting for the main thread between the responses: while the app's
 * code is evaluated that wait was a few hundred milliseconds on a slow device.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { defaultEntry } from '../src/app/shipped-index.ts';

export const VIRTUAL_ID = 'virtual:shipped-model-files';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;

export interface ShippedModelFiles {
  /** The model list, relative to the page. */
  readonly index: string;
  readonly defaultId: string | null;
  /**
   * Per model id: its model.json and weight files, relative to the page, and its name from the
   * model.json's metadata (so the model selector names every shipped model before any is loaded).
   */
  readonly models: Readonly<Record<string, { readonly modelJson: string; readonly weights: readonly string[]; readonly name?: string }>>;
}

const INDEX = 'models/index.json';

/** Read public/models/index.json and each model.json under `publicDir`; throws (failing the build) on anything malformed. */
export function shippedModelFiles(publicDir: string): ShippedModelFiles {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(path.join(publicDir, file), 'utf8'));
    } catch (e) {
      throw new Error(`shipped models: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  const index = read(INDEX) as { models?: { id?: unknown; url?: unknown; default?: unknown }[] };
  if (!Array.isArray(index.models)) throw new Error(`shipped models: ${INDEX} has no "models" list`);
  const models: Record<string, { modelJson: string; weights: string[]; name?: string }> = {};
  for (const m of index.models) {
    if (typeof m.id !== 'string' || typeof m.url !== 'string') throw new Error(`shipped models: an entry of ${INDEX} has no string id and url`);
    const modelJson = read(m.url) as { weightsManifest?: { paths?: unknown }[]; userDefinedMetadata?: { ghostnet?: { name?: unknown } } };
    const manifest = modelJson.weightsManifest;
    if (!Array.isArray(manifest)) throw new Error(`shipped models: ${m.url} has no weights manifest`);
    // Weight paths are relative to their model.json (as TF.js resolves them).
    const base = new URL(m.url, 'https://page.invalid/');
    const weights = manifest.flatMap((group) => {
      if (!Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) throw new Error(`shipped models: ${m.url} has a weights group without paths`);
      return (group.paths as string[]).map((p) => new URL(p, base).pathname.slice(1));
    });
    const name = modelJson.userDefinedMetadata?.ghostnet?.name;
    models[m.id] = { modelJson: m.url, weights, ...(typeof name === 'string' && name.trim() ? { name } : {}) };
  }
  // Every entry has a string id by now.
  return { index: INDEX, defaultId: (defaultEntry(index.models)?.id as string | undefined) ?? null, models };
}

export function shippedModels(): Plugin {
  let publicDir = 'public';
  return {
    name: 'ghostnet-shipped-model-files',
    configResolved: (config) => {
      publicDir = config.publicDir;
    },
    resolveId: (id) => (id === VIRTUAL_ID ? RESOLVED_ID : null),
    load(id) {
      if (id !== RESOLVED_ID) return null;
      const files = shippedModelFiles(publicDir);
      // Rebuilt (dev: reloaded) when a shipped model changes.
      this.addWatchFile(path.join(publicDir, files.index));
      for (const m of Object.values(files.models)) this.addWatchFile(path.join(publicDir, m.modelJson));
      return `export const SHIPPED_MODEL_FILES = ${JSON.stringify(files)};`;
    },
  };
}
