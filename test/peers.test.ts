/**
 * The benchmark's peers: MobileNetV2 1.0 and MobileNetV3-Large 1.0 built from their papers'
 * tables. Their multiply-adds must match the papers (300 M and 219 M at 224 px) and their
 * parameter counts torchvision's published model cards (3,504,872 and 5,483,032).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.ts';
import { PeerNetwork, buildMobileNetV2Spec, buildMobileNetV3LargeSpec, peerMultiplyAdds, peerParameters } from '../src/model/peers/index.ts';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('peer architectures', () => {
  it('MobileNetV2 1.0: 300 M multiply-adds (paper, Table 4) within 1%, torchvision parameter count', () => {
    const spec = buildMobileNetV2Spec(1, 1000);
    expect(Math.abs(peerMultiplyAdds(spec, 224) / 300e6 - 1)).toBeLessThan(0.01);
    expect(peerParameters(spec)).toBe(3_504_872);
    expect(spec.blocks).toHaveLength(17);
    expect(spec.blocks.filter((b) => b.residual)).toHaveLength(10);
  });

  it('MobileNetV3-Large 1.0: 219 M multiply-adds (paper, Table 3) within 2%, torchvision parameter count', () => {
    const spec = buildMobileNetV3LargeSpec(1, 1000);
    expect(Math.abs(peerMultiplyAdds(spec, 224) / 219e6 - 1)).toBeLessThan(0.02);
    expect(peerParameters(spec)).toBe(5_483_032);
    expect(spec.blocks).toHaveLength(15);
    expect(spec.blocks.filter((b) => b.seChannels !== null)).toHaveLength(8);
  });
});

describe('peer forward pass (wasm)', () => {
  for (const [name, build] of [['MobileNetV2', buildMobileNetV2Spec], ['MobileNetV3-Large', buildMobileNetV3LargeSpec]] as const) {
    it(`${name}: [1, 1000] finite logits at 224 px, repeatable, no leaked tensors`, async () => {
      const before = tf.memory().numTensors;
      const net = new PeerNetwork(build(1, 1000), 7);
      const weightTensors = tf.memory().numTensors - before;
      expect(weightTensors).toBeGreaterThan(50);
      const x = tf.randomUniform([1, 224, 224, 3], -2, 2, 'float32', 3) as tf.Tensor4D;
      const a = net.forward(x);
      const b = net.forward(x);
      expect(a.shape).toEqual([1, 1000]);
      const [va, vb] = [await a.data(), await b.data()];
      expect(va.every(Number.isFinite)).toBe(true);
      expect(Array.from(va)).toEqual(Array.from(vb));
      // Different inputs give different logits: the network is wired through.
      const y = tf.zerosLike(x);
      const c = net.forward(y);
      expect(Math.max(...Array.from(await c.data(), (v, i) => Math.abs(v - va[i])))).toBeGreaterThan(1e-3);
      tf.dispose([x, y, a, b, c]);
      expect(tf.memory().numTensors).toBe(before + weightTensors);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => net.forward(x)).toThrow(/disposed/);
    });
  }
});
