import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError, openModel, print, type Command } from '../common.ts';

export const logits: Command = {
  usage: 'logits <model-dir|checkpoint> --shape 1,H,W,3 --tensor <file.f32> [--tensor ...] --json',
  async run({ positionals: pos, values: v, backend }) {
    if (pos.length !== 1 || !v.shape || !v.tensor?.length) throw new UsageError('logits needs <model-dir|checkpoint> --shape 1,H,W,3 --tensor <file.f32>');
    const shape = v.shape.split(',').map(Number);
    if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0) || shape[3] !== 3) throw new UsageError(`--shape must be N,H,W,3 with positive integers, got "${v.shape}"`);
    const model = await openModel(pos[0], backend);
    const numel = shape.reduce((a, b) => a * b, 1);
    for (const file of v.tensor) {
      let buf: Buffer;
      try { buf = await fs.readFile(file); } catch { throw new Error(`${file}: cannot be read`); }
      if (buf.byteLength !== numel * 4) throw new Error(`${file}: has ${buf.byteLength} bytes, but shape ${shape.join('x')} float32 needs ${numel * 4}`);
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const x = tf.tensor4d(data, shape as [number, number, number, number]);
      const out = model.logits(x);
      const values = (await out.array()) as number[][];
      tf.dispose([x, out]);
      print(JSON.stringify({ tensor: file, shape, logits: shape[0] === 1 ? values[0] : values }));
    }
    model.dispose();
  },
};
