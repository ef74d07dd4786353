/**
 * The compiled wasm plans (src/model/wasm-plan.ts): GhostNet through a plan matches the PyTorch
 * reference in every Ghost-module layout, equals the op-by-op pass on other input shapes and
 * batches, runs as one kernel, and keeps its memory bounded; the benchmark's peers compile the
 * same way and agree with their own op-by-op pass.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { readModelSource } from '../src/node/model-files.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { metadataFromArtifacts } from '../src/model/format.ts';
import { FAST_LAYOUT, GhostNetwork, REFERENCE_LAYOUT, KERNEL_LAYOUT, type GhostLayout } from '../src/model/network.ts';
import { PeerNetwork, buildMobileNetV2Spec, buildMobileNetV3LargeSpec } from '../src/model/peers/index.ts';
import { WASM_PLAN_KERNEL } from '../src/model/wasm-plan.ts';
import { benchModel } from '../src/bench/models.ts';
import { CHECKPOINTS, inputTensorFile, maxAbsDiff, readF32, reference } from './helpers.ts';

const LAYOUTS: [string, GhostLayout][] = [
  ['default (parts in stages 0-2)', FAST_LAYOUT],
  ['reference (concat)', REFERENCE_LAYOUT],
  ['parts everywhere', { ghost1: 'parts', ghost2: 'parts' }],
  ['interleaved', { ghost1: 'interleaved', ghost2: 'interleaved' }],
];

let weights: tf.NamedTensorMap;
let width: number;
let classes: number;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const src = await readModelSource(path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors'));
  const meta = metadataFromArtifacts(src.modelJson.userDefinedMetadata);
  weights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
  width = meta.width;
  classes = meta.numClasses;
});

afterAll(() => tf.dispose(Object.values(weights)));

const relativeDiff = (got: ArrayLike<number>, want: ArrayLike<number>) => maxAbsDiff(got, want) / Math.max(...Array.from(want, Math.abs));

describe('GhostNet through a compiled wasm plan', () => {
  it('matches the PyTorch reference logits within 1e-3 in every layout, at 224 and 160 px', async () => {
    const names = Object.keys(reference.inputs);
    for (const [label, layout] of LAYOUTS) {
      const net = new GhostNetwork(buildNetworkSpec(width, classes), weights, layout);
      for (const name of names) {
        const x = tf.tensor4d(readF32(inputTensorFile(name)), reference.inputs[name].shape);
        const y = net.forward(x).logits;
        expect(net.wasmPlanFor(x.shape), `${label} ${name}: a plan was compiled`).toBeDefined();
        expect(maxAbsDiff(await y.data(), reference.logits.ghostnet_100_imagenette[name]), `${label} ${name}`).toBeLessThan(1e-3);
        tf.dispose([x, y]);
      }
      net.dispose();
    }
  });

  it('equals the op-by-op pass for odd sizes and a batch of 2', async () => {
    const spec = buildNetworkSpec(width, classes);
    const planned = new GhostNetwork(spec, weights);
    const ops = new GhostNetwork(spec, weights, FAST_LAYOUT, { wasmPlan: false });
    for (const shape of [[1, 97, 131, 3], [2, 64, 64, 3], [1, 33, 45, 3]] as const) {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 11) as tf.Tensor4D;
      const a = planned.forward(x).logits;
      const b = ops.forward(x).logits;
      expect(a.shape).toEqual([shape[0], classes]);
      expect(relativeDiff(await a.data(), await b.data()), shape.join('x')).toBeLessThan(1e-5);
      expect(ops.wasmPlanFor(x.shape)).toBeUndefined();
      tf.dispose([x, a, b]);
    }
    planned.dispose();
    ops.dispose();
  });

  it('on wasm every Ghost module is one primary conv and one Ghost-module kernel; without the kernel, the same logits', async () => {
    const spec = buildNetworkSpec(width, classes);
    const fused = new GhostNetwork(spec, weights);
    const plain = new GhostNetwork(spec, weights, undefined, { ghostKernel: false });
    expect(fused.layout).toEqual(KERNEL_LAYOUT);
    expect(plain.layout).toEqual(FAST_LAYOUT);
    const x = tf.randomNormal([1, 160, 160, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
    const a = fused.forward(x).logits;
    const b = plain.forward(x).logits;
    expect(relativeDiff(await a.data(), await b.data())).toBeLessThan(1e-5);
    const count = (labels: readonly string[], prefix: string) => labels.filter((l) => l.startsWith(`${prefix} `)).length;
    const fusedLabels = fused.wasmPlanFor(x.shape)!.labels;
    expect(count(fusedLabels, 'ghostTail')).toBe(16); // every first module
    expect(count(fusedLabels, 'ghostTail+residual')).toBe(16); // every second one, with its block's shortcut
    expect(count(fusedLabels, 'concat')).toBe(0);
    const plainLabels = plain.wasmPlanFor(x.shape)!.labels;
    expect(plainLabels.some((l) => l.startsWith('ghostTail'))).toBe(false);
    tf.dispose([x, a, b]);
    fused.dispose();
    plain.dispose();
  });

  it('runs as one kernel, leaks no tensors and frees its buffers on dispose', async () => {
    const backend = tf.backend();
    const buffersBefore = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    const net = new GhostNetwork(buildNetworkSpec(width, classes), weights);
    const weightTensors = tf.memory().numTensors - tensorsBefore;
    const x = tf.randomUniform([1, 128, 128, 3], -2, 2, 'float32', 5) as tf.Tensor4D;
    tf.dispose(net.forward(x).logits); // compiles
    const plan = net.wasmPlanFor(x.shape)!;
    expect(plan.length).toBeGreaterThan(100);
    expect(net.planBytes).toBe(plan.bufferBytes);
    const info = await tf.profile(() => net.forward(x).logits);
    expect(info.kernels.map((k) => k.name)).toEqual([WASM_PLAN_KERNEL]);
    tf.dispose(info.result as tf.Tensor);
    const buffersAfterCompile = backend.numDataIds();
    for (let i = 0; i < 20; i++) {
      const y = net.forward(x).logits;
      await y.data();
      y.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore + weightTensors + 1);
    expect(backend.numDataIds()).toBe(buffersAfterCompile);
    // At most two shapes are kept: a third compiles and drops the oldest.
    for (const size of [96, 64]) {
      const z = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
      tf.dispose([net.forward(z).logits, z]);
    }
    expect(net.wasmPlanFor(x.shape)).toBeUndefined();
    expect(net.wasmPlanFor([1, 64, 64, 3])).toBeDefined();
    net.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(buffersBefore);
    expect(() => plan.execute({ dataId: {}, shape: [1], dtype: 'float32' }, backend as never)).toThrow(/disposed/);
  });

  it('taps still come from the op-by-op pass, from the same forward call', async () => {
    const net = new GhostNetwork(buildNetworkSpec(width, classes), weights);
    const name = Object.keys(reference.inputs).find((n) => reference.inputs[n].shape[1] === 224)!;
    const x = tf.tensor4d(readF32(inputTensorFile(name)), reference.inputs[name].shape);
    const plain = net.forward(x).logits;
    const tapped = net.forward(x, ['blocks.0.0.ghost1']);
    expect(relativeDiff(await tapped.logits.data(), await plain.data())).toBeLessThan(1e-5);
    expect(tapped.taps.get('blocks.0.0.ghost1')!.intrinsic.shape).toEqual([1, 112, 112, 8]);
    tf.dispose([x, plain, tapped.logits, tapped.taps.get('blocks.0.0.ghost1')!.intrinsic, tapped.taps.get('blocks.0.0.ghost1')!.ghost]);
    net.dispose();
  });

  it('is skipped on the cpu backend', async () => {
    const tiny = await tinyWeights();
    const net = new GhostNetwork(buildNetworkSpec(0.25, 10), tiny);
    await tf.setBackend('cpu');
    try {
      const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
      tf.dispose([net.forward(x).logits, x]);
      expect(net.wasmPlanFor([1, 64, 64, 3])).toBeUndefined();
    } finally {
      net.dispose();
      tf.dispose(Object.values(tiny));
      await tf.setBackend('wasm');
    }
  });
});

async function tinyWeights(): Promise<tf.NamedTensorMap> {
  const src = await readModelSource(path.join(CHECKPOINTS, 'ghostnet_025_tiny_random.safetensors'));
  return tf.io.decodeWeights(src.weightData, src.weightSpecs);
}

describe('benchmark peers through compiled wasm plans', () => {
  for (const [name, build] of [['MobileNetV2', buildMobileNetV2Spec], ['MobileNetV3-Large', buildMobileNetV3LargeSpec]] as const) {
    it(`${name}: the plan equals the op-by-op pass (hard-swish and squeeze-excite included)`, async () => {
      const planned = new PeerNetwork(build(1, 1000), 3);
      const ops = new PeerNetwork(build(1, 1000), 3, { wasmPlan: false });
      const x = tf.randomUniform([1, 160, 160, 3], -2, 2, 'float32', 9) as tf.Tensor4D;
      const a = planned.forward(x);
      const b = ops.forward(x);
      expect(planned.wasmPlanFor(x.shape)).toBeDefined();
      expect(ops.wasmPlanFor(x.shape)).toBeUndefined();
      expect(relativeDiff(await a.data(), await b.data())).toBeLessThan(1e-5);
      tf.dispose([x, a, b]);
      planned.dispose();
      ops.dispose();
    });
  }

  it('bench ids choose the execution: plain ids compile plans, "@ops" runs op by op', () => {
    expect(() => benchModel('mobilenetv3_large_100@concat/concat')).toThrow(/only the variant "ops"/);
    expect(() => benchModel('ghostnet_100@parts/bogus')).toThrow(/a variant is/);
    expect(benchModel('ghostnet_100@ops').label).toBe('GhostNet 1.0x (ops)');
    expect(() => benchModel('mobilenetv3_large_100@nokernel')).toThrow(/only the variant "ops"/);
    const before = benchModel('ghostnet_050@parts/parts/3/nokernel/ops').create();
    expect(before.ghostnet!.options).toEqual({ wasmPlan: false, ghostKernel: false });
    expect(before.ghostnet!.layout).toEqual({ ghost1: 'parts', ghost2: 'parts', partsBeforeStage: 3 });
    before.dispose();
    expect(benchModel('mobilenetv3_large_100@ops').label).toBe('MobileNetV3-Large 1.0 (ops)');
    const net = benchModel('ghostnet_050@concat/concat/ops').create();
    expect(net.ghostnet!.options.wasmPlan).toBe(false);
    expect(net.ghostnet!.layout).toEqual(REFERENCE_LAYOUT);
    net.dispose();
  });
});
