import { convertFile, writeModelDir } from '../../node/model-files.ts';
import { formatWidth } from '../../convert/convert.ts';
import { QUANTIZE_FORMATS, type QuantizeFormat } from '../../model/quantization.ts';
import { UsageError, print, type Command } from '../common.ts';

export const convert: Command = {
  usage: 'convert <checkpoint> <out-dir> [--float16 | --quantize uint8|uint8-per-channel]',
  async run({ positionals: pos, values: v }) {
    if (pos.length !== 2) throw new UsageError('convert needs <checkpoint> <out-dir>');
    const [src, out] = pos;
    const t0 = performance.now();
    const quantize = v.quantize as QuantizeFormat | undefined;
    if (quantize !== undefined && !QUANTIZE_FORMATS.includes(quantize)) throw new UsageError(`--quantize must be ${QUANTIZE_FORMATS.join(' or ')}, got "${quantize}"`);
    if (quantize && v.float16) throw new UsageError('--float16 and --quantize are two storage formats: give one of them');
    const model = await convertFile(src, { float16: v.float16, quantize });
    await writeModelDir(model, out);
    const ms = performance.now() - t0;
    const m = model.metadata;
    const info = { out, width: m.width, classes: m.numClasses, parameters: m.parameters, storage: m.storage, bytes: model.weightData.byteLength, sourceFormat: m.provenance.sourceFormat, ms: Math.round(ms) };
    if (v.json) print(JSON.stringify(info));
    else print(`converted ${src} (${m.provenance.sourceFormat}) -> ${out}: GhostNet ${formatWidth(m.width)}, ${m.numClasses} classes, ${m.parameters.toLocaleString('en')} parameters, ${m.storage}, ${(info.bytes / 1e6).toFixed(1)} MB in ${info.ms} ms`);
  },
};
