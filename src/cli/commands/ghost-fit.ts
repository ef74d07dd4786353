import { FIT_KERNELS, fitGhosts, isFitKernel, type FitKernel, type KernelFit, type TargetFit } from '../../model/ghost-fit.ts';
import { UsageError, cropOption, intOption, openModel, print, readImage, type Command } from '../common.ts';

/** A d x d filter as d rows (PyTorch's weight[c, 0]). */
const rows = (filter: Float64Array, d: number) => Array.from({ length: d }, (_, r) => Array.from(filter.subarray(r * d, (r + 1) * d)));

function targetJson(t: TargetFit, d: number) {
  return t.constant ? t : { target: t.target, constant: false, source: t.source, r2: t.r2, filter: rows(t.filter, d), bias: t.bias };
}

function kernelJson(f: KernelFit) {
  return { d: f.d, summary: f.summary, rankDeficientSources: f.rankDeficient, targets: f.targets.map((t) => targetJson(t, f.d)) };
}

const fixed = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3));

export const ghostFit: Command = {
  usage: 'ghost-fit <model-dir|checkpoint> <image> --layer conv_stem|blocks.S.B.ghostK.primary_conv|blocks.S.B.ghostK (lab: convs.N|convs.N.primary_conv) [--d 1|3|5] [--size N] [--crop PCT|none] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 2 || !v.layer) throw new UsageError('ghost-fit needs <model-dir|checkpoint> <image> --layer <name>');
    let kernels: readonly FitKernel[] = FIT_KERNELS;
    if (v.d !== undefined) {
      const d = Number(v.d);
      if (!isFitKernel(d)) throw new UsageError(`--d must be ${FIT_KERNELS.join(', ')}, got "${v.d}"`);
      kernels = [d];
    }
    const size = intOption(v.size, 'size', 32, 2048);
    const crop = cropOption(v.crop);
    const model = await openModel(pos[0], backend, crop);
    try {
      // Before reading the image: an unknown layer name lists the valid ones.
      const layer = model.findMapLayer(v.layer);
      const pixels = await readImage(pos[1]);
      const t0 = performance.now();
      const maps = await model.layerMaps(pixels, layer.id, size ?? model.inputSize);
      const t1 = performance.now();
      const fit = fitGhosts(maps, kernels);
      const t2 = performance.now();
      const report = {
        layer: layer.id, kind: layer.kind, ordinary: layer.ordinary, size: maps.inputSize, crop: model.crop,
        shape: [maps.height, maps.width, maps.channels], constantMaps: fit.constantMaps,
        summary: fit.fits.map((f) => ({ d: f.d, ...f.summary })),
        fits: fit.fits.map(kernelJson),
        ms: { maps: t1 - t0, fit: t2 - t1 },
      };
      if (v.json) {
        print(JSON.stringify(report));
        return;
      }
      const what = layer.kind === 'module' ? 'a Ghost module\'s output: intrinsic maps, then their ghosts' : 'an ordinary convolution';
      print(`${layer.id} at ${maps.inputSize}px: ${maps.channels} maps of ${maps.height}x${maps.width} (${what}); fit in ${(t2 - t1).toFixed(0)} ms`);
      if (fit.constantMaps.length) print(`constant maps (skipped as targets): ${fit.constantMaps.join(', ')}`);
      for (const f of fit.fits) {
        const s = f.summary;
        print(`d=${f.d}: ${s.atLeast90} of ${s.fitted} non-constant maps have a source with R^2 >= 0.9, ${s.atLeast80} with R^2 >= 0.8`);
        if (f.rankDeficient.length) print(`  rank-deficient sources (rank of ${f.d * f.d}): ${f.rankDeficient.map((r) => `${r.source} (${r.rank})`).join(', ')}`);
        for (const t of f.targets) {
          if (t.constant) print(`  map ${t.target}: constant ${fixed(t.value)}`);
          else print(`  map ${t.target} <- map ${t.source}: R^2 ${t.r2.toFixed(4)}, bias ${fixed(t.bias)}, filter [${rows(t.filter, f.d).map((r) => `[${r.map(fixed).join(', ')}]`).join(', ')}]`);
        }
      }
    } finally {
      model.dispose();
    }
  },
};
