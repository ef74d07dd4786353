/**
 * The paper's premise, measured: for both shipped models and the sample photos, the
 * share of maps of the stem and of three primary convolutions at different depths (plus one
 * Ghost module's whole output, for comparison) whose best source reaches R^2 >= 0.9 and >= 0.8,
 * per filter size d; and the same with sources taken from another photo (a control: how high R^2
 * gets by chance, with the same number of candidate sources and fitted numbers).
 *
 *   npx tsx scripts/ghost-fit-table.ts [--size 224] [--images 20] [--no-write]
 *
 * Prints a markdown table and rewrites the section between the markers in docs/ghost-fit.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openModel, readImage } from '../src/cli/common.ts';
import { FIT_KERNELS, fitGhosts, type FitKernel, type LayerMapsData } from '../src/model/ghost-fit.ts';
import type { LayerMaps } from '../src/model/index.ts';

const DOC = 'docs/ghost-fit.md';
const BEGIN = '<!-- ghost-fit-table:begin (written by npx tsx scripts/ghost-fit-table.ts) -->';
const END = '<!-- ghost-fit-table:end -->';
const MODELS = ['ghostnet_100_imagenette', 'ghostnet_050_imagenette'];
/**
 * The stem, primary convolutions at 112, 28, 14 and 7 px (at 224 px input; at 7 x 7 a 5 x 5 filter
 * has 26 numbers for 49 pixels, which the control shows), and a Ghost module's output.
 */
const LAYERS = [
  'conv_stem', 'blocks.1.0.ghost1.primary_conv', 'blocks.4.0.ghost1.primary_conv', 'blocks.6.3.ghost1.primary_conv', 'blocks.8.0.ghost1.primary_conv',
  'blocks.4.0.ghost2',
];
const THRESHOLDS = [0.9, 0.8] as const;

const { values } = parseArgs({ options: { size: { type: 'string' }, images: { type: 'string' }, 'no-write': { type: 'boolean' } } });
const size = Number(values.size ?? 224);
const samples = (JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as { samples: { file: string }[] }).samples.map((s) => s.file);
const photos = samples.slice(0, Number(values.images ?? samples.length));
if (photos.length < 2) throw new Error('the control needs at least two photos');

/** Counts pooled over photos: [d][threshold] -> maps at or above it, and the maps fitted. */
interface Tally {
  readonly counts: number[][];
  fitted: number;
}
const tally = (): Tally => ({ counts: FIT_KERNELS.map(() => THRESHOLDS.map(() => 0)), fitted: 0 });

/** Targets from `a`, sources from `b` (another photo): the best R^2 of each non-constant target of `a`. */
function crossBest(a: LayerMapsData, b: LayerMapsData): { d: FitKernel; best: number[] }[] {
  const C = a.channels;
  const data = new Float32Array(a.data.length * 2);
  for (let p = 0; p < a.height * a.width; p++) {
    data.set(a.data.subarray(p * C, (p + 1) * C), p * 2 * C);
    data.set(b.data.subarray(p * C, (p + 1) * C), p * 2 * C + C);
  }
  const fit = fitGhosts({ data, height: a.height, width: a.width, channels: 2 * C }, FIT_KERNELS, { keepPairs: true });
  return fit.fits.map((f) => {
    const best: number[] = [];
    for (let j = 0; j < C; j++) {
      if (f.targets[j].constant) continue;
      let r2 = 0;
      for (let i = C; i < 2 * C; i++) r2 = Math.max(r2, f.pairs![j * 2 * C + i]);
      best.push(r2);
    }
    return { d: f.d, best };
  });
}

const started = Date.now();
const rows: string[] = [];
const json: unknown[] = [];
for (const name of MODELS) {
  const model = await openModel(`public/models/${name}`, 'wasm');
  const pixels = await Promise.all(photos.map((f) => readImage(`public/samples/${f}`)));
  for (const layerId of LAYERS) {
    const own = tally();
    const control = tally();
    let shape: number[] = [];
    let fitMs = 0;
    const all: LayerMaps[] = [];
    for (const px of pixels) {
      const maps = await model.layerMaps(px, layerId, size);
      all.push(maps);
      shape = [maps.height, maps.width, maps.channels];
      const t0 = performance.now();
      const fit = fitGhosts(maps);
      fitMs += performance.now() - t0;
      fit.fits.forEach((f, k) => {
        for (const t of f.targets) if (!t.constant) THRESHOLDS.forEach((th, m) => { if (t.r2 >= th) own.counts[k][m]++; });
      });
      own.fitted += fit.fits[0].summary.fitted;
    }
    // Control: each photo's maps as targets, the next photo's as sources.
    all.forEach((maps, n) => {
      const other = all[(n + 1) % all.length];
      const best = crossBest(maps, other);
      best.forEach((b, k) => b.best.forEach((r2) => THRESHOLDS.forEach((th, m) => { if (r2 >= th) control.counts[k][m]++; })));
      control.fitted += best[0].best.length;
    });
    const share = (t: Tally, k: number, m: number) => (t.fitted ? (100 * t.counts[k][m]) / t.fitted : 0);
    const cell = (t: Tally, k: number) => `${share(t, k, 0).toFixed(1)}% / ${share(t, k, 1).toFixed(1)}%`;
    const kind = layerId === 'conv_stem' ? 'stem' : layerId.endsWith('.primary_conv') ? 'primary conv' : 'Ghost module output';
    rows.push(`| ${name} | \`${layerId}\` (${kind}) | ${shape.join(' x ')} | ${FIT_KERNELS.map((_, k) => cell(own, k)).join(' | ')} | ${FIT_KERNELS.map((_, k) => cell(control, k)).join(' | ')} |`);
    json.push({ model: name, layer: layerId, shape, photos: photos.length, fitted: own.fitted, own: own.counts, control: control.counts, controlFitted: control.fitted, meanFitMs: fitMs / photos.length });
    console.error(`${name} ${layerId}: done (${(fitMs / photos.length).toFixed(0)} ms per fit)`);
  }
  model.dispose();
}

const header = [
  `Share of non-constant maps whose best source reaches R² >= 0.9 / >= 0.8, pooled over ${photos.length} sample photos at ${size} px`,
  `(shipped float16 models, whole image, no crop). "control": the same fit with every source taken from another photo.`,
  '',
  `| model | layer | maps (h x w x c) | d = 1 | d = 3 | d = 5 | control d = 1 | control d = 3 | control d = 5 |`,
  `|---|---|---|---|---|---|---|---|---|`,
];
const footer = ['', `Written ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${((Date.now() - started) / 1000).toFixed(0)} s on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}).`];
const table = [...header, ...rows, ...footer].join('\n');
console.log(table);
console.log(JSON.stringify(json));
if (!values['no-write']) {
  const doc = readFileSync(DOC, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${DOC} lacks the markers ${BEGIN} ... ${END}`);
  writeFileSync(DOC, `${doc.slice(0, from + BEGIN.length)}\n${table}\n${doc.slice(to)}`);
  console.error(`${DOC} updated`);
}
