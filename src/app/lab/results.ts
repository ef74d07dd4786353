/** The Lab's results as the paper's table, CSV and JSON. Pure functions, no TF.js, no DOM. */
import type { StoredRun } from './storage.ts';

/** Ghost s and d of a configuration name (null for vanilla). */
export function ghostOf(config: string): { s: number; d: number } | null {
  const m = /^s(\d)d(\d)$/.exec(config);
  return m ? { s: Number(m[1]), d: Number(m[2]) } : null;
}

/** A configuration as the paper names it. */
export function configLabel(config: string): string {
  const g = ghostOf(config);
  return g ? `Ghost s = ${g.s}, d = ${g.d}` : 'Ordinary (vanilla)';
}

export function finalAccuracy(run: StoredRun): number | null {
  return run.epochs.length ? run.epochs[run.epochs.length - 1].testAccuracy : null;
}

export function trainSeconds(run: StoredRun): number {
  return run.epochs.reduce((t, e) => t + e.seconds, 0);
}

export function meanImagesPerSecond(run: StoredRun): number | null {
  const seconds = trainSeconds(run);
  return seconds > 0 ? (run.epochs.length * run.trainImages) / seconds : null;
}

/** Runs of the same configuration, width, data and length: one row of the table, one accuracy per seed. */
export interface ResultRow {
  readonly key: string;
  readonly config: string;
  readonly width: number;
  readonly trainImages: number;
  readonly epochs: number;
  readonly params: number;
  readonly multiplyAdds: number;
  readonly runs: readonly StoredRun[];
  /** Final test accuracies of the finished runs (stopped runs left out). */
  readonly accuracies: readonly number[];
  readonly meanAccuracy: number | null;
  /** Sample standard deviation (n - 1), null below two seeds. */
  readonly spread: number | null;
  /** Mean training seconds per run. */
  readonly meanSeconds: number;
}

/** The paper's table: vanilla first, then by s and d; a row per configuration x width x images x epochs. */
export function resultRows(runs: readonly StoredRun[]): ResultRow[] {
  const groups = new Map<string, StoredRun[]>();
  for (const r of runs) {
    if (r.epochs.length === 0) continue;
    const key = `${r.config}|${r.width}|${r.trainImages}|${r.epochsPlanned}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = [...groups.entries()].map(([key, list]): ResultRow => {
    const finished = list.filter((r) => !r.stopped);
    const accuracies = finished.map((r) => finalAccuracy(r)!);
    const mean = accuracies.length ? accuracies.reduce((a, b) => a + b, 0) / accuracies.length : null;
    const spread = mean !== null && accuracies.length > 1
      ? Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (accuracies.length - 1)) : null;
    const counted = finished.length ? finished : list;
    return {
      key, config: list[0].config, width: list[0].width, trainImages: list[0].trainImages, epochs: list[0].epochsPlanned,
      params: list[0].params, multiplyAdds: list[0].multiplyAdds, runs: list, accuracies, meanAccuracy: mean, spread,
      meanSeconds: counted.reduce((t, r) => t + trainSeconds(r), 0) / counted.length,
    };
  });
  const order = (c: string) => { const g = ghostOf(c); return g ? g.s * 10 + g.d : 0; };
  return rows.sort((a, b) => a.width - b.width || a.trainImages - b.trainImages || a.epochs - b.epochs || order(a.config) - order(b.config));
}

const CSV_COLUMNS = [
  'run', 'configuration', 's', 'd', 'width', 'seed', 'train_images', 'test_images', 'epochs', 'epochs_planned', 'stopped',
  'parameters', 'multiply_adds', 'test_accuracy', 'final_loss', 'train_seconds', 'images_per_second', 'backend', 'finished_at',
] as const;

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per run (the last epoch's figures), a header line first. */
export function resultsCsv(runs: readonly StoredRun[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of runs) {
    const g = ghostOf(r.config);
    const last = r.epochs[r.epochs.length - 1];
    const ips = meanImagesPerSecond(r);
    lines.push([
      r.id, r.config, g?.s ?? null, g?.d ?? null, r.width, r.seed, r.trainImages, r.testImages, r.epochs.length, r.epochsPlanned, r.stopped,
      r.params, r.multiplyAdds, last ? last.testAccuracy : null, last ? last.loss : null, Number(trainSeconds(r).toFixed(3)),
      ips === null ? null : Number(ips.toFixed(1)), r.backend, new Date(r.finishedAt).toISOString(),
    ].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const LAB_CREATED_BY = 'GhostNet in the browser, Lab tab';

/** Every run with every epoch, in the fields of the CLI's `lab-train --json` (plus what the page knows). */
export function resultsJson(runs: readonly StoredRun[]): string {
  return `${JSON.stringify({
    createdBy: LAB_CREATED_BY,
    data: 'CIFAR-10 subset (Krizhevsky 2009): 10,000 training and 2,000 test images, 32 x 32',
    runs: runs.map((r) => {
      const g = ghostOf(r.config);
      return {
        id: r.id, config: r.config, s: g?.s ?? null, d: g?.d ?? null, width: r.width, params: r.params, multiplyAdds: r.multiplyAdds,
        seed: r.seed, trainImages: r.trainImages, testImages: r.testImages, epochsPlanned: r.epochsPlanned, stopped: r.stopped,
        backend: r.backend, finishedAt: new Date(r.finishedAt).toISOString(), epochs: r.epochs,
      };
    }),
  }, null, 2)}\n`;
}
