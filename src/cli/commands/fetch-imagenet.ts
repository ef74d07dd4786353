import { convertCheckpoint, formatWidth, type ConvertedModel } from '../../convert/convert.ts';
import { formatBytes } from '../../fetch/download.ts';
import { AllSourcesFailed, checkImagenetModel, fetchFirstWorking } from '../../fetch/fallback.ts';
import { IMAGENET_SOURCES, hostOf, sourceFromUrl, type WeightSource } from '../../fetch/sources.ts';
import { checkOutputDir, writeModelDir } from '../../node/model-files.ts';
import { UsageError, describeCrop, print, type Command } from '../common.ts';
import { progressLine } from '../progress.ts';

/**
 * Download the authors' ImageNet GhostNet from the first source that works (the table in
 * src/fetch/sources.ts, or the --url options in order), convert and check it, write a model folder.
 */
export const fetchImagenet: Command = {
  usage: 'fetch-imagenet <out-dir> [--url URL]... [--float16]',
  async run({ positionals: pos, values: v }) {
    if (pos.length !== 1) throw new UsageError('fetch-imagenet needs <out-dir>');
    const [out] = pos;
    let sources: readonly WeightSource[];
    try {
      sources = v.url?.length ? v.url.map(sourceFromUrl) : IMAGENET_SOURCES;
    } catch (e) {
      throw new UsageError(`--url: ${(e as Error).message}`);
    }
    await checkOutputDir(out); // before downloading anything
    const line = progressLine(process.stderr);
    const t0 = performance.now();
    let fetched;
    try {
      fetched = await fetchFirstWorking<ConvertedModel>(
        sources,
        async (bytes, source) => {
          line.update(`${hostOf(source.url)}: converting ${formatBytes(bytes.length)}`, true);
          const model = await convertCheckpoint(bytes, { sourceName: source.url, float16: v.float16 });
          checkImagenetModel(model.metadata);
          return model;
        },
        {
          onAttempt: (source) => line.update(`${hostOf(source.url)}: connecting`, true),
          onProgress: (p) => line.update(`${p.fraction === 1 ? 'downloaded' : 'downloading'} ${formatBytes(p.received)} of ${p.exact ? '' : 'about '}${formatBytes(p.total)} (${Math.floor(100 * p.fraction)}%)`, p.fraction === 1),
        },
      );
    } catch (e) {
      if (e instanceof AllSourcesFailed) {
        throw new Error(`no source gave the ImageNet weights: ${e.message}. Download the file by hand (${sources[0].url}) and run: ghostnet convert <file> ${out}`);
      }
      throw e;
    } finally {
      line.clear();
    }
    await writeModelDir(fetched.result, out);
    const m = fetched.result.metadata;
    const ms = Math.round(performance.now() - t0);
    const info = {
      out, source: fetched.source.url, bytes: fetched.bytes, skipped: fetched.failures.map((f) => `${f.source.url} ${f.reason}`),
      width: m.width, classes: m.numClasses, inputSize: m.inputSize, crop: m.crop ?? null, storage: m.storage,
      downloadMs: Math.round(fetched.downloadMs), convertMs: Math.round(fetched.useMs), ms,
    };
    if (v.json) print(JSON.stringify(info));
    else {
      for (const skipped of info.skipped) print(`skipped ${skipped}`);
      print(`fetched ${info.source} (${formatBytes(info.bytes)} in ${info.downloadMs} ms) -> ${out}: GhostNet ${formatWidth(m.width)}, ${m.numClasses} classes, ${m.inputSize} px, crop ${describeCrop(m.crop ?? null)}, ${m.storage}, converted in ${info.convertMs} ms`);
    }
  },
};
