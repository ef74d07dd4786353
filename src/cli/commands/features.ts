import { UsageError, cropOption, intOption, openModel, print, readImage, type Command } from '../common.ts';

export const features: Command = {
  usage: 'features <model-dir|checkpoint> <image> --module blocks.S.B.ghostK (lab: convs.N) [--size N] [--crop PCT|none] [--json]',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 2 || !v.module) throw new UsageError('features needs <model-dir|checkpoint> <image> --module blocks.S.B.ghostK (a lab network: convs.N)');
    const size = intOption(v.size, 'size', 32, 2048);
    const model = await openModel(pos[0], backend, cropOption(v.crop));
    const fm = await model.features(await readImage(pos[1]), v.module, size ?? model.inputSize);
    const pairs = [...fm.pairs].sort((a, b) => b.cosine - a.cosine);
    const mean = (k: 'cosine' | 'pearson') => fm.pairs.reduce((s, p) => s + p[k], 0) / fm.pairs.length;
    const report = {
      module: fm.moduleId, size: fm.inputSize, crop: model.crop, ratio: fm.ratio,
      intrinsicShape: [fm.height, fm.width, fm.intrinsicChannels], ghostShape: [fm.height, fm.width, fm.ghostChannels],
      meanCosine: mean('cosine'), meanPearson: mean('pearson'), pairs,
    };
    if (v.json) print(JSON.stringify(report));
    else {
      print(`${fm.moduleId} at ${fm.inputSize}px: ${fm.intrinsicChannels} intrinsic + ${fm.ghostChannels} ghost maps of ${fm.height}x${fm.width}; mean cosine ${report.meanCosine.toFixed(3)}, mean Pearson ${report.meanPearson.toFixed(3)}`);
      for (const p of pairs) print(`  ghost ${p.ghost} <- intrinsic ${p.intrinsic}: cosine ${p.cosine.toFixed(4)}, pearson ${p.pearson.toFixed(4)}`);
    }
    model.dispose();
  },
};
