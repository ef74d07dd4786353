/**
 * The CLI's answers, computed in the test process by running `src/cli/run.ts classify` (Node, wasm
 * backend) once per model/size/image set and worker; the browser's results are compared with them.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface CliPrediction {
  readonly image: string;
  readonly top1: string;
  readonly top1Probability: number;
  readonly names: string[];
  readonly probabilities: number[];
}

const cache = new Map<string, Map<string, CliPrediction>>();

export function cliClassify(model: string, images: string[], size: number): Map<string, CliPrediction> {
  const key = JSON.stringify([model, images, size]);
  const cached = cache.get(key);
  if (cached) return cached;
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'classify', model, ...images, '--size', String(size), '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  const results = new Map<string, CliPrediction>();
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as { file: string; predictions: { label: string; probability: number }[] };
    results.set(path.basename(r.file), {
      image: r.file,
      top1: r.predictions[0].label,
      top1Probability: r.predictions[0].probability,
      names: r.predictions.map((p) => p.label),
      probabilities: r.predictions.map((p) => p.probability),
    });
  }
  if (results.size !== images.length) throw new Error(`the CLI classified ${results.size} of ${images.length} images:\n${out}`);
  cache.set(key, results);
  return results;
}
