/**
 * Gradient parity against PyTorch (issue 16): reads a step fixture written by
 * scripts/fixtures/make_lab_fixtures.py (step_<config>.json + .bin), runs the same network with
 * the same initialisation and batch on the active backend (BatchNorm in training mode), and
 * compares the loss, every parameter gradient and the weights after one (or two) SGD steps.
 * Used by the unit tests (cpu, wasm) and, through labGradientCheck, by the page's e2e (WebGL).
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeBatch } from './augment.ts';
import { torchToTfLayout, tfToTorchLayout } from './params.ts';
import { labNetwork, labTensors, parseLabConfig } from './spec.ts';
import { LabTrainer } from './train.ts';
import { prepareLabWasmKernels } from '../model/kernels/lab-wasm.ts';
import type { LabNetworkSpec, LabTensorSpec } from './types.ts';

export interface LabStepFixture {
  readonly config: string;
  readonly width: number;
  readonly classes: number;
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly steps: number;
  /** Every entry by name, PyTorch layout. */
  readonly entries: ReadonlyMap<string, { shape: number[]; data: Float32Array }>;
}

interface FixtureMeta {
  config: string; width: number; classes: number; lr: number; momentum: number; weightDecay: number; steps: number;
  entries: { name: string; shape: number[]; offset: number }[];
}

/** Parses a step fixture: its JSON (text or parsed) and its .bin (little-endian float32). */
export function parseLabStepFixture(json: string | object, bin: ArrayBuffer | Uint8Array): LabStepFixture {
  const meta = (typeof json === 'string' ? JSON.parse(json) : json) as FixtureMeta;
  const bytes = bin instanceof Uint8Array ? bin : new Uint8Array(bin);
  const all = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(all.buffer).set(bytes.subarray(0, all.length * 4));
  const entries = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of meta.entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + n > all.length) throw new Error(`lab fixture: entry ${e.name} runs past the end of the data`);
    entries.set(e.name, { shape: e.shape, data: all.subarray(e.offset, e.offset + n) });
  }
  return { config: meta.config, width: meta.width, classes: meta.classes, lr: meta.lr, momentum: meta.momentum, weightDecay: meta.weightDecay, steps: meta.steps, entries };
}

function entry(f: LabStepFixture, name: string): Float32Array {
  const e = f.entries.get(name);
  if (!e) throw new Error(`lab fixture ${f.config}: no entry ${name}`);
  return e.data;
}

export function fixtureSpec(f: LabStepFixture): LabNetworkSpec {
  return labNetwork(parseLabConfig(f.config), { width: f.width, classes: f.classes });
}

/** The fixture's initial tensors in TF.js layout. */
export function fixtureValues(f: LabStepFixture, prefix = 'init'): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const t of labTensors(fixtureSpec(f))) out.set(t.name, torchToTfLayout(t, entry(f, `${prefix}/${t.name}`)));
  return out;
}

/** The fixture's batch: normalised NHWC images and int labels. */
export function fixtureBatch(f: LabStepFixture): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const img = entry(f, 'batch/images');
  const n = img.length / (32 * 32 * 3);
  const bytes = Uint8Array.from(img);
  const idx = Array.from({ length: n }, (_, i) => i);
  return { x: tf.tensor4d(makeBatch(bytes, idx, null), [n, 32, 32, 3]), labels: tf.tensor1d(Int32Array.from(entry(f, 'batch/labels')), 'int32') };
}

export interface TensorComparison {
  readonly name: string;
  /** max |ours - torch| */
  readonly maxAbsDiff: number;
  /** max |torch| */
  readonly scale: number;
  /** maxAbsDiff / scale (scale 0: maxAbsDiff) */
  readonly relative: number;
}

export function compareArrays(name: string, ours: Float32Array, torch: Float32Array): TensorComparison {
  if (ours.length !== torch.length) throw new Error(`${name}: ${ours.length} values vs ${torch.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - torch[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(torch[i]));
  }
  return { name, maxAbsDiff: diff, scale, relative: scale > 0 ? diff / scale : diff };
}

export interface LabGradientReport {
  readonly config: string;
  readonly backend: string;
  readonly loss: { readonly ours: number; readonly torch: number };
  /** One per learned tensor (PyTorch layout compared). */
  readonly gradients: TensorComparison[];
  /** Per SGD step: every tensor (weights and BN running stats) after the step. */
  readonly steps: TensorComparison[][];
  /** Largest gradient `relative`, largest step `maxAbsDiff`. */
  readonly worstGradient: number;
  readonly worstStep: number;
  /** |loss - torch| / |torch| <= 1e-4, every gradient relative <= 1e-4, every step maxAbsDiff <= 1e-5. */
  readonly passed: boolean;
}

async function torchLayout(t: LabTensorSpec, x: tf.Tensor): Promise<Float32Array> {
  return tfToTorchLayout(t, (await x.data()) as Float32Array);
}

/** Runs the fixture's gradient and step checks on the active backend (asynchronous reads only); no tensors are left behind. */
export async function runLabStepCheck(f: LabStepFixture): Promise<LabGradientReport> {
  const spec = fixtureSpec(f);
  const tensors = labTensors(spec);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  await prepareLabWasmKernels();
  const trainer = new LabTrainer(spec, fixtureValues(f));
  const { x, labels } = fixtureBatch(f);
  // Kept: the check awaits its reads, and in the page another task may end a scope it began before (the
  // model's step-by-step warm-up): x and labels must outlive it. Disposed below.
  tf.keep(x);
  tf.keep(labels);
  try {
    const { loss, grads } = trainer.gradients(x, labels);
    const ours = (await loss.data())[0];
    loss.dispose();
    const gradients: TensorComparison[] = [];
    for (const [name, g] of grads) {
      gradients.push(compareArrays(name, await torchLayout(byName.get(name)!, g), entry(f, `grad/${name}`)));
      g.dispose();
    }
    const steps: TensorComparison[][] = [];
    for (let s = 1; s <= f.steps; s++) {
      trainer.step(x, labels, f.lr, { momentum: f.momentum, weightDecay: f.weightDecay }).dispose();
      const row: TensorComparison[] = [];
      for (const t of tensors) row.push(compareArrays(t.name, await torchLayout(t, trainer.variables.get(t.name)!), entry(f, `after${s}/${t.name}`)));
      steps.push(row);
    }
    const torchLoss = entry(f, 'loss')[0];
    const worstGradient = Math.max(...gradients.map((g) => g.relative));
    const worstStep = Math.max(...steps.flat().map((c) => c.maxAbsDiff));
    return {
      config: f.config, backend: tf.getBackend(), loss: { ours, torch: torchLoss }, gradients, steps, worstGradient, worstStep,
      passed: Math.abs(ours - torchLoss) <= 1e-4 * Math.abs(torchLoss) && worstGradient <= 1e-4 && worstStep <= 1e-5,
    };
  } finally {
    x.dispose();
    labels.dispose();
    trainer.dispose();
  }
}

/**
 * For the page's e2e: the gradient-parity check of a step fixture (test/fixtures/lab/step_<config>.json
 * text and .bin bytes) on the page's active backend (e.g. WebGL). Resolves to the report; `passed`
 * says whether everything is within tolerance.
 */
export async function labGradientCheck(fixtureJson: string | object, fixtureBin: ArrayBuffer | Uint8Array): Promise<LabGradientReport> {
  return runLabStepCheck(parseLabStepFixture(fixtureJson, fixtureBin));
}
