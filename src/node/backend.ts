/** TensorFlow.js in Node without native code: the wasm backend (SIMD), or the pure-JS cpu backend. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export type NodeBackend = 'wasm' | 'cpu';

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    setWasmPaths(path.dirname(wasmFile) + path.sep);
  }
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend could not be started`);
  await tf.ready();
  return tf.getBackend();
}
