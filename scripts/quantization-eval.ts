/**
 * One-off measurement (not a test): how far each weight format moves the shipped models' answers.
 *
 *   nice -n 19 npx tsx scripts/quantization-eval.ts [--shared ../shared] [--out quantization-eval.json]
 *                                                  [--until HH:MM (UTC)] [--batch 16]
 *
 * Converts both shipped models' float32 checkpoints (test/fixtures/checkpoints/*.safetensors) to
 * float32, float16, uint8 and uint8-per-channel in a temporary folder, loads each folder as the CLI
 * does (wasm backend), and runs every photo of ../shared (samples, fewshot, cifar10-lab) through all
 * of them: top-1 agreement with float32, the largest absolute difference of any class probability,
 * and top-1 accuracy where the labels are the models' classes (samples/labels.csv). Also the weight
 * file sizes. With --until it stops at that time and reports what it covered; the JSON is rewritten
 * every few hundred photos, so an interrupted run leaves its partial figures.
 * Reading ../shared is for this measurement only; no test or app code does.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { convertFile, readModelSource, writeModelDir } from '../src/node/model-files.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { decodeImage } from '../src/node/images.ts';
import { load, type GhostNetModel } from '../src/model/index.ts';
import type { ConvertOptions } from '../src/convert/convert.ts';

const { values: args } = parseArgs({
  options: {
    shared: { type: 'string', default: path.resolve('..', 'shared') },
    out: { type: 'string', default: 'quantization-eval.json' },
    until: { type: 'string' },
    batch: { type: 'string', default: '16' },
  },
});

const CHECKPOINTS = [
  { id: 'ghostnet_100_imagenette', file: 'test/fixtures/checkpoints/ghostnet_100_imagenette.safetensors' },
  { id: 'ghostnet_050_imagenette', file: 'test/fixtures/checkpoints/ghostnet_050_imagenette.safetensors' },
];
const FORMATS: { id: string; options: ConvertOptions }[] = [
  { id: 'float32', options: {} },
  { id: 'float16', options: { float16: true } },
  { id: 'uint8', options: { quantize: 'uint8' } },
  { id: 'uint8-per-channel', options: { quantize: 'uint8-per-channel' } },
];
const SETS = ['samples', 'fewshot', 'cifar10-lab'];

function deadline(): number {
  if (!args.until) return Infinity;
  const [h, m] = args.until.split(':').map(Number);
  const d = new Date();
  d.setUTCHours(h, m, 0, 0);
  return d.getTime();
}

async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listImages(p)));
    else if (/\.(jpe?g|png)$/i.test(e.name)) out.push(p);
  }
  return out;
}

async function readLabels(dir: string): Promise<Map<string, number>> {
  const text = await fs.readFile(path.join(dir, 'labels.csv'), 'utf8').catch(() => '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = (lines.shift() ?? '').split(',');
  const fi = header.indexOf('file');
  const ci = header.indexOf('class_index');
  return new Map(lines.map((l) => l.split(',')).map((c) => [path.join(dir, c[fi]), Number(c[ci])]));
}

interface Stat { photos: number; agree: number; maxProbDiff: number; maxProbDiffPhoto: string; maxLogitDiff: number; labelled: number; correct: number }
const newStat = (): Stat => ({ photos: 0, agree: 0, maxProbDiff: 0, maxProbDiffPhoto: '', maxLogitDiff: 0, labelled: 0, correct: 0 });

async function main() {
  const until = deadline();
  const backend = await initNodeBackend('wasm');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'quantization-eval-'));
  const sizes: Record<string, Record<string, { weightsBytes: number; modelJsonBytes: number }>> = {};
  const models: { checkpoint: string; format: string; model: GhostNetModel }[] = [];
  for (const c of CHECKPOINTS) {
    sizes[c.id] = {};
    for (const f of FORMATS) {
      const dir = path.join(tmp, `${c.id}-${f.id}`);
      await writeModelDir(await convertFile(c.file, f.options), dir);
      sizes[c.id][f.id] = { weightsBytes: (await fs.stat(path.join(dir, 'weights.bin'))).size, modelJsonBytes: (await fs.stat(path.join(dir, 'model.json'))).size };
      models.push({ checkpoint: c.id, format: f.id, model: await load(await readModelSource(dir)) });
    }
  }
  const size = models[0].model.inputSize;
  if (models.some((m) => m.model.inputSize !== size || m.model.crop !== null)) throw new Error('the models differ in input size or crop; this script preprocesses once for all');

  const labels = await readLabels(path.join(args.shared!, 'samples'));
  const photos: { set: string; file: string }[] = [];
  for (const set of SETS) for (const file of await listImages(path.join(args.shared!, set))) photos.push({ set, file });

  // stats[checkpoint][format][set]
  const stats: Record<string, Record<string, Record<string, Stat>>> = {};
  for (const m of models) ((stats[m.checkpoint] ??= {})[m.format] ??= {});
  const covered: Record<string, number> = Object.fromEntries(SETS.map((s) => [s, 0]));
  const totals: Record<string, number> = Object.fromEntries(SETS.map((s) => [s, photos.filter((p) => p.set === s).length]));
  const skipped: string[] = [];
  const t0 = Date.now();
  let stoppedEarly = false;

  const write = async (done: boolean) => {
    const report = {
      measuredAt: new Date().toISOString(), backend, inputSize: size, node: process.version, finished: done && !stoppedEarly,
      stoppedAt: stoppedEarly ? args.until : null, seconds: Math.round((Date.now() - t0) / 1000),
      photos: { covered, totals }, skipped, sizes, stats,
    };
    await fs.writeFile(args.out!, JSON.stringify(report, null, 1) + '\n');
  };

  const batchSize = Number(args.batch);
  for (let i = 0; i < photos.length; i += batchSize) {
    if (Date.now() > until) { stoppedEarly = true; break; }
    const batch: { set: string; file: string; x: tf.Tensor4D }[] = [];
    for (const p of photos.slice(i, i + batchSize)) {
      try {
        const pixels = await decodeImage(new Uint8Array(await fs.readFile(p.file)), p.file);
        batch.push({ ...p, x: models[0].model.inputTensor(pixels, size) });
      } catch (e) {
        skipped.push(`${p.file}: ${(e as Error).message}`);
      }
    }
    if (batch.length === 0) continue;
    const x = tf.concat(batch.map((b) => b.x)) as tf.Tensor4D;
    tf.dispose(batch.map((b) => b.x));
    const results = new Map<string, { logits: Float32Array; probs: Float32Array }>();
    for (const m of models) {
      const [logits, probs] = tf.tidy(() => { const l = m.model.logits(x); return [l, tf.softmax(l)]; });
      results.set(`${m.checkpoint}/${m.format}`, { logits: (await logits.data()) as Float32Array, probs: (await probs.data()) as Float32Array });
      tf.dispose([logits, probs]);
    }
    x.dispose();
    const classes = 10;
    const argmax = (a: Float32Array, n: number) => { let best = 0; for (let k = 1; k < classes; k++) if (a[n * classes + k] > a[n * classes + best]) best = k; return best; };
    for (const m of models) {
      const ref = results.get(`${m.checkpoint}/float32`)!;
      const r = results.get(`${m.checkpoint}/${m.format}`)!;
      batch.forEach((b, n) => {
        const s = (stats[m.checkpoint][m.format][b.set] ??= newStat());
        s.photos++;
        const top = argmax(r.probs, n);
        if (top === argmax(ref.probs, n)) s.agree++;
        for (let k = 0; k < classes; k++) {
          const d = Math.abs(r.probs[n * classes + k] - ref.probs[n * classes + k]);
          if (d > s.maxProbDiff) { s.maxProbDiff = d; s.maxProbDiffPhoto = path.relative(args.shared!, b.file); }
          s.maxLogitDiff = Math.max(s.maxLogitDiff, Math.abs(r.logits[n * classes + k] - ref.logits[n * classes + k]));
        }
        const label = labels.get(b.file);
        if (label !== undefined) { s.labelled++; if (top === label) s.correct++; }
      });
    }
    for (const b of batch) covered[b.set]++;
    if ((i / batchSize) % 25 === 0) {
      await write(false);
      process.stderr.write(`${i + batch.length}/${photos.length} photos, ${Math.round((Date.now() - t0) / 1000)} s\n`);
    }
  }
  await write(true);
  for (const { model } of models) model.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
  process.stderr.write(`done: ${JSON.stringify(covered)} of ${JSON.stringify(totals)} in ${Math.round((Date.now() - t0) / 1000)} s -> ${args.out}\n`);
}

main().catch((e) => { process.stderr.write(`error: ${(e as Error).message}\n`); process.exit(1); });
