/**
 * The wasm backprop kernels (src/model/kernels/backprop-wasm.ts: Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput) equal the cpu
 * backend's kernels for several shapes (the conv filter gradient's im2col + GEMM, whole and in chunks of
 * images, and its convolution fallback; depthwise d = 1, 3, 5, 7, channel multipliers 1-4, 'same',
 * 'valid' and explicit padding), are registered only where the wasm backend has none, and reject
 * unsupported attributes with a clear error. The Winograd convolutions (backprop-winograd.ts: forward
 * and filter gradient, whole and in chunks of images) equal the cpu backend's conv2d and
 * Conv2DBackpropFilter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { LAB_BACKPROP_KERNELS, registerLabKernels, setIm2colLimitBytes } from '../src/model/kernels/backprop-wasm.ts';
import { labRandom } from '../src/lab/random.ts';
import { LAB_KERNELS_WASM, LAB_KERNELS_WASM_SHARED } from '../src/model/kernels/lab-kernels.wasm.ts';
import { disableLabWasmKernels, labKernelsFor } from '../src/model/kernels/lab-wasm.ts';
import { BN_RELU_GRAD, BN_RELU_TRAIN, FLIP_FILTER, GAP_GRAD, GHOST_CONCAT, GHOST_SPLIT, MAX_POOL2_GRAD } from '../src/model/kernels/backprop-bn-relu.ts';
import { KERNELS, ROOT, ascModuleText, compileAscKernel } from '../scripts/build-kernels.ts';
import { readFileSync } from 'node:fs';
import { setWinogradChunkBytes, winogradApplies, winogradConv2d, winogradFilterGrad } from '../src/model/kernels/backprop-winograd.ts';

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

describe('lab kernel binary', () => {
  it('is what `npm run build:lab-kernel` makes from the AssemblyScript source', () => {
    const fresh = compileAscKernel(KERNELS.lab);
    const shared = compileAscKernel(KERNELS.lab, true);
    expect(Buffer.from(fresh).equals(Buffer.from(LAB_KERNELS_WASM, 'base64'))).toBe(true);
    expect(Buffer.from(shared).equals(Buffer.from(LAB_KERNELS_WASM_SHARED, 'base64'))).toBe(true);
    expect(readFileSync(`${ROOT}/${KERNELS.lab.module}`, 'utf8')).toBe(ascModuleText(KERNELS.lab, fresh, shared));
  }, 120_000);
  it('the shared-memory build (the multi-threaded backend) computes on a shared memory what the other computes on its own', () => {
    const shared = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
    const own = new WebAssembly.Memory({ initial: 4 });
    const results = [[LAB_KERNELS_WASM_SHARED, shared], [LAB_KERNELS_WASM, own]].map(([bytes, memory]) => {
      const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(bytes as string, 'base64')), { env: { memory: memory as WebAssembly.Memory } }).exports as unknown as { gemmNN(a: number, b: number, c: number, m: number, k: number, n: number): void };
      const heap = new Float32Array((memory as WebAssembly.Memory).buffer);
      heap.set(values(8 * 12, 21), 0); // A [8, 12] at 0
      heap.set(values(12 * 12, 22), 1024); // B [12, 12] at 4096 bytes
      k.gemmNN(0, 4096, 8192, 8, 12, 12);
      return heap.slice(2048, 2048 + 8 * 12);
    });
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    const a = values(8 * 12, 21);
    const b = values(12 * 12, 22);
    const want = Float32Array.from({ length: 8 * 12 }, (_, i) => {
      let sum = 0;
      for (let q = 0; q < 12; q++) sum += a[Math.floor(i / 12) * 12 + q] * b[q * 12 + (i % 12)];
      return sum;
    });
    for (const got of results) for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    expect(Array.from(results[0])).toEqual(Array.from(results[1]));
  });
  it('imports only the backend memory and instantiates on the wasm backend', () => {
    const module = new WebAssembly.Module(Buffer.from(LAB_KERNELS_WASM, 'base64'));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(labKernelsFor(tf.backend())).not.toBeNull();
  });
});

describe('registration', () => {
  it('adds the three kernels to wasm only, once', () => {
    for (const k of LAB_BACKPROP_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    expect(registerLabKernels()).toEqual([]);
    // the cpu backend keeps its own kernels
    for (const k of LAB_BACKPROP_KERNELS) expect(tf.getKernel(k, 'cpu')!.kernelFunc).not.toBe(tf.getKernel(k, 'wasm')!.kernelFunc);
  });
});

for (const fallback of [false, true]) {
  const mode = fallback ? ' (JavaScript fallback, no AssemblyScript module)' : '';
  describe(`Conv2DBackpropFilter on wasm equals cpu${mode}`, () => {
    beforeAll(() => disableLabWasmKernels(fallback));
    afterAll(() => disableLabWasmKernels(false));
    const cases: [string, number[], number[], Pad][] = [
      ['3x3 same, 32 px', [2, 32, 32, 3], [3, 3, 3, 8], 'same'],
      ['3x3 same, odd sizes', [3, 7, 9, 5], [3, 3, 5, 6], 'same'],
      ['1x1', [2, 6, 6, 4], [1, 1, 4, 3], 'same'],
      ['5x5 same', [2, 8, 8, 3], [5, 5, 3, 4], 'same'],
      ['3x3 valid', [2, 8, 10, 3], [3, 3, 3, 4], 'valid'],
      ['3x3 explicit pad', [1, 6, 6, 2], [3, 3, 2, 3], [[0, 0], [2, 0], [1, 1], [0, 0]]],
      ['3x3 same, a lab layer (16 px, 16 -> 32 channels)', [2, 16, 16, 16], [3, 3, 16, 32], 'same'],
      ['3x3 same, width 5 (SIMD row copy and its tail)', [2, 5, 5, 3], [3, 3, 3, 4], 'same'],
    ];
    for (const [label, x, f, pad] of cases) {
      it(label, async () => {
        const dy = outShape(x, f, pad, false);
        await compare('Conv2DBackpropFilter', { x: { shape: x, data: values(size(x), 1) }, dy: { shape: dy, data: values(size(dy), 2) } },
          { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: f });
      });
    }
    if (!fallback) {
      // the im2col + GEMM path cut into chunks of images (a small buffer limit), the partial products summed
      for (const [label, x, f, pad, imagesPerChunk] of [
        ['chunks of 3 of 7 images, 3x3 same', [7, 6, 9, 5], [3, 3, 5, 4], 'same', 3],
        ['one image a chunk, 3x3 valid', [4, 8, 7, 3], [3, 3, 3, 2], 'valid', 1],
      ] as [string, number[], number[], Pad, number][]) {
        it(label, async () => {
          const dy = outShape(x, f, pad, false);
          const previous = setIm2colLimitBytes(f[0] * f[1] * f[2] * dy[1] * dy[2] * 4 * imagesPerChunk);
          try {
            await compare('Conv2DBackpropFilter', { x: { shape: x, data: values(size(x), 3) }, dy: { shape: dy, data: values(size(dy), 4) } },
              { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: f });
          } finally {
            setIm2colLimitBytes(previous);
          }
        });
      }
    }
  });

  describe(`depthwise backprop on wasm equals cpu${mode}`, () => {
    beforeAll(() => disableLabWasmKernels(fallback));
    afterAll(() => disableLabWasmKernels(false));
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

}

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

/** The ops the fused kernels replace (what the cpu backend runs). */
function bnReluOps(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return { y: tf.relu(tf.add(tf.mul(xhat, gamma), beta)), xhat, mean, variance };
}

describe('fused BatchNorm + ReLU and max-pool gradient on wasm equal TF.js ops on cpu', () => {
  for (const shape of [[4, 8, 8, 16], [2, 5, 6, 11], [3, 4, 4, 3]]) {
    it(`x [${shape}]`, async () => {
      const c = shape[3];
      const xs = values(size(shape), 11);
      const gs = values(c, 12).map((v) => 1 + v / 2);
      const bs = values(c, 13);
      const dys = values(size(shape), 14);
      await initNodeBackend('cpu');
      const want = await tf.tidy(() => {
        const x = tf.tensor(xs, shape);
        const gamma = tf.tensor(gs);
        const beta = tf.tensor(bs);
        const dy = tf.tensor(dys, shape);
        const r = bnReluOps(x, gamma, beta);
        // BatchNorm's gradient in batch-statistics mode (the formula PyTorch's parity fixes, test/lab-gradients.test.ts)
        const m = size(shape) / c;
        const dz = tf.mul(dy, tf.step(r.y));
        const dbeta = tf.sum(dz, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(dz, r.xhat), [0, 1, 2]);
        const dx = tf.mul(tf.sub(tf.sub(dz, tf.div(dbeta, m)), tf.mul(r.xhat, tf.div(dgamma, m))), tf.div(gamma, tf.sqrt(tf.add(r.variance, 1e-5))));
        const pooled = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
        const dp = tf.engine().runKernel('MaxPoolGrad', { dy: tf.mul(pooled, 3), input: x, output: pooled }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [r.y, r.xhat, r.mean, r.variance, dx, dgamma, dbeta, dp].map((t) => tf.keep(t));
      });
      const wantData = await Promise.all(want.map((t) => t.data()));
      want.forEach((t) => t.dispose());
      await initNodeBackend('wasm');
      const before = tf.memory().numTensors;
      const x = tf.tensor(xs, shape);
      const gamma = tf.tensor(gs);
      const beta = tf.tensor(bs);
      const dy = tf.tensor(dys, shape);
      const fwd = tf.engine().runKernel(BN_RELU_TRAIN, { x, gamma, beta }, { epsilon: 1e-5 }) as unknown as tf.Tensor[];
      const bwd = tf.engine().runKernel(BN_RELU_GRAD, { dy, y: fwd[0], xhat: fwd[1], gamma, variance: fwd[3] }, { epsilon: 1e-5 }) as unknown as tf.Tensor[];
      const pooled = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
      const dpy = tf.mul(pooled, 3);
      const dp = tf.engine().runKernel(MAX_POOL2_GRAD, { dy: dpy, input: x }) as tf.Tensor;
      const got = [...fwd, ...bwd, dp];
      const gotData = await Promise.all(got.map((t) => t.data()));
      const names = ['y', 'xhat', 'mean', 'variance', 'dx', 'dgamma', 'dbeta', 'maxpool dx'];
      gotData.forEach((g, i) => {
        const w = wantData[i];
        expect(g.length, names[i]).toBe(w.length);
        let scale = 0;
        let diff = 0;
        for (let j = 0; j < w.length; j++) {
          scale = Math.max(scale, Math.abs(w[j]));
          diff = Math.max(diff, Math.abs(w[j] - g[j]));
        }
        expect(diff / Math.max(scale, 1e-12), names[i]).toBeLessThan(1e-5);
      });
      [...got, x, gamma, beta, dy, pooled, dpy].forEach((t) => t.dispose());
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('Ghost concat / split on wasm', () => {
  it('equal slice + concat and split + pad, with the ghosts cut to fit', async () => {
    await initNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const [n, h, w, ca, cb, keep] = [2, 3, 5, 6, 12, 9];
    const a = tf.tensor(values(n * h * w * ca, 21), [n, h, w, ca]);
    const b = tf.tensor(values(n * h * w * cb, 22), [n, h, w, cb]);
    const dy = tf.tensor(values(n * h * w * (ca + keep), 23), [n, h, w, ca + keep]);
    const out = tf.engine().runKernel(GHOST_CONCAT, { a, b }, { keep }) as tf.Tensor;
    const [da, db] = tf.engine().runKernel(GHOST_SPLIT, { dy }, { ca, cb, keep }) as unknown as tf.Tensor[];
    const [want, wantDa, wantDb] = tf.tidy(() => [
      tf.concat([a, tf.slice(b, [0, 0, 0, 0], [-1, -1, -1, keep])], 3),
      tf.slice(dy, [0, 0, 0, 0], [-1, -1, -1, ca]),
      tf.pad(tf.slice(dy, [0, 0, 0, ca], [-1, -1, -1, keep]), [[0, 0], [0, 0], [0, 0], [0, cb - keep]]),
    ]);
    expect(Array.from(await out.data())).toEqual(Array.from(await want.data()));
    expect(Array.from(await da.data())).toEqual(Array.from(await wantDa.data()));
    expect(Array.from(await db.data())).toEqual(Array.from(await wantDb.data()));
    [a, b, dy, out, da, db, want, wantDa, wantDb].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('filter flip and average-pool gradient on wasm', () => {
  it('equal reverse + transpose and a broadcast', async () => {
    await initNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const filter = tf.tensor(values(3 * 5 * 4 * 6, 31), [3, 5, 4, 6]);
    const dy = tf.tensor(values(3 * 7, 32), [3, 7]);
    const flipped = tf.engine().runKernel(FLIP_FILTER, { filter }) as tf.Tensor;
    const grad = tf.engine().runKernel(GAP_GRAD, { dy }, { h: 4, w: 5 }) as tf.Tensor;
    const [wantFlip, wantGrad] = tf.tidy(() => [
      tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]),
      tf.broadcastTo(tf.reshape(tf.div(dy, 20), [3, 1, 1, 7]), [3, 4, 5, 7]),
    ]);
    expect(flipped.shape).toEqual([3, 5, 6, 4]);
    expect(Array.from(await flipped.data())).toEqual(Array.from(await wantFlip.data()));
    expect(grad.shape).toEqual([3, 4, 5, 7]);
    const g = await grad.data();
    const w = await wantGrad.data();
    for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual(1e-7 * Math.abs(w[i]) + 1e-12);
    [filter, dy, flipped, grad, wantFlip, wantGrad].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Winograd F(2x2, 3x3) convolutions on wasm equal the cpu backend', () => {
  /** Largest |a - b| relative to the largest |b|. */
  const rel = (a: Float32Array, b: Float32Array) => {
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    expect(scale).toBeGreaterThan(0);
    return diff / scale;
  };
  const cases: [string, number[], number[], number | null][] = [
    ['4 -> 8 channels, 8 px', [2, 8, 8, 4], [3, 3, 4, 8], null],
    ['16 -> 12 channels (a 4-wide block at the end), 3 images of 16 px', [3, 16, 16, 16], [3, 3, 16, 12], null],
    ['32 -> 16 channels, 5 images in chunks of 2, 2 and 1', [5, 8, 8, 32], [3, 3, 32, 16], 2 * 16 * 16 * 32 * 4],
    ['8 -> 4 channels, 4 px, non-square 4 x 8', [2, 4, 8, 8], [3, 3, 8, 4], null],
  ];
  for (const [label, xs, fs, chunk] of cases) {
    it(label, async () => {
      await initNodeBackend('cpu');
      const xd = values(size(xs), 11);
      const fd = values(size(fs), 12);
      const ys = [...xs.slice(0, 3), fs[3]];
      const dyd = values(size(ys), 13);
      const want = tf.tidy(() => {
        const x = tf.tensor4d(xd, xs as [number, number, number, number]);
        const dy = tf.tensor4d(dyd, ys as [number, number, number, number]);
        return [tf.conv2d(x, tf.tensor4d(fd, fs as [number, number, number, number]), 1, 'same'),
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: fs } as unknown as tf.NamedAttrMap) as tf.Tensor];
      });
      const [wantY, wantDw] = [(await want[0].data()) as Float32Array, (await want[1].data()) as Float32Array];
      tf.dispose(want);
      await initNodeBackend('wasm');
      registerLabKernels();
      const before = tf.memory().numTensors;
      const previous = chunk === null ? null : setWinogradChunkBytes(chunk);
      try {
        const x = tf.tensor4d(xd, xs as [number, number, number, number]);
        const f = tf.tensor4d(fd, fs as [number, number, number, number]);
        const dy = tf.tensor4d(dyd, ys as [number, number, number, number]);
        expect(winogradApplies(x.shape, f.shape)).toBe(true);
        const { y, v } = winogradConv2d(x, f, true);
        expect(v.length).toBe(16 * (chunk === null ? 1 : 3));
        const dw = winogradFilterGrad(dy, v, xs[3]);
        const again = winogradConv2d(x, f, false);
        expect(again.v).toEqual([]);
        expect(y.shape).toEqual(ys);
        expect(dw.shape).toEqual(fs);
        expect(rel((await y.data()) as Float32Array, wantY)).toBeLessThan(1e-5);
        expect(rel((await again.y.data()) as Float32Array, wantY)).toBeLessThan(1e-5);
        expect(rel((await dw.data()) as Float32Array, wantDw)).toBeLessThan(1e-5);
        tf.dispose([x, f, dy, y, ...v, dw, again.y]);
      } finally {
        if (previous !== null) setWinogradChunkBytes(previous);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  it('applies only to 3 x 3 filters on even sizes with channels in fours, on wasm with the module', async () => {
    await initNodeBackend('wasm');
    expect(winogradApplies([64, 32, 32, 32], [3, 3, 32, 32])).toBe(true);
    expect(winogradApplies([64, 32, 32, 3], [3, 3, 3, 32])).toBe(false); // the first layer: 3 channels
    expect(winogradApplies([2, 8, 8, 8], [5, 5, 8, 8])).toBe(false);
    expect(winogradApplies([2, 7, 8, 8], [3, 3, 8, 8])).toBe(false);
    expect(winogradApplies([2, 2, 2, 8], [3, 3, 8, 8])).toBe(false);
    expect(winogradApplies([2, 8, 8, 8], [3, 3, 8, 6])).toBe(false);
    disableLabWasmKernels(true);
    try {
      expect(winogradApplies([64, 32, 32, 32], [3, 3, 32, 32])).toBe(false);
    } finally {
      disableLabWasmKernels(false);
    }
    await initNodeBackend('cpu');
    expect(winogradApplies([64, 32, 32, 32], [3, 3, 32, 32])).toBe(false);
    await initNodeBackend('wasm');
  });
});
