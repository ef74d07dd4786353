/**
 * The Ghost-module tail kernel (src/model/kernels): the committed WebAssembly is what its
 * AssemblyScript source compiles to, it cannot touch memory it is not given (no data segment,
 * imports only the backend's memory), and it equals depthwise conv + concatenation (+ residual)
 * computed by TF.js ops, for every shape edge the network can produce.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { GHOST_TAIL_WASM, GHOST_TAIL_WASM_SHARED } from '../src/model/kernels/ghost-tail.wasm.ts';
import { ghostTail, ghostTailFor, type GhostTailFn } from '../src/model/kernels/ghost-tail.ts';
import { readFileSync } from 'node:fs';
import { KERNELS, ROOT, ascModuleText, compileAscKernel } from '../scripts/build-kernels.ts';

const wasmBytes = () => Uint8Array.from(Buffer.from(GHOST_TAIL_WASM, 'base64'));
const sharedWasmBytes = () => Uint8Array.from(Buffer.from(GHOST_TAIL_WASM_SHARED, 'base64'));

/** Section ids of a WebAssembly binary (1 type, 2 import, 3 function, 7 export, 10 code, 11 data, ...). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    ids.push(bytes[i++]);
    let size = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    i += size;
  }
  return ids;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('Ghost-module kernel binary', () => {
  it('is what `npm run build:kernel` makes from the AssemblyScript source (both builds)', () => {
    const fresh = compileAscKernel(KERNELS.ghost);
    const freshShared = compileAscKernel(KERNELS.ghost, true);
    expect(Buffer.from(fresh).equals(Buffer.from(wasmBytes()))).toBe(true);
    expect(Buffer.from(freshShared).equals(Buffer.from(sharedWasmBytes()))).toBe(true);
    expect(readFileSync(`${ROOT}/${KERNELS.ghost.module}`, 'utf8')).toBe(ascModuleText(KERNELS.ghost, fresh, freshShared));
  }, 60_000);

  it('the shared build imports a shared memory of up to 4 GiB (the threaded backend\'s), the other only an unshared one', () => {
    const shared = new WebAssembly.Module(sharedWasmBytes());
    expect(WebAssembly.Module.imports(shared)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(sectionIds(sharedWasmBytes())).not.toContain(11);
    const threadedBackendMemory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    expect(() => new WebAssembly.Instance(shared, { env: { memory: threadedBackendMemory } })).not.toThrow();
    expect(() => new WebAssembly.Instance(shared, { env: { memory: new WebAssembly.Memory({ initial: 256 }) } })).toThrow();
    const plain = new WebAssembly.Module(wasmBytes());
    expect(() => new WebAssembly.Instance(plain, { env: { memory: threadedBackendMemory } })).toThrow();
  });

  it('the shared build computes exactly what the unshared one does', () => {
    // n, h, w, c, outChannels, relu, residual: edges and SIMD tails on one input.
    const [n, h, w, c, out] = [2, 9, 13, 10, 17];
    const run = (bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory, withResidual: boolean, relu: boolean) => {
      const fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.ghostTail3x3 as GhostTailFn;
      const f32 = new Float32Array(memory.buffer);
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const [xAt, wAt, bAt, rAt, oAt] = [0, 1, 2, 3, 4].map((k) => 4096 + k * 65536);
      for (let i = 0; i < n * h * w * c; i++) f32[xAt / 4 + i] = random();
      for (let i = 0; i < 9 * c; i++) f32[wAt / 4 + i] = random();
      for (let i = 0; i < c; i++) f32[bAt / 4 + i] = random();
      for (let i = 0; i < n * h * w * out; i++) f32[rAt / 4 + i] = random();
      fn(xAt, wAt, bAt, oAt, withResidual ? rAt : 0, n, h, w, c, out - c, out, relu ? 1 : 0);
      return Array.from(f32.subarray(oAt / 4, oAt / 4 + n * h * w * out));
    };
    for (const [withResidual, relu] of [[true, true], [false, false]]) {
      const plain = run(wasmBytes(), new WebAssembly.Memory({ initial: 8 }), withResidual, relu);
      const shared = run(sharedWasmBytes(), new WebAssembly.Memory({ initial: 8, maximum: 65536, shared: true }), withResidual, relu);
      expect(plain.some((v) => v !== 0)).toBe(true);
      expect(shared).toEqual(plain);
    }
  });

  it('imports only the backend memory, exports the kernel, and has no data segment', () => {
    const module = new WebAssembly.Module(wasmBytes());
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain('ghostTail3x3');
    expect(sectionIds(wasmBytes())).not.toContain(11);
    expect(ghostTailFor(tf.backend())).toBeTypeOf('function');
  });
});

describe('Ghost-module kernel arithmetic', () => {
  const cases: [string, number, number, number, number, number, boolean, boolean][] = [
    // label, n, h, w, c, outChannels, relu, residual
    ['8 channels at 112 px, ReLU', 1, 112, 112, 8, 16, true, false],
    ['36 channels, no ReLU, residual', 1, 56, 56, 36, 72, false, true],
    ['10 channels (not a multiple of 4), batch 2', 2, 9, 13, 10, 20, true, true],
    ['3 channels truncated to 5 outputs', 1, 6, 7, 3, 5, false, true],
    ['odd channels truncated, ReLU', 1, 5, 4, 7, 12, true, false],
    ['1 x 1 and 2 x 3 maps', 1, 1, 1, 12, 24, true, true],
    ['2 x 3 map', 1, 2, 3, 8, 16, false, false],
  ];
  for (const [label, n, h, w, c, outChannels, relu, withResidual] of cases) {
    it(label, async () => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 1) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, c, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomNormal([c], 0, 1, 'float32', 3) as tf.Tensor1D;
      const residual = tf.randomNormal([n, h, w, outChannels], 0, 1, 'float32', 4) as tf.Tensor4D;
      const want = tf.tidy(() => {
        const cheap = tf.fused.depthwiseConv2d({ x, filter, bias, strides: 1, pad: 1, activation: relu ? 'relu' : 'linear' });
        const joined = tf.slice(tf.concat([x, cheap], 3), [0, 0, 0, 0], [-1, -1, -1, outChannels]);
        return withResidual ? tf.add(joined, residual) : joined;
      });
      const got = ghostTail(x, filter, bias, outChannels, relu, withResidual ? residual : undefined);
      expect(got.shape).toEqual([n, h, w, outChannels]);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([x, filter, bias, residual, want, got]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('refuses weights that do not fit the intrinsic maps', () => {
    const x = tf.zeros([1, 4, 4, 8]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 6, 1]) as tf.Tensor4D;
    const bias = tf.zeros([8]) as tf.Tensor1D;
    expect(() => ghostTail(x, filter, bias, 16, true)).toThrow(/do not fit 8 intrinsic channels/);
    tf.dispose([x, filter, bias]);
  });
});
