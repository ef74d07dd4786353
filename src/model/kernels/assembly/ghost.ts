// AssemblyScript (compiled by `npm run build:kernel` into src/model/kernels/ghost-kernel.ts).
//
// The tail of a Ghost module in one pass over its intrinsic maps: the cheap operation (a 3 x 3
// depthwise convolution, BatchNorm folded into weights and bias, optional ReLU), written next to
// a copy of the intrinsic maps so the module's output [intrinsic, ghost] needs no concatenation,
// optionally with the block's residual added to both halves. It runs on the memory of the
// TensorFlow.js wasm backend (imported), reading and writing the backend's own tensors.
//
// No allocation, no strings, no data segment: this module must not write anything into the
// imported memory except the output it is given.

const ZERO = f32x4.splat(0);

// Bytes from one address to the next for `count` floats.
@inline function bytes(count: i32): usize {
  return <usize>count << 2;
}

/** Scalar channels [from, to) of one pixel, any position (bounds checked per tap). */
@inline function ghostScalar(
  image: usize, weights: usize, bias: usize, dst: usize, res: usize,
  y: i32, x: i32, h: i32, w: i32, c: i32, from: i32, to: i32, relu: bool, interior: bool,
): void {
  for (let k = from; k < to; k++) {
    let acc = load<f32>(bias + bytes(k));
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (!interior && (yy < 0 || yy >= h)) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (!interior && (xx < 0 || xx >= w)) continue;
        const tap = (dy + 1) * 3 + dx + 1;
        acc += load<f32>(image + bytes((yy * w + xx) * c + k)) * load<f32>(weights + bytes(tap * c + k));
      }
    }
    if (relu && acc < 0) acc = 0;
    if (res) acc += load<f32>(res + bytes(c + k));
    store<f32>(dst + bytes(c + k), acc);
  }
}

/**
 * input:   intrinsic maps [n, h, w, c] (float32, contiguous)
 * weights: the depthwise filter [3, 3, c, 1] (tap-major), bias [c]
 * output:  [n, h, w, outStride]: channels [0, c) get the intrinsic maps, [c, c + g) the ghost maps
 * residual: 0, or a tensor laid out like the output whose channels [0, c + g) are added
 * g:       ghost channels to compute (c, or fewer where the module's output is truncated)
 */
export function ghostTail3x3(
  input: usize, weights: usize, bias: usize, output: usize, residual: usize,
  n: i32, h: i32, w: i32, c: i32, g: i32, outStride: i32, relu: i32,
): void {
  const useRelu = relu != 0;
  const vectors = g & ~3;
  const copyVectors = c & ~3;
  // Byte offsets of the 9 taps from the centre pixel.
  const rowBytes = <isize>bytes(w * c);
  const pixBytes = <isize>bytes(c);
  for (let b = 0; b < n; b++) {
    const image = input + bytes(b * h * w * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (b * h + y) * w + x;
        const src = image + bytes((y * w + x) * c);
        const dst = output + bytes(p * outStride);
        const res: usize = residual ? residual + bytes(p * outStride) : 0;
        // The intrinsic half (plus residual).
        for (let k = 0; k < copyVectors; k += 4) {
          let v = v128.load(src + bytes(k));
          if (res) v = f32x4.add(v, v128.load(res + bytes(k)));
          v128.store(dst + bytes(k), v);
        }
        for (let k = copyVectors; k < c; k++) {
          let v = load<f32>(src + bytes(k));
          if (res) v += load<f32>(res + bytes(k));
          store<f32>(dst + bytes(k), v);
        }
        // The ghost half.
        const interior = y > 0 && y < h - 1 && x > 0 && x < w - 1;
        if (interior) {
          for (let k = 0; k < vectors; k += 4) {
            const s = src + bytes(k);
            const wk = weights + bytes(k);
            let acc = v128.load(bias + bytes(k));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s - rowBytes - pixBytes)), v128.load(wk)));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s - rowBytes)), v128.load(wk + bytes(c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s - rowBytes + pixBytes)), v128.load(wk + bytes(2 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s - pixBytes)), v128.load(wk + bytes(3 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(s), v128.load(wk + bytes(4 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s + pixBytes)), v128.load(wk + bytes(5 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s + rowBytes - pixBytes)), v128.load(wk + bytes(6 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s + rowBytes)), v128.load(wk + bytes(7 * c))));
            acc = f32x4.add(acc, f32x4.mul(v128.load(<usize>(<isize>s + rowBytes + pixBytes)), v128.load(wk + bytes(8 * c))));
            if (useRelu) acc = f32x4.max(acc, ZERO);
            if (res) acc = f32x4.add(acc, v128.load(res + bytes(c + k)));
            v128.store(dst + bytes(c + k), acc);
          }
          ghostScalar(image, weights, bias, dst, res, y, x, h, w, c, vectors, g, useRelu, true);
        } else {
          // Border pixel: only the taps inside the image (zero padding).
          const y0 = y > 0 ? -1 : 0;
          const y1 = y < h - 1 ? 1 : 0;
          const x0 = x > 0 ? -1 : 0;
          const x1 = x < w - 1 ? 1 : 0;
          for (let k = 0; k < vectors; k += 4) {
            let acc = v128.load(bias + bytes(k));
            for (let dy = y0; dy <= y1; dy++) {
              for (let dx = x0; dx <= x1; dx++) {
                const tap = (dy + 1) * 3 + dx + 1;
                const s = <usize>(<isize>src + <isize>dy * rowBytes + <isize>dx * pixBytes) + bytes(k);
                acc = f32x4.add(acc, f32x4.mul(v128.load(s), v128.load(weights + bytes(tap * c + k))));
              }
            }
            if (useRelu) acc = f32x4.max(acc, ZERO);
            if (res) acc = f32x4.add(acc, v128.load(res + bytes(c + k)));
            v128.store(dst + bytes(c + k), acc);
          }
          ghostScalar(image, weights, bias, dst, res, y, x, h, w, c, vectors, g, useRelu, false);
        }
      }
    }
  }
}
