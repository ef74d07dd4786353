/** Benchmark reports as a markdown table, and the issue's targets checked against them. No TensorFlow.js here. */
import type { BenchReport } from './run.ts';
import type { ModelResult } from './measure.ts';
import { softwareRenderer } from '../runtime/backend-choice.ts';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const giga = (v: number) => (v / 1e9).toFixed(2);
const mega = (v: number) => (v / 1e6).toFixed(1);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/**
 * The software rasteriser a GPU backend's figures came from ("SwiftShader", ...), or null: WebGL by
 * its renderer string, WebGPU by the adapter ("WebGPU on google swiftshader (software)"). Such
 * figures say nothing about a GPU: the tables mark them "not representative".
 */
export function softwareRendered(environment: { readonly backend: string; readonly renderer: string }): string | null {
  if (environment.backend !== 'webgl' && environment.backend !== 'webgpu') return null;
  return softwareRenderer(environment.renderer) ?? (/\(software\)/.test(environment.renderer) ? 'a software adapter' : null);
}

/** "webgpu (SwiftShader: not representative)" for software-rendered GPU figures, else the backend's name. */
export function backendLabel(environment: { readonly backend: string; readonly renderer: string }): string {
  const software = softwareRendered(environment);
  return software ? `${environment.backend} (${software}: not representative)` : environment.backend;
}

export function markdownTable(reports: readonly BenchReport[]): string {
  const lines = [
    '| backend | model | MAdds (M) | load ms | first ms | median ms | p10 ms | p90 ms | runs | G MAdds/s | % of peak | weight tensors | weight MiB | plan MiB | leaked tensors | released on dispose |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of reports) {
    for (const m of r.models) {
      const mem = m.memory;
      lines.push(
        `| ${backendLabel(r.environment)} | ${m.label} | ${mega(m.multiplyAdds)} | ${ms(m.loadMs)} | ${ms(m.firstInferenceMs)} | **${ms(m.medianMs)}** | ${ms(m.p10Ms)} | ${ms(m.p90Ms)} | ${m.runs} | ${giga(m.multiplyAddsPerSecond)} | ${m.shareOfPeak === null ? '–' : (m.shareOfPeak * 100).toFixed(1)} | ${mem.weights.tensors} | ${mib(mem.weights.bytes)} | ${mem.planBytes === null ? '–' : mib(mem.planBytes)} | ${mem.leakedTensors} | ${mem.releasedOnDispose.tensors} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Backend-wide tensor counts around the whole benchmark. */
export function memoryLine(reports: readonly BenchReport[]): string {
  return reports
    .map((r) => `${r.environment.backend}: ${r.memoryBefore.tensors} tensors (${mib(r.memoryBefore.bytes)} MiB) before, ${r.memoryAfter.tensors} tensors (${mib(r.memoryAfter.bytes)} MiB) after`)
    .join('; ');
}

export function peakTable(reports: readonly BenchReport[]): string {
  const lines = ['| backend | peak product | best ms | median ms | peak G MAdds/s | wasm threads |', '|---|---|---:|---:|---:|---:|'];
  for (const r of reports) {
    const p = r.peak;
    if (!p) continue;
    lines.push(`| ${r.environment.backend} | ${p.n}x${p.n} · ${p.n}x${p.n}${p.via === 'conv1x1' ? ' (as a 1x1 conv)' : ''} | ${ms(p.bestMs)} | ${ms(p.medianMs)} | ${giga(p.multiplyAddsPerSecond)} | ${r.environment.wasmThreads ?? '–'} |`);
  }
  return lines.join('\n');
}

export function profileTable(reports: readonly BenchReport[]): string {
  const lines = ['| backend | model | step kind | steps | ms | share of time | MAdds (M) | share of MAdds |', '|---|---|---|---:|---:|---:|---:|---:|'];
  for (const r of reports) {
    for (const m of r.models) {
      if (!m.profile) continue;
      const total = m.profile.reduce((s, g) => s + g.ms, 0);
      for (const g of m.profile) {
        lines.push(`| ${r.environment.backend} | ${m.label} | ${g.group} | ${g.steps} | ${ms(g.ms)} | ${((g.ms / total) * 100).toFixed(0)}% | ${mega(g.multiplyAdds)} | ${((g.multiplyAdds / m.multiplyAdds) * 100).toFixed(0)}% |`);
      }
    }
  }
  return lines.length > 2 ? lines.join('\n') : '';
}

export interface TargetCheck {
  readonly backend: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const find = (r: BenchReport, id: string): ModelResult | undefined => r.models.find((m) => m.id === id);

/** The issue's "Done when" lines, per backend report. */
export function checkTargets(reports: readonly BenchReport[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const r of reports) {
    const backend = r.environment.backend;
    const g100 = find(r, 'ghostnet_100');
    const g050 = find(r, 'ghostnet_050');
    const v3 = find(r, 'mobilenetv3_large_100');
    if (g100 && v3) {
      const ratio = g100.medianMs / v3.medianMs;
      checks.push({ backend, target: 'GhostNet 1.0x median <= 0.75 x MobileNetV3-Large', measured: `${ms(g100.medianMs)} / ${ms(v3.medianMs)} ms = ${ratio.toFixed(2)}x`, met: ratio <= 0.75 });
    }
    if (g050 && r.models.length > 1) {
      const others = r.models.filter((m) => m.id !== g050.id);
      const fastestOther = others.reduce((a, b) => (a.medianMs < b.medianMs ? a : b));
      checks.push({ backend, target: 'GhostNet 0.5x faster than every other model', measured: `${ms(g050.medianMs)} ms vs ${ms(fastestOther.medianMs)} ms (${fastestOther.label})`, met: g050.medianMs < fastestOther.medianMs });
    }
    if (backend === 'wasm' && g100?.shareOfPeak != null) {
      checks.push({ backend, target: 'GhostNet 1.0x >= 25% of measured peak', measured: `${(g100.shareOfPeak * 100).toFixed(1)}%`, met: g100.shareOfPeak >= 0.25 });
    }
  }
  return checks;
}

/**
 * Where a report also timed `ghostnet_100@ops` and `mobilenetv3_large_100@ops` (wasm: both
 * networks op by op instead of as compiled plans), the same ratio for that execution.
 */
export function opsComparison(reports: readonly BenchReport[]): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const g = find(r, 'ghostnet_100@ops');
    const v = find(r, 'mobilenetv3_large_100@ops');
    if (g && v) lines.push(`${r.environment.backend}, both op by op: GhostNet 1.0x ${ms(g.medianMs)} / MobileNetV3-Large ${ms(v.medianMs)} ms = ${(g.medianMs / v.medianMs).toFixed(2)}x`);
  }
  return lines;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return ['| backend | target | measured | met |', '|---|---|---|---|', ...checks.map((c) => `| ${c.backend} | ${c.target} | ${c.measured} | ${c.met ? 'yes' : '**no**'} |`)].join('\n');
}

export interface ThreadRow {
  readonly model: string;
  /** One cell per thread count, in the order of `threads`: the median, and the speedup over one thread. */
  readonly cells: readonly ({ readonly medianMs: number; readonly speedup: number | null } | null)[];
}

/** The same models on wasm at several thread counts (one report per count): medians and speedups over 1 thread. */
export function threadRows(reports: readonly BenchReport[]): { threads: number[]; rows: ThreadRow[] } {
  const wasm = reports.filter((r) => r.environment.backend === 'wasm' && r.environment.wasmThreads !== null);
  const threads = [...new Set(wasm.map((r) => r.environment.wasmThreads!))].sort((a, b) => a - b);
  const labels = [...new Set(wasm.flatMap((r) => r.models.map((m) => m.label)))];
  const median = (label: string, n: number) => wasm.find((r) => r.environment.wasmThreads === n)?.models.find((m) => m.label === label)?.medianMs ?? null;
  const rows = labels.map((label) => {
    const one = median(label, 1);
    return {
      model: label,
      cells: threads.map((n) => {
        const v = median(label, n);
        return v === null ? null : { medianMs: v, speedup: one === null ? null : one / v };
      }),
    };
  });
  return { threads, rows };
}

export function threadsTable(reports: readonly BenchReport[]): string {
  const { threads, rows } = threadRows(reports);
  const lines = [`| model | ${threads.map((n) => `${n} thread${n === 1 ? '' : 's'}: median ms (speedup)`).join(' | ')} |`, `|---|${threads.map(() => '---:').join('|')}|`];
  for (const row of rows) {
    lines.push(`| ${row.model} | ${row.cells.map((c) => (c === null ? '–' : `${ms(c.medianMs)}${c.speedup === null ? '' : ` (${c.speedup.toFixed(2)}x)`}`)).join(' | ')} |`);
  }
  return lines.join('\n');
}
