/**
 * The Lab tab's pure parts: the class-balanced training subset, the paper-style results table
 * (grouping, mean and spread over seeds), and the CSV / JSON exports.
 */
import { describe, expect, it } from 'vitest';
import { balancedSubset } from '../src/app/lab/subset.ts';
import { resultRows, resultsCsv, resultsJson } from '../src/app/lab/results.ts';
import type { StoredRun } from '../src/app/lab/storage.ts';
import type { LabData } from '../src/lab/types.ts';

const PIXELS = 32 * 32 * 3;

/** `perClass[c]` images of class c, interleaved in a fixed order; every pixel of image i holds i % 251. */
function data(perClass: number[]): LabData {
  const labels: number[] = [];
  const left = [...perClass];
  while (left.some((n) => n > 0)) left.forEach((n, c) => { if (n > 0) { labels.push(c); left[c]--; } });
  const images = new Uint8Array(labels.length * PIXELS);
  labels.forEach((_, i) => images.fill(i % 251, i * PIXELS, (i + 1) * PIXELS));
  return { images, labels: Uint8Array.from(labels), count: labels.length, classes: perClass.map((_, c) => `class${c}`) };
}

const counts = (d: LabData) => d.classes.map((_, c) => d.labels.filter((l) => l === c).length);

describe('balancedSubset', () => {
  it('takes the first images of each class, evenly, with their own pixels', () => {
    const full = data([10, 10, 10]);
    const sub = balancedSubset(full, 7);
    expect(sub.count).toBe(7);
    expect(counts(sub)).toEqual([3, 2, 2]);
    // The images kept are the first of their class, in the set's order, pixels copied.
    const firstOf = (c: number, k: number) => [...full.labels].map((l, i) => [l, i]).filter(([l]) => l === c).slice(0, k).map(([, i]) => i);
    const kept = [...firstOf(0, 3), ...firstOf(1, 2), ...firstOf(2, 2)].sort((a, b) => a - b);
    kept.forEach((src, dst) => {
      expect(sub.labels[dst]).toBe(full.labels[src]);
      expect(sub.images[dst * PIXELS]).toBe(src % 251);
      expect(sub.images[(dst + 1) * PIXELS - 1]).toBe(src % 251);
    });
  });

  it('gives what a small class cannot take to the others', () => {
    expect(counts(balancedSubset(data([2, 10, 10]), 12))).toEqual([2, 5, 5]);
  });

  it('returns the whole set when asked for at least its size, refuses fewer images than classes', () => {
    const full = data([3, 3]);
    expect(balancedSubset(full, 6)).toBe(full);
    expect(balancedSubset(full, 100)).toBe(full);
    expect(() => balancedSubset(full, 1)).toThrow(/at least one per class \(2\); got 1/);
    expect(() => balancedSubset(full, 2.5)).toThrow(/whole number/);
  });
});

function run(id: string, config: string, seed: number, accuracies: number[], extra: Partial<StoredRun> = {}): StoredRun {
  return {
    id, config, width: 1, seed, epochsPlanned: accuracies.length, trainImages: 2000, testImages: 2000, backend: 'wasm',
    params: config === 'vanilla' ? 288_554 : 150_000, multiplyAdds: config === 'vanilla' ? 38_000_000 : 20_000_000, stopped: false,
    epochs: accuracies.map((a, i) => ({ epoch: i + 1, loss: 2 - i * 0.5, testAccuracy: a, seconds: 10 + i, imagesPerSecond: 200 })),
    finishedAt: Date.UTC(2026, 0, 1, 0, 0, Number(id.replace(/\D/g, ''))),
    ...extra,
  };
}

describe('results table', () => {
  it('groups seeds of one configuration, mean and sample spread of the final accuracy, vanilla first', () => {
    const runs = [
      run('r1', 's2d3', 1, [0.3, 0.5]),
      run('r2', 'vanilla', 1, [0.3, 0.6]),
      run('r3', 's2d3', 2, [0.2, 0.4]),
      run('r4', 's2d3', 3, [0.25, 0.3], { stopped: true, epochs: [{ epoch: 1, loss: 2, testAccuracy: 0.25, seconds: 10, imagesPerSecond: 200 }] }),
      run('r5', 's2d1', 1, [0.1, 0.45]),
    ];
    const rows = resultRows(runs);
    expect(rows.map((r) => r.config)).toEqual(['vanilla', 's2d1', 's2d3']);
    const ghost = rows[2];
    expect(ghost.runs.map((r) => r.id)).toEqual(['r1', 'r3', 'r4']);
    // The stopped run counts for nothing but its presence.
    expect(ghost.accuracies).toEqual([0.5, 0.4]);
    expect(ghost.meanAccuracy).toBeCloseTo(0.45, 12);
    expect(ghost.spread).toBeCloseTo(Math.sqrt(((0.05 ** 2) * 2) / 1), 12);
    expect(ghost.meanSeconds).toBeCloseTo(21, 12);
    expect(rows[0].spread).toBeNull();
  });

  it('CSV: a header and one line per run with the last epoch; JSON: every epoch in the CLI fields', () => {
    const runs = [run('r1', 'vanilla', 7, [0.3, 0.6]), run('r2', 's3d5', 1, [0.4])];
    const lines = resultsCsv(runs).trim().split('\n');
    expect(lines).toHaveLength(3);
    const header = lines[0].split(',');
    const row = (i: number) => Object.fromEntries(lines[i].split(',').map((v, k) => [header[k], v]));
    expect(row(1)).toMatchObject({ run: 'r1', configuration: 'vanilla', s: '', d: '', seed: '7', epochs: '2', parameters: '288554', multiply_adds: '38000000', test_accuracy: '0.6', final_loss: '1.5', train_seconds: '21', stopped: 'false' });
    expect(row(2)).toMatchObject({ configuration: 's3d5', s: '3', d: '5', test_accuracy: '0.4', images_per_second: String((2000 / 10).toFixed(1)).replace(/\.0$/, '') });
    const json = JSON.parse(resultsJson(runs));
    expect(json.runs).toHaveLength(2);
    expect(json.runs[1]).toMatchObject({ config: 's3d5', s: 3, d: 5, params: 150_000, multiplyAdds: 20_000_000, seed: 1 });
    expect(json.runs[0].epochs).toEqual(runs[0].epochs);
  });
});
