// AssemblyScript (compiled by `npm run build:lab-kernel` into src/model/kernels/lab-kernels.wasm.ts).
//
// Training kernels of the Ghost lab on the TensorFlow.js wasm backend's own memory (imported):
// BatchNorm (batch statistics) + ReLU forward and backward, the 2 x 2 max-pool gradient, the
// depthwise convolution's filter and input gradients, and the two transposes the conv filter
// gradient needs. SIMD across channels (NHWC). No allocation, no data segment: each function
// writes only the outputs (and the scratch) it is given. Addresses are in bytes.

const ZERO = f32x4.splat(0);

@inline function f(i: i32): usize {
  return <usize>i << 2;
}

/** Zeroes `floats` floats at p. */
@inline function zero(p: usize, floats: i32): void {
  memory.fill(p, 0, f(floats));
}

/**
 * x [m, c] -> y = relu(xhat * gamma + beta), xhat = (x - mean) * rstd, mean [c], variance [c] (biased).
 * scratch: 8c floats.
 */
export function bnReluForward(x: usize, gamma: usize, beta: usize, y: usize, xhat: usize, mean: usize, variance: usize, scratch: usize, m: i32, c: i32, eps: f32): void {
  const acc = scratch; // f64 [c]
  const blk = scratch + f(2 * c); // f32 [c]
  const rstd = scratch + f(3 * c); // f32 [c]
  const c4 = c & ~3;
  zero(acc, 2 * c);
  let i = 0;
  while (i < m) {
    const end = min(i + 64, m);
    zero(blk, c);
    for (; i < end; i++) {
      const row = x + f(i * c);
      let k = 0;
      for (; k < c4; k += 4) v128.store(blk + f(k), f32x4.add(v128.load(blk + f(k)), v128.load(row + f(k))));
      for (; k < c; k++) store<f32>(blk + f(k), load<f32>(blk + f(k)) + load<f32>(row + f(k)));
    }
    for (let k = 0; k < c; k++) store<f64>(acc + (<usize>k << 3), load<f64>(acc + (<usize>k << 3)) + <f64>load<f32>(blk + f(k)));
  }
  for (let k = 0; k < c; k++) store<f32>(mean + f(k), <f32>(load<f64>(acc + (<usize>k << 3)) / <f64>m));
  zero(acc, 2 * c);
  i = 0;
  while (i < m) {
    const end = min(i + 64, m);
    zero(blk, c);
    for (; i < end; i++) {
      const row = x + f(i * c);
      let k = 0;
      for (; k < c4; k += 4) {
        const d = f32x4.sub(v128.load(row + f(k)), v128.load(mean + f(k)));
        v128.store(blk + f(k), f32x4.add(v128.load(blk + f(k)), f32x4.mul(d, d)));
      }
      for (; k < c; k++) {
        const d = load<f32>(row + f(k)) - load<f32>(mean + f(k));
        store<f32>(blk + f(k), load<f32>(blk + f(k)) + d * d);
      }
    }
    for (let k = 0; k < c; k++) store<f64>(acc + (<usize>k << 3), load<f64>(acc + (<usize>k << 3)) + <f64>load<f32>(blk + f(k)));
  }
  for (let k = 0; k < c; k++) {
    const v = <f32>(load<f64>(acc + (<usize>k << 3)) / <f64>m);
    store<f32>(variance + f(k), v);
    store<f32>(rstd + f(k), <f32>1 / Mathf.sqrt(v + eps));
  }
  for (i = 0; i < m; i++) {
    const o = f(i * c);
    let k = 0;
    for (; k < c4; k += 4) {
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + f(k)), v128.load(mean + f(k))), v128.load(rstd + f(k)));
      v128.store(xhat + o + f(k), xh);
      v128.store(y + o + f(k), f32x4.max(f32x4.add(f32x4.mul(xh, v128.load(gamma + f(k))), v128.load(beta + f(k))), ZERO));
    }
    for (; k < c; k++) {
      const xh = (load<f32>(x + o + f(k)) - load<f32>(mean + f(k))) * load<f32>(rstd + f(k));
      store<f32>(xhat + o + f(k), xh);
      const v = xh * load<f32>(gamma + f(k)) + load<f32>(beta + f(k));
      store<f32>(y + o + f(k), v > 0 ? v : 0);
    }
  }
}

/**
 * dz = dy * (y > 0); dgamma = sum(dz * xhat), dbeta = sum(dz);
 * dx = gamma * rstd * (dz - dbeta / m - xhat * dgamma / m). scratch: 8c floats.
 */
export function bnReluBackward(dy: usize, y: usize, xhat: usize, gamma: usize, variance: usize, dx: usize, dgamma: usize, dbeta: usize, scratch: usize, m: i32, c: i32, eps: f32): void {
  const accA = scratch; // f64 [c]
  const accB = scratch + f(2 * c); // f64 [c]
  const blkA = scratch + f(4 * c);
  const blkB = scratch + f(5 * c);
  const c4 = c & ~3;
  zero(accA, 4 * c);
  let i = 0;
  while (i < m) {
    const end = min(i + 64, m);
    zero(blkA, 2 * c);
    for (; i < end; i++) {
      const o = f(i * c);
      let k = 0;
      for (; k < c4; k += 4) {
        const dz = v128.and(v128.load(dy + o + f(k)), f32x4.gt(v128.load(y + o + f(k)), ZERO));
        v128.store(blkA + f(k), f32x4.add(v128.load(blkA + f(k)), dz));
        v128.store(blkB + f(k), f32x4.add(v128.load(blkB + f(k)), f32x4.mul(dz, v128.load(xhat + o + f(k)))));
      }
      for (; k < c; k++) {
        const dz = load<f32>(y + o + f(k)) > 0 ? load<f32>(dy + o + f(k)) : <f32>0;
        store<f32>(blkA + f(k), load<f32>(blkA + f(k)) + dz);
        store<f32>(blkB + f(k), load<f32>(blkB + f(k)) + dz * load<f32>(xhat + o + f(k)));
      }
    }
    for (let k = 0; k < c; k++) {
      store<f64>(accA + (<usize>k << 3), load<f64>(accA + (<usize>k << 3)) + <f64>load<f32>(blkA + f(k)));
      store<f64>(accB + (<usize>k << 3), load<f64>(accB + (<usize>k << 3)) + <f64>load<f32>(blkB + f(k)));
    }
  }
  const scale = scratch + f(4 * c); // reuse blkA/B and two more: scale, mdz, mdzx
  const mdz = scratch + f(5 * c);
  const mdzx = scratch + f(6 * c);
  for (let k = 0; k < c; k++) {
    const a = load<f64>(accA + (<usize>k << 3));
    const b = load<f64>(accB + (<usize>k << 3));
    store<f32>(dbeta + f(k), <f32>a);
    store<f32>(dgamma + f(k), <f32>b);
    store<f32>(scale + f(k), load<f32>(gamma + f(k)) / Mathf.sqrt(load<f32>(variance + f(k)) + eps));
    store<f32>(mdz + f(k), <f32>(a / <f64>m));
    store<f32>(mdzx + f(k), <f32>(b / <f64>m));
  }
  for (i = 0; i < m; i++) {
    const o = f(i * c);
    let k = 0;
    for (; k < c4; k += 4) {
      const dz = v128.and(v128.load(dy + o + f(k)), f32x4.gt(v128.load(y + o + f(k)), ZERO));
      const t = f32x4.sub(f32x4.sub(dz, v128.load(mdz + f(k))), f32x4.mul(v128.load(xhat + o + f(k)), v128.load(mdzx + f(k))));
      v128.store(dx + o + f(k), f32x4.mul(t, v128.load(scale + f(k))));
    }
    for (; k < c; k++) {
      const dz = load<f32>(y + o + f(k)) > 0 ? load<f32>(dy + o + f(k)) : <f32>0;
      store<f32>(dx + o + f(k), load<f32>(scale + f(k)) * (dz - load<f32>(mdz + f(k)) - load<f32>(xhat + o + f(k)) * load<f32>(mdzx + f(k))));
    }
  }
}

/** Gradient of a 2 x 2, stride 2, 'valid' max-pool: dy goes to the first maximum of each window (row-major), as TF and PyTorch route it. */
export function maxPool2Grad(x: usize, dy: usize, dx: usize, n: i32, h: i32, w: i32, c: i32): void {
  const oh = h >> 1;
  const ow = w >> 1;
  const c4 = c & ~3;
  zero(dx, n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const p00 = f(((b * h + 2 * oy) * w + 2 * ox) * c);
        const p01 = p00 + f(c);
        const p10 = p00 + f(w * c);
        const p11 = p10 + f(c);
        const g = dy + f(((b * oh + oy) * ow + ox) * c);
        let k = 0;
        for (; k < c4; k += 4) {
          const a = v128.load(x + p00 + f(k));
          const bb = v128.load(x + p01 + f(k));
          const cc = v128.load(x + p10 + f(k));
          const d = v128.load(x + p11 + f(k));
          const mx = f32x4.max(f32x4.max(a, bb), f32x4.max(cc, d));
          const ma = f32x4.eq(a, mx);
          const mb = v128.andnot(f32x4.eq(bb, mx), ma);
          let seen = v128.or(ma, mb);
          const mc = v128.andnot(f32x4.eq(cc, mx), seen);
          seen = v128.or(seen, mc);
          const gv = v128.load(g + f(k));
          v128.store(dx + p00 + f(k), v128.and(gv, ma));
          v128.store(dx + p01 + f(k), v128.and(gv, mb));
          v128.store(dx + p10 + f(k), v128.and(gv, mc));
          v128.store(dx + p11 + f(k), v128.andnot(gv, seen));
        }
        for (; k < c; k++) {
          const a = load<f32>(x + p00 + f(k));
          const bb = load<f32>(x + p01 + f(k));
          const cc = load<f32>(x + p10 + f(k));
          const d = load<f32>(x + p11 + f(k));
          let best: usize = p00;
          let mx = a;
          if (bb > mx) { mx = bb; best = p01; }
          if (cc > mx) { mx = cc; best = p10; }
          if (d > mx) { mx = d; best = p11; }
          store<f32>(dx + best + f(k), load<f32>(g + f(k)));
        }
      }
    }
  }
}

/** [a, p, c] -> [c, p, a] (e.g. NHWC -> CHWN with p = h * w). */
export function transposeOuterInner(src: usize, dst: usize, a: i32, p: i32, c: i32): void {
  for (let q = 0; q < p; q++) {
    for (let i = 0; i < a; i++) {
      const s = src + f((i * p + q) * c);
      for (let k = 0; k < c; k++) store<f32>(dst + f((k * p + q) * a + i), load<f32>(s + f(k)));
    }
  }
}

/**
 * The conv filter gradient's im2col, transposed: x [n, h, w, c] (NHWC) -> col [fh * fw * c, n * oh * ow]
 * with col[(ky * fw + kx) * c + ch, (b * oh + y) * ow + xx] = x[b0 + b, y + ky - top, xx + kx - left, ch]
 * (0 outside x), for the images b0 .. b0 + nb - 1 only. Then dW [fh, fw, c, co] = col @ dy [nb * oh * ow, co],
 * one GEMM (stride 1, dilation 1). xt: scratch of nb * h * w * c floats (x's images, channel-major).
 */
export function im2colT(x: usize, xt: usize, col: usize, b0: i32, nb: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32, top: i32, left: i32, oh: i32, ow: i32): void {
  // x's images b0.. as [c, nb * h * w]: reads contiguous, 16 channels' rows written at once
  const p = nb * h * w;
  const src = x + f(b0 * h * w * c);
  for (let q = 0; q < p; q++) {
    const s = src + f(q * c);
    for (let k = 0; k < c; k++) store<f32>(xt + f(k * p + q), load<f32>(s + f(k)));
  }
  const m = nb * oh * ow;
  for (let ky = 0; ky < fh; ky++) {
    for (let kx = 0; kx < fw; kx++) {
      const x0 = max(0, left - kx);
      const x1 = min(ow, w + left - kx);
      for (let ch = 0; ch < c; ch++) {
        const row = col + f(((ky * fw + kx) * c + ch) * m);
        const plane = xt + f(ch * p);
        for (let b = 0; b < nb; b++) {
          for (let y = 0; y < oh; y++) {
            const seg = row + f((b * oh + y) * ow);
            const iy = y + ky - top;
            if (iy < 0 || iy >= h || x1 <= x0) {
              zero(seg, ow);
              continue;
            }
            for (let xx = 0; xx < x0; xx++) store<f32>(seg + f(xx), 0);
            const s = plane + f((b * h + iy) * w + x0 + kx - left);
            const d = seg + f(x0);
            const len = x1 - x0;
            let i = 0;
            for (; i + 4 <= len; i += 4) v128.store(d + f(i), v128.load(s + f(i)));
            for (; i < len; i++) store<f32>(d + f(i), load<f32>(s + f(i)));
            for (let xx = x1; xx < ow; xx++) store<f32>(seg + f(xx), 0);
          }
        }
      }
    }
  }
}

/** dst[i] += src[i], i < n. */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + f(i), f32x4.add(v128.load(dst + f(i)), v128.load(src + f(i))));
  for (; i < n; i++) store<f32>(dst + f(i), load<f32>(dst + f(i)) + load<f32>(src + f(i)));
}

/** [a, p, d] -> [p, a, d] (blocks of d floats; e.g. NHWC -> HWNC with p = h * w). */
export function swapOuter(src: usize, dst: usize, a: i32, p: i32, d: i32): void {
  for (let i = 0; i < a; i++) {
    for (let q = 0; q < p; q++) memory.copy(dst + f((q * a + i) * d), src + f((i * p + q) * d), f(d));
  }
}

/** dW[ky, kx, ch, j] = sum over b, y, x of x[b, y + ky - top, x + kx - left, ch] * dy[b, y, x, ch * mul + j]. */
export function depthwiseFilterGrad(x: usize, dy: usize, dw: usize, n: i32, h: i32, w: i32, c: i32, mul: i32, fh: i32, fw: i32, top: i32, left: i32, oh: i32, ow: i32): void {
  const oc = c * mul;
  const c4 = c & ~3;
  zero(dw, fh * fw * oc);
  for (let ky = 0; ky < fh; ky++) {
    for (let kx = 0; kx < fw; kx++) {
      const acc = dw + f((ky * fw + kx) * oc);
      const y0 = max(0, top - ky);
      const y1 = min(oh, h + top - ky);
      const x0 = max(0, left - kx);
      const x1 = min(ow, w + left - kx);
      for (let b = 0; b < n; b++) {
        for (let yy = y0; yy < y1; yy++) {
          const iy = yy + ky - top;
          for (let xx = x0; xx < x1; xx++) {
            const xp = x + f(((b * h + iy) * w + xx + kx - left) * c);
            const dp = dy + f(((b * oh + yy) * ow + xx) * oc);
            if (mul == 1) {
              let k = 0;
              for (; k < c4; k += 4) v128.store(acc + f(k), f32x4.add(v128.load(acc + f(k)), f32x4.mul(v128.load(xp + f(k)), v128.load(dp + f(k)))));
              for (; k < c; k++) store<f32>(acc + f(k), load<f32>(acc + f(k)) + load<f32>(xp + f(k)) * load<f32>(dp + f(k)));
            } else {
              for (let ch = 0; ch < c; ch++) {
                const v = load<f32>(xp + f(ch));
                const base = ch * mul;
                for (let j = 0; j < mul; j++) store<f32>(acc + f(base + j), load<f32>(acc + f(base + j)) + v * load<f32>(dp + f(base + j)));
              }
            }
          }
        }
      }
    }
  }
}

/** dx[b, iy, ix, ch] = sum over ky, kx, j of dy[b, iy - ky + top, ix - kx + left, ch * mul + j] * W[ky, kx, ch, j]. */
export function depthwiseInputGrad(dy: usize, wgt: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, mul: i32, fh: i32, fw: i32, top: i32, left: i32, oh: i32, ow: i32): void {
  const oc = c * mul;
  const c4 = c & ~3;
  zero(dx, n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let iy = 0; iy < h; iy++) {
      for (let ky = 0; ky < fh; ky++) {
        const yy = iy - ky + top;
        if (yy < 0 || yy >= oh) continue;
        for (let kx = 0; kx < fw; kx++) {
          const wp = wgt + f((ky * fw + kx) * oc);
          const ix0 = max(0, kx - left);
          const ix1 = min(w, ow + kx - left);
          for (let ix = ix0; ix < ix1; ix++) {
            const dp = dy + f(((b * oh + yy) * ow + ix - kx + left) * oc);
            const ap = dx + f(((b * h + iy) * w + ix) * c);
            if (mul == 1) {
              let k = 0;
              for (; k < c4; k += 4) v128.store(ap + f(k), f32x4.add(v128.load(ap + f(k)), f32x4.mul(v128.load(dp + f(k)), v128.load(wp + f(k)))));
              for (; k < c; k++) store<f32>(ap + f(k), load<f32>(ap + f(k)) + load<f32>(dp + f(k)) * load<f32>(wp + f(k)));
            } else {
              for (let ch = 0; ch < c; ch++) {
                let s: f32 = 0;
                const base = ch * mul;
                for (let j = 0; j < mul; j++) s += load<f32>(dp + f(base + j)) * load<f32>(wp + f(base + j));
                store<f32>(ap + f(ch), load<f32>(ap + f(ch)) + s);
              }
            }
          }
        }
      }
    }
  }
}

/** A Ghost module's output: out[p, 0:ca] = a[p, :], out[p, ca:ca+nb] = b[p, 0:nb] (b has cb channels). */
export function concatChannels(a: usize, b: usize, out: usize, pixels: i32, ca: i32, cb: i32, nb: i32): void {
  const oc = ca + nb;
  for (let p = 0; p < pixels; p++) {
    memory.copy(out + f(p * oc), a + f(p * ca), f(ca));
    memory.copy(out + f(p * oc + ca), b + f(p * cb), f(nb));
  }
}

/** Its gradient: da[p, :] = dy[p, 0:ca], db[p, 0:nb] = dy[p, ca:ca+nb], db[p, nb:cb] = 0. */
export function splitChannels(dy: usize, da: usize, db: usize, pixels: i32, ca: i32, cb: i32, nb: i32): void {
  const oc = ca + nb;
  if (nb < cb) zero(db, pixels * cb);
  for (let p = 0; p < pixels; p++) {
    memory.copy(da + f(p * ca), dy + f(p * oc), f(ca));
    memory.copy(db + f(p * cb), dy + f(p * oc + ca), f(nb));
  }
}

/** Global-average-pool gradient: dx[b, q, k] = dy[b, k] * scale for every pixel q of p. */
export function gapGrad(dy: usize, dx: usize, n: i32, p: i32, c: i32, scale: f32): void {
  const c4 = c & ~3;
  const s4 = f32x4.splat(scale);
  for (let b = 0; b < n; b++) {
    const g = dy + f(b * c);
    const first = dx + f(b * p * c);
    let k = 0;
    for (; k < c4; k += 4) v128.store(first + f(k), f32x4.mul(v128.load(g + f(k)), s4));
    for (; k < c; k++) store<f32>(first + f(k), load<f32>(g + f(k)) * scale);
    for (let q = 1; q < p; q++) memory.copy(first + f(q * c), first, f(c));
  }
}

/** The filter of a convolution's input gradient: dst[ky, kx, o, i] = src[kh - 1 - ky, kw - 1 - kx, i, o]. */
export function flipFilter(src: usize, dst: usize, kh: i32, kw: i32, ci: i32, co: i32): void {
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const s = src + f(((kh - 1 - ky) * kw + (kw - 1 - kx)) * ci * co);
      const d = dst + f((ky * kw + kx) * ci * co);
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) store<f32>(d + f(o * ci + i), load<f32>(s + f(i * co + o)));
      }
    }
  }
}
