/**
 * ghostnet CLI: convert checkpoints, classify and evaluate images, dump logits and Ghost-module
 * similarities. Every failure prints one line and exits non-zero.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend, type NodeBackend } from '../node/backend.ts';
import { decodeImage } from '../node/images.ts';
import { convertFile, readModelSource, writeModelDir } from '../node/model-files.ts';
import { load, type GhostNetModel } from '../model/index.ts';
import { formatWidth } from '../convert/convert.ts';

const USAGE = `usage: ghostnet <command> ...
  convert <checkpoint> <out-dir> [--float16]
  classify <model-dir|checkpoint> <image>... [--size N] [--top K] [--json]
  eval <model-dir|checkpoint> <image-dir> --labels <csv: file,class_index> [--size N] [--json]
  logits <model-dir|checkpoint> --shape 1,H,W,3 --tensor <file.f32> [--tensor ...] --json
  features <model-dir|checkpoint> <image> --module blocks.S.B.ghostK [--size N] [--json]
options: --backend wasm|cpu (default wasm)`;

class UsageError extends Error {}

const OPTIONS = {
  size: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  float16: { type: 'boolean' },
  labels: { type: 'string' },
  shape: { type: 'string' },
  tensor: { type: 'string', multiple: true },
  module: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function intOption(v: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

async function openModel(source: string, backend: NodeBackend): Promise<GhostNetModel> {
  await initNodeBackend(backend);
  return load(await readModelSource(source));
}

async function readImage(file: string) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch {
    throw new Error(`${file}: cannot be read`);
  }
  return decodeImage(bytes, file);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const print = (s: string) => process.stdout.write(s + '\n');

async function cmdConvert(pos: string[], v: Values) {
  if (pos.length !== 2) throw new UsageError('convert needs <checkpoint> <out-dir>');
  const [src, out] = pos;
  const t0 = performance.now();
  const model = await convertFile(src, { float16: v.float16 });
  await writeModelDir(model, out);
  const ms = performance.now() - t0;
  const m = model.metadata;
  const info = { out, width: m.width, classes: m.numClasses, parameters: m.parameters, storage: m.storage, bytes: model.weightData.byteLength, sourceFormat: m.provenance.sourceFormat, ms: Math.round(ms) };
  if (v.json) print(JSON.stringify(info));
  else print(`converted ${src} (${m.provenance.sourceFormat}) -> ${out}: GhostNet ${formatWidth(m.width)}, ${m.numClasses} classes, ${m.parameters.toLocaleString('en')} parameters, ${m.storage}, ${(info.bytes / 1e6).toFixed(1)} MB in ${info.ms} ms`);
}

async function cmdClassify(pos: string[], v: Values, backend: NodeBackend) {
  if (pos.length < 2) throw new UsageError('classify needs <model-dir|checkpoint> <image>...');
  const size = intOption(v.size, 'size', 32, 2048);
  const top = intOption(v.top, 'top', 1, 1000) ?? 5;
  const model = await openModel(pos[0], backend);
  const s = size ?? model.inputSize;
  await model.warmup(s);
  for (const file of pos.slice(1)) {
    const t0 = performance.now();
    const preds = await model.classify(await readImage(file), top, s);
    const ms = performance.now() - t0;
    if (v.json) print(JSON.stringify({ image: file, size: s, ms: Number(ms.toFixed(1)), predictions: preds }));
    else print(`${file} (${s}px, ${ms.toFixed(1)} ms): ` + preds.map((p) => `${p.name} ${pct(p.probability)}`).join(', '));
  }
  model.dispose();
}

function parseLabels(text: string, file: string): { file: string; label: number }[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const fi = header.indexOf('file');
  const ci = header.indexOf('class_index');
  if (fi < 0 || ci < 0) throw new Error(`${file}: needs a header with columns "file" and "class_index"`);
  return lines.map((l, n) => {
    const cols = l.split(',');
    const label = Number(cols[ci]);
    if (!cols[fi] || !Number.isInteger(label) || label < 0) throw new Error(`${file}: line ${n + 2} has no valid file/class_index`);
    return { file: cols[fi].trim(), label };
  });
}

async function cmdEval(pos: string[], v: Values, backend: NodeBackend) {
  if (pos.length !== 2 || !v.labels) throw new UsageError('eval needs <model-dir|checkpoint> <image-dir> --labels <csv>');
  const size = intOption(v.size, 'size', 32, 2048);
  let csv: string;
  try { csv = await fs.readFile(v.labels, 'utf8'); } catch { throw new Error(`${v.labels}: cannot be read`); }
  const rows = parseLabels(csv, v.labels);
  if (rows.length === 0) throw new Error(`${v.labels}: lists no images`);
  const model = await openModel(pos[0], backend);
  const bad = rows.find((r) => r.label >= model.metadata.numClasses);
  if (bad) throw new Error(`${v.labels}: class_index ${bad.label} of ${bad.file} is outside the model's ${model.metadata.numClasses} classes`);
  const s = size ?? model.inputSize;
  let top1 = 0, top5 = 0;
  const t0 = performance.now();
  for (const r of rows) {
    const preds = await model.classify(await readImage(path.join(pos[1], r.file)), 5, s);
    if (preds[0].index === r.label) top1++;
    if (preds.some((p) => p.index === r.label)) top5++;
  }
  const report = { images: rows.length, size: s, top1: top1 / rows.length, top5: top5 / rows.length, ms: Math.round(performance.now() - t0) };
  if (v.json) print(JSON.stringify(report));
  else print(`${report.images} images at ${s}px: top-1 ${pct(report.top1)}, top-5 ${pct(report.top5)} (${report.ms} ms)`);
  model.dispose();
}

async function cmdLogits(pos: string[], v: Values, backend: NodeBackend) {
  if (pos.length !== 1 || !v.shape || !v.tensor?.length) throw new UsageError('logits needs <model-dir|checkpoint> --shape 1,H,W,3 --tensor <file.f32>');
  const shape = v.shape.split(',').map(Number);
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0) || shape[3] !== 3) throw new UsageError(`--shape must be N,H,W,3 with positive integers, got "${v.shape}"`);
  const model = await openModel(pos[0], backend);
  const numel = shape.reduce((a, b) => a * b, 1);
  for (const file of v.tensor) {
    let buf: Buffer;
    try { buf = await fs.readFile(file); } catch { throw new Error(`${file}: cannot be read`); }
    if (buf.byteLength !== numel * 4) throw new Error(`${file}: has ${buf.byteLength} bytes, but shape ${shape.join('x')} float32 needs ${numel * 4}`);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const x = tf.tensor4d(data, shape as [number, number, number, number]);
    const logits = model.logits(x);
    const values = (await logits.array()) as number[][];
    tf.dispose([x, logits]);
    print(JSON.stringify({ tensor: file, shape, logits: shape[0] === 1 ? values[0] : values }));
  }
  model.dispose();
}

async function cmdFeatures(pos: string[], v: Values, backend: NodeBackend) {
  if (pos.length !== 2 || !v.module) throw new UsageError('features needs <model-dir|checkpoint> <image> --module blocks.S.B.ghostK');
  const size = intOption(v.size, 'size', 32, 2048);
  const model = await openModel(pos[0], backend);
  const fm = await model.features(await readImage(pos[1]), v.module, size ?? model.inputSize);
  const pairs = [...fm.pairs].sort((a, b) => b.cosine - a.cosine);
  const mean = (k: 'cosine' | 'pearson') => fm.pairs.reduce((s, p) => s + p[k], 0) / fm.pairs.length;
  const report = {
    module: fm.moduleId, size: fm.inputSize, ratio: fm.ratio,
    intrinsicShape: [fm.height, fm.width, fm.intrinsicChannels], ghostShape: [fm.height, fm.width, fm.ghostChannels],
    meanCosine: mean('cosine'), meanPearson: mean('pearson'), pairs,
  };
  if (v.json) print(JSON.stringify(report));
  else {
    print(`${fm.moduleId} at ${fm.inputSize}px: ${fm.intrinsicChannels} intrinsic + ${fm.ghostChannels} ghost maps of ${fm.height}x${fm.width}; mean cosine ${report.meanCosine.toFixed(3)}, mean Pearson ${report.meanPearson.toFixed(3)}`);
    for (const p of pairs) print(`  ghost ${p.ghost} <- intrinsic ${p.intrinsic}: cosine ${p.cosine.toFixed(4)}, pearson ${p.pearson.toFixed(4)}`);
  }
  model.dispose();
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...pos] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? 0 : 2;
  }
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  try {
    if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);
    switch (command) {
      case 'convert': await cmdConvert(pos, values); break;
      case 'classify': await cmdClassify(pos, values, backend); break;
      case 'eval': await cmdEval(pos, values, backend); break;
      case 'logits': await cmdLogits(pos, values, backend); break;
      case 'features': await cmdFeatures(pos, values, backend); break;
      default: throw new UsageError(`unknown command "${command}"`);
    }
    return 0;
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    process.stderr.write(`error: ${msg}\n`);
    if (e instanceof UsageError) process.stderr.write(USAGE + '\n');
    return e instanceof UsageError ? 2 : 1;
  }
}
