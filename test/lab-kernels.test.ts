/**
 * The wasm backprop kernels (src/model/kernels/backprop-wasm.ts: Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput) equal the cpu
 * backend's kernels for several shapes (depthwise d = 1, 3, 5, 7, channel multipliers 1-4, 'same',
 * 'valid' and explicit padding), are registered only where the wasm backend has none, and reject
 * unsupported attributes with a clear error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { LAB_BACKPROP_KERNELS, registerLabKernels } from '../src/model/kernels/backprop-wasm.ts';
import { labRandom } from '../src/lab/random.ts';

type Pad = 'same' | 'valid' | number[][];

function values(n: number, seed: number): Float32Array {
  const r = labRandom(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Runs `kernel` on `backend` with inputs made from `data`, returns the output values and shape. */
async function run(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, { shape: number[]; data: Float32Array }>, attrs: Record<string, unknown>): Promise<{ shape: number[]; data: Float32Array }> {
  await initNodeBackend(backend);
  const before = tf.memory().numTensors;
  const ts: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
  const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const r = { shape: out.shape, data: (await out.data()) as Float32Array };
  out.dispose();
  Object.values(ts).forEach((t) => t.dispose());
  expect(tf.memory().numTensors).toBe(before);
  return r;
}

async function compare(kernel: string, inputs: Record<string, { shape: number[]; data: Float32Array }>, attrs: Record<string, unknown>): Promise<void> {
  const want = await run('cpu', kernel, inputs, attrs);
  const got = await run('wasm', kernel, inputs, attrs);
  expect(got.shape).toEqual(want.shape);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < want.data.length; i++) {
    scale = Math.max(scale, Math.abs(want.data[i]));
    diff = Math.max(diff, Math.abs(want.data[i] - got.data[i]));
  }
  expect(scale).toBeGreaterThan(0);
  expect(diff / scale).toBeLessThan(1e-5);
}

/** Output shape of a stride-1 conv (depthwise: channels x multiplier). */
function outShape(x: number[], f: number[], pad: Pad, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], 1, 1, pad as 'same', undefined, depthwise);
  return info.outShape;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
  registerLabKernels();
});

describe('registration', () => {
  it('adds the three kernels to wasm only, once', () => {
    for (const k of LAB_BACKPROP_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    expect(registerLabKernels()).toEqual([]);
    // the cpu backend keeps its own kernels
    for (const k of LAB_BACKPROP_KERNELS) expect(tf.getKernel(k, 'cpu')!.kernelFunc).not.toBe(tf.getKernel(k, 'wasm')!.kernelFunc);
  });
});

describe('Conv2DBackpropFilter on wasm equals cpu', () => {
  const cases: [string, number[], number[], Pad][] = [
    ['3x3 same, 32 px', [2, 32, 32, 3], [3, 3, 3, 8], 'same'],
    ['3x3 same, odd sizes', [3, 7, 9, 5], [3, 3, 5, 6], 'same'],
    ['1x1', [2, 6, 6, 4], [1, 1, 4, 3], 'same'],
    ['5x5 same', [2, 8, 8, 3], [5, 5, 3, 4], 'same'],
    ['3x3 valid', [2, 8, 10, 3], [3, 3, 3, 4], 'valid'],
    ['3x3 explicit pad', [1, 6, 6, 2], [3, 3, 2, 3], [[0, 0], [2, 0], [1, 1], [0, 0]]],
  ];
  for (const [label, x, f, pad] of cases) {
    it(label, async () => {
      const dy = outShape(x, f, pad, false);
      await compare('Conv2DBackpropFilter', { x: { shape: x, data: values(size(x), 1) }, dy: { shape: dy, data: values(size(dy), 2) } },
        { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: f });
    });
  }
});

describe('depthwise backprop on wasm equals cpu', () => {
  const cases: [number, number, number[], Pad][] = [];
  for (const d of [1, 3, 5, 7]) for (const m of [1, 2]) cases.push([d, m, [2, 9, 8, 5], 'same']);
  cases.push([3, 4, [1, 6, 7, 3], 'same'], [3, 1, [2, 8, 8, 4], 'valid'], [5, 3, [1, 9, 9, 2], 'valid'], [3, 2, [1, 6, 6, 3], [[0, 0], [1, 2], [0, 1], [0, 0]]]);
  for (const [d, m, x, pad] of cases) {
    const f = [d, d, x[3], m];
    const label = `d = ${d}, multiplier ${m}, x [${x}], pad ${JSON.stringify(pad)}`;
    it(`filter gradient, ${label}`, async () => {
      const dy = outShape(x, f, pad, true);
      await compare('DepthwiseConv2dNativeBackpropFilter', { x: { shape: x, data: values(size(x), 3) }, dy: { shape: dy, data: values(size(dy), 4) } },
        { strides: [1, 1], dilations: [1, 1], pad, dimRoundingMode: undefined, filterShape: f });
    });
    it(`input gradient, ${label}`, async () => {
      const dy = outShape(x, f, pad, true);
      await compare('DepthwiseConv2dNativeBackpropInput', { dy: { shape: dy, data: values(size(dy), 5) }, filter: { shape: f, data: values(size(f), 6) } },
        { strides: [1, 1], dilations: [1, 1], pad, dimRoundingMode: undefined, inputShape: x });
    });
  }
  it('the lab shapes: 16 channels at 32 px, d = 7, multiplier 1', async () => {
    const x = [4, 32, 32, 16];
    const f = [7, 7, 16, 1];
    await compare('DepthwiseConv2dNativeBackpropFilter', { x: { shape: x, data: values(size(x), 7) }, dy: { shape: x, data: values(size(x), 8) } },
      { strides: [1, 1], dilations: [1, 1], pad: 'same', dimRoundingMode: undefined, filterShape: f });
  });
});

describe('unsupported attributes', () => {
  it('a stride or dilation other than 1 is a clear error', async () => {
    await initNodeBackend('wasm');
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 4, 4, 2]);
    const dyFull = tf.zeros([1, 8, 8, 2]);
    const filter = tf.zeros([3, 3, 2, 1]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 2] } as unknown as tf.NamedAttrMap))
      .toThrowError('Conv2DBackpropFilter on wasm supports stride 1 only, got [2,2]');
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyFull }, { strides: [1, 1], dilations: [2, 2], pad: 'same', filterShape: [3, 3, 2, 1] } as unknown as tf.NamedAttrMap))
      .toThrowError('DepthwiseConv2dNativeBackpropFilter on wasm supports dilation 1 only, got [2,2]');
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 2, dilations: 1, pad: 'same', inputShape: [1, 8, 8, 2] } as unknown as tf.NamedAttrMap))
      .toThrowError('DepthwiseConv2dNativeBackpropInput on wasm supports stride 1 only, got 2');
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyFull }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] } as unknown as tf.NamedAttrMap))
      .toThrowError('Conv2DBackpropFilter on wasm supports dataFormat NHWC only, got NCHW');
    [x, dy, dyFull, filter].forEach((t) => t.dispose());
  });
});
