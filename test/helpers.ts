/** Shared test utilities: fixture paths, reference data, the CLI as a subprocess. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const CHECKPOINTS = path.join(FIXTURES, 'checkpoints');
export const BAD = path.join(FIXTURES, 'bad');
export const REFERENCE_DIR = path.join(FIXTURES, 'reference');
export const SHIPPED = path.join(ROOT, 'public', 'models');
export const SAMPLES = path.join(ROOT, 'public', 'samples');

export interface Reference {
  inputs: Record<string, { source: string; shape: [number, number, number, number] }>;
  logits: Record<string, Record<string, number[]>>;
  taps: Record<string, { model: string; input: string; module: string; kind: 'intrinsic' | 'ghost'; shape: [number, number, number] }>;
}

export const reference: Reference = JSON.parse(readFileSync(path.join(REFERENCE_DIR, 'reference.json'), 'utf8'));

export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function inputTensorFile(name: string): string {
  return path.join(REFERENCE_DIR, 'inputs', `${name}.f32`);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI exactly as a user would (`npm run cli -- ...` runs this same entry point). */
export function runCli(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/run.ts'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (needed when the test itself serves what the CLI fetches). */
export function runCliAsync(args: string[], cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/run.ts'), ...args], { cwd, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A CLI failure as the README promises it: a non-zero exit status (`status` when given), nothing on
 * stdout, one line on stderr that starts with "error: " and matches `pattern`, no stack trace.
 */
export function expectOneLineFailure(r: CliResult, pattern: RegExp, status?: number): void {
  if (status === undefined) expect(r.status, r.stderr).not.toBe(0);
  else expect(r.status, r.stderr).toBe(status);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
