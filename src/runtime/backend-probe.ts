/**
 * A short speed probe of WebGL against wasm on this device: the same small GhostNet-like slice
 * (1 x 1 convolution up, 3 x 3 depthwise, 1 x 1 convolution down, at 56 x 56) timed on each.
 * The first pass on each backend compiles (WebGL shaders, wasm set-up) and is not timed; the
 * figure is the fastest of the timed passes (each ended by an async read of its output): on a
 * busy device the fastest pass is the one least disturbed by other work, for both backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backend-names.ts';
import type { ProbeResult } from './backend-choice.ts';

export const PROBE_SHAPE = { size: 56, channels: 24, expanded: 72 } as const;

function constant(shape: number[], value: number): tf.Tensor {
  // Uploaded from memory: no fill or random shader to compile on WebGL.
  return tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);
}

async function timeOn(name: BackendName, runs: number): Promise<number> {
  if (!(await tf.setBackend(name))) throw new Error(`${name} is not available`);
  await tf.ready();
  const { size, channels, expanded } = PROBE_SHAPE;
  const x = constant([1, size, size, channels], 0.5) as tf.Tensor4D;
  const up = constant([1, 1, channels, expanded], 0.01) as tf.Tensor4D;
  const dw = constant([3, 3, expanded, 1], 0.1) as tf.Tensor4D;
  const down = constant([1, 1, expanded, channels], 0.01) as tf.Tensor4D;
  const pass = () => tf.tidy(() => {
    const h = tf.fused.conv2d({ x, filter: up, strides: 1, pad: 'same', activation: 'relu' });
    return tf.conv2d(tf.depthwiseConv2d(h, dw, 1, 'same'), down, 1, 'same');
  });
  try {
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const y = pass();
      await y.data();
      y.dispose();
      if (i > 0) times.push(performance.now() - t0);
    }
    return Math.min(...times);
  } finally {
    tf.dispose([x, up, dw, down]);
  }
}

/** Milliseconds per probe pass on WebGL and on wasm; leaves wasm as the active backend. */
export async function probeBackends(runs = 3): Promise<ProbeResult> {
  const webglMs = await timeOn('webgl', runs);
  const wasmMs = await timeOn('wasm', runs);
  return { webglMs, wasmMs };
}
