/**
 * The lab's training throughput in a browser (driven by scripts/lab-bench.ts through Vite's dev
 * server and Playwright): the page downloads the shipped data pack, decodes it with the page's own
 * JPEG decoder, and trains with the same engine as the Lab tab, on the main thread.
 */
import { labSubset } from '../../src/lab/data.ts';
import { crc32, loadLabPack } from '../../src/lab/pack.ts';
import { parseLabConfig } from '../../src/lab/spec.ts';
import { trainLab } from '../../src/lab/train.ts';
import type { EpochResult } from '../../src/lab/types.ts';
import { startBackend, type BackendName } from '../../src/runtime/backends.ts';

export interface PageBenchOptions {
  readonly backend: BackendName;
  readonly configs: string[];
  readonly perClass: number;
  readonly testPerClass: number;
  readonly epochs: number;
  readonly width: number;
}

export interface PageBenchResult {
  readonly backend: string;
  readonly renderer: string;
  readonly userAgent: string;
  readonly decodeSeconds: number;
  /** CRC-32 of the decoded training and test pixels (compared with Node's decode of the same pack). */
  readonly pixelsCrc: { train: number; test: number };
  readonly runs: { config: string; params: number; multiplyAdds: number; epochs: EpochResult[] }[];
}

const status = (s: string) => { document.getElementById('status')!.textContent = s; };

async function run(o: PageBenchOptions): Promise<PageBenchResult> {
  const info = await startBackend(o.backend);
  if (info.name !== o.backend) throw new Error(`${o.backend} did not start: ${info.fallbackReason}`);
  const t0 = performance.now();
  const pack = await loadLabPack(new URL('/lab/cifar10-lab.bin', location.href), { onProgress: (p) => status(`${p.phase} ${p.loaded}/${p.total}`) });
  const decodeSeconds = (performance.now() - t0) / 1000;
  const pixelsCrc = { train: crc32(pack.train.images), test: crc32(pack.test.images) };
  const train = labSubset(pack.train, o.perClass);
  const test = labSubset(pack.test, o.testPerClass);
  const runs: PageBenchResult['runs'] = [];
  for (const name of o.configs) {
    status(`training ${name}`);
    const r = await trainLab({ config: parseLabConfig(name), width: o.width, epochs: o.epochs, seed: 0, train, test });
    runs.push({ config: name, params: r.params, multiplyAdds: r.multiplyAdds, epochs: r.epochs });
    r.network.dispose();
  }
  status('done');
  return { backend: info.name, renderer: info.renderer, userAgent: navigator.userAgent, decodeSeconds, pixelsCrc, runs };
}

(window as unknown as { runLabBench: typeof run }).runLabBench = run;
status('ready');
