/**
 * Build time (Node, vite.config.ts): give each shipped model's weights entry of the service
 * worker's manifest the SHA-256 of its file as its revision, so the service worker and the page
 * can both name the same version of it by its content (src/app/pwa/offline-cache.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isShippedWeights } from './offline-cache.ts';

export interface BuildManifestEntry {
  url: string;
  revision: string | null;
  size: number;
}

/** A Workbox `manifestTransforms` entry: reads each weights file from `dir()` (the build's output folder). */
export function weightsBySha256(dir: () => string) {
  return async (entries: BuildManifestEntry[]): Promise<{ manifest: BuildManifestEntry[]; warnings: string[] }> => ({
    manifest: await Promise.all(entries.map(async (e) => {
      if (!isShippedWeights(e.url)) return e;
      const bytes = await readFile(path.join(dir(), e.url));
      return { ...e, revision: createHash('sha256').update(bytes).digest('hex') };
    })),
    warnings: [],
  });
}
