import { convertFile, writeModelDir } from '../../node/model-files.ts';
import { formatWidth } from '../../convert/convert.ts';
import { UsageError, print, type Command } from '../common.ts';

export const convert: Command = {
  usage: 'convert <checkpoint> <out-dir> [--float16]',
  async run({ positionals: pos, values: v }) {
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
  },
};
