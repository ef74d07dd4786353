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

// ---- Winograd F(2 x 2, 3 x 3) for the lab's 3 x 3 'same' stride-1 convolutions (even h, w; channels a
// multiple of 4). Y = A^T [(G g G^T) . (B^T d B)] A per 2 x 2 output tile: the 16 products of each tile
// position xi are 16 GEMMs over channels (run by the caller on XNNPACK), 4 multiplies per output pixel
// and channel pair instead of 9. Tiles are t = (b * h / 2 + ty) * w / 2 + tx. `tab` is the address of 16
// i32 addresses (bytes) of the 16 matrices of one side (xi = 4 * row + column).

@inline function tabAt(tab: usize, xi: i32): usize {
  return <usize>load<i32>(tab + (<usize>xi << 2));
}

/** U[xi] [ci, co] = (G g G^T)[xi] for the filter g [3, 3, ci, co] (HWIO). */
export function winoFilter(g: usize, tab: usize, ci: i32, co: i32): void {
  const half = f32x4.splat(0.5);
  const s = f(ci * co);
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o += 4) {
      const p = g + f(i * co + o);
      // rows ky of g, transformed along ky: r0 = g0, r1 = (g0 + g1 + g2) / 2, r2 = (g0 - g1 + g2) / 2, r3 = g2
      const g00 = v128.load(p), g01 = v128.load(p + s), g02 = v128.load(p + 2 * s);
      const g10 = v128.load(p + 3 * s), g11 = v128.load(p + 4 * s), g12 = v128.load(p + 5 * s);
      const g20 = v128.load(p + 6 * s), g21 = v128.load(p + 7 * s), g22 = v128.load(p + 8 * s);
      const e0 = f32x4.mul(f32x4.add(g00, g20), half);
      const e1 = f32x4.mul(f32x4.add(g01, g21), half);
      const e2 = f32x4.mul(f32x4.add(g02, g22), half);
      const h10 = f32x4.mul(g10, half), h11 = f32x4.mul(g11, half), h12 = f32x4.mul(g12, half);
      const r10 = f32x4.add(e0, h10), r11 = f32x4.add(e1, h11), r12 = f32x4.add(e2, h12);
      const r20 = f32x4.sub(e0, h10), r21 = f32x4.sub(e1, h11), r22 = f32x4.sub(e2, h12);
      const o4 = f(i * co + o);
      winoFilterRow(tab, 0, o4, g00, g01, g02, half);
      winoFilterRow(tab, 4, o4, r10, r11, r12, half);
      winoFilterRow(tab, 8, o4, r20, r21, r22, half);
      winoFilterRow(tab, 12, o4, g20, g21, g22, half);
    }
  }
}

@inline function winoFilterRow(tab: usize, xi: i32, o4: usize, a: v128, b: v128, c: v128, half: v128): void {
  const e = f32x4.mul(f32x4.add(a, c), half);
  const hb = f32x4.mul(b, half);
  v128.store(tabAt(tab, xi) + o4, a);
  v128.store(tabAt(tab, xi + 1) + o4, f32x4.add(e, hb));
  v128.store(tabAt(tab, xi + 2) + o4, f32x4.sub(e, hb));
  v128.store(tabAt(tab, xi + 3) + o4, c);
}

@inline function ld4(p: usize, ok: bool): v128 {
  return ok ? v128.load(p) : ZERO;
}

/** V[xi] [T, c] = (B^T d B)[xi] for each tile d (4 x 4, from x [n, h, w, c] with one pixel of zero padding). */
export function winoInput(x: usize, tab: usize, n: i32, h: i32, w: i32, c: i32): void {
  const th = h >> 1;
  const tw = w >> 1;
  const rowB = f(w * c);
  let t = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      const y0 = 2 * ty - 1;
      const v0 = y0 >= 0;
      const v3 = y0 + 3 < h;
      for (let tx = 0; tx < tw; tx++, t++) {
        const x0 = 2 * tx - 1;
        const c0 = x0 >= 0;
        const c3 = x0 + 3 < w;
        const base = x + f(((b * h + y0) * w + x0) * c);
        const colB = f(c);
        const out = f(t * c);
        for (let k = 0; k < c; k += 4) {
          const p0 = base + f(k);
          const p1 = p0 + rowB;
          const p2 = p1 + rowB;
          const p3 = p2 + rowB;
          // B^T along rows: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3 (per column)
          const d10 = ld4(p1, c0), d11 = v128.load(p1 + colB), d12 = v128.load(p1 + 2 * colB), d13 = ld4(p1 + 3 * colB, c3);
          const d20 = ld4(p2, c0), d21 = v128.load(p2 + colB), d22 = v128.load(p2 + 2 * colB), d23 = ld4(p2 + 3 * colB, c3);
          const d00 = ld4(p0, v0 && c0), d01 = ld4(p0 + colB, v0), d02 = ld4(p0 + 2 * colB, v0), d03 = ld4(p0 + 3 * colB, v0 && c3);
          const d30 = ld4(p3, v3 && c0), d31 = ld4(p3 + colB, v3), d32 = ld4(p3 + 2 * colB, v3), d33 = ld4(p3 + 3 * colB, v3 && c3);
          winoInRow(tab, 0, out + f(k), f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23));
          winoInRow(tab, 4, out + f(k), f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23));
          winoInRow(tab, 8, out + f(k), f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13));
          winoInRow(tab, 12, out + f(k), f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33));
        }
      }
    }
  }
}

@inline function winoInRow(tab: usize, xi: i32, o: usize, a: v128, b: v128, c: v128, d: v128): void {
  v128.store(tabAt(tab, xi) + o, f32x4.sub(a, c));
  v128.store(tabAt(tab, xi + 1) + o, f32x4.add(b, c));
  v128.store(tabAt(tab, xi + 2) + o, f32x4.sub(c, b));
  v128.store(tabAt(tab, xi + 3) + o, f32x4.sub(b, d));
}

/** y [n, h, w, c] = A^T M A per tile from M[xi] [T, c]. */
export function winoOutput(tab: usize, y: usize, n: i32, h: i32, w: i32, c: i32): void {
  const th = h >> 1;
  const tw = w >> 1;
  const rowB = f(w * c);
  const colB = f(c);
  let t = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++, t++) {
        const base = y + f(((b * h + 2 * ty) * w + 2 * tx) * c);
        const src = f(t * c);
        for (let k = 0; k < c; k += 4) {
          const o = src + f(k);
          const m00 = v128.load(tabAt(tab, 0) + o), m01 = v128.load(tabAt(tab, 1) + o), m02 = v128.load(tabAt(tab, 2) + o), m03 = v128.load(tabAt(tab, 3) + o);
          const m10 = v128.load(tabAt(tab, 4) + o), m11 = v128.load(tabAt(tab, 5) + o), m12 = v128.load(tabAt(tab, 6) + o), m13 = v128.load(tabAt(tab, 7) + o);
          const m20 = v128.load(tabAt(tab, 8) + o), m21 = v128.load(tabAt(tab, 9) + o), m22 = v128.load(tabAt(tab, 10) + o), m23 = v128.load(tabAt(tab, 11) + o);
          const m30 = v128.load(tabAt(tab, 12) + o), m31 = v128.load(tabAt(tab, 13) + o), m32 = v128.load(tabAt(tab, 14) + o), m33 = v128.load(tabAt(tab, 15) + o);
          // A^T along rows: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
          const a0 = f32x4.add(f32x4.add(m00, m10), m20), a1 = f32x4.add(f32x4.add(m01, m11), m21), a2 = f32x4.add(f32x4.add(m02, m12), m22), a3 = f32x4.add(f32x4.add(m03, m13), m23);
          const b0 = f32x4.sub(f32x4.sub(m10, m20), m30), b1 = f32x4.sub(f32x4.sub(m11, m21), m31), b2 = f32x4.sub(f32x4.sub(m12, m22), m32), b3 = f32x4.sub(f32x4.sub(m13, m23), m33);
          const p = base + f(k);
          v128.store(p, f32x4.add(f32x4.add(a0, a1), a2));
          v128.store(p + colB, f32x4.sub(f32x4.sub(a1, a2), a3));
          v128.store(p + rowB, f32x4.add(f32x4.add(b0, b1), b2));
          v128.store(p + rowB + colB, f32x4.sub(f32x4.sub(b1, b2), b3));
        }
      }
    }
  }
}

/** The filter gradient's output side: Z[xi] [T, c] = (A dY A^T)[xi] for each 2 x 2 tile of dy [n, h, w, c]. */
export function winoGradOut(dy: usize, tab: usize, n: i32, h: i32, w: i32, c: i32): void {
  const th = h >> 1;
  const tw = w >> 1;
  const rowB = f(w * c);
  const colB = f(c);
  let t = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++, t++) {
        const base = dy + f(((b * h + 2 * ty) * w + 2 * tx) * c);
        const dst = f(t * c);
        for (let k = 0; k < c; k += 4) {
          const p = base + f(k);
          const a = v128.load(p), bb = v128.load(p + colB), cc = v128.load(p + rowB), e = v128.load(p + rowB + colB);
          // rows of A dY: p = 0: dY0; 1: dY0 + dY1; 2: dY0 - dY1; 3: -dY1 (dY0 = [a, bb], dY1 = [cc, e])
          const o = dst + f(k);
          winoGradRow(tab, 0, o, a, bb);
          winoGradRow(tab, 4, o, f32x4.add(a, cc), f32x4.add(bb, e));
          winoGradRow(tab, 8, o, f32x4.sub(a, cc), f32x4.sub(bb, e));
          winoGradRow(tab, 12, o, f32x4.neg(cc), f32x4.neg(e));
        }
      }
    }
  }
}

/** Columns of one row of A dY A^T: [x0, x0 + x1, x0 - x1, -x1]. */
@inline function winoGradRow(tab: usize, xi: i32, o: usize, x0: v128, x1: v128): void {
  v128.store(tabAt(tab, xi) + o, x0);
  v128.store(tabAt(tab, xi + 1) + o, f32x4.add(x0, x1));
  v128.store(tabAt(tab, xi + 2) + o, f32x4.sub(x0, x1));
  v128.store(tabAt(tab, xi + 3) + o, f32x4.neg(x1));
}

/** dU[xi] [ci, co] (+)= V[xi]^T Z[xi] over the T tiles (V [T, ci], Z [T, co]): the filter gradient's 16 products. */
export function winoGradGemm(vTab: usize, zTab: usize, duTab: usize, T: i32, ci: i32, co: i32, accumulate: bool): void {
  for (let xi = 0; xi < 16; xi++) gemmTN(tabAt(vTab, xi), tabAt(zTab, xi), tabAt(duTab, xi), T, ci, co, accumulate);
}

/**
 * C [m, n] (+)= A^T B for A [T, m], B [T, n] (m, n multiples of 4): blocks of 4 x 8 (or 4 x 4 at the end)
 * accumulators in registers, over 128 rows of A and B at a time (in cache). `accumulate`: add to C.
 */
export function gemmTN(a: usize, b: usize, c: usize, T: i32, m: i32, n: i32, accumulate: bool): void {
  const as = f(m);
  const bs = f(n);
  if (!accumulate) zero(c, m * n);
  for (let t0 = 0; t0 < T; t0 += 128) {
    const tn = min(128, T - t0);
    for (let i0 = 0; i0 < m; i0 += 4) {
      let o0 = 0;
      for (; o0 + 8 <= n; o0 += 8) {
        const d0 = c + f(i0 * n + o0);
        const d1 = d0 + bs, d2 = d1 + bs, d3 = d2 + bs;
        let a00 = v128.load(d0), a01 = v128.load(d0 + 16), a10 = v128.load(d1), a11 = v128.load(d1 + 16);
        let a20 = v128.load(d2), a21 = v128.load(d2 + 16), a30 = v128.load(d3), a31 = v128.load(d3 + 16);
        let pv = a + f(t0 * m + i0);
        let pz = b + f(t0 * n + o0);
        for (let t = 0; t < tn; t++) {
          const z0 = v128.load(pz), z1 = v128.load(pz + 16);
          const s0 = v128.load32_splat(pv), s1 = v128.load32_splat(pv + 4), s2 = v128.load32_splat(pv + 8), s3 = v128.load32_splat(pv + 12);
          a00 = f32x4.add(a00, f32x4.mul(s0, z0)); a01 = f32x4.add(a01, f32x4.mul(s0, z1));
          a10 = f32x4.add(a10, f32x4.mul(s1, z0)); a11 = f32x4.add(a11, f32x4.mul(s1, z1));
          a20 = f32x4.add(a20, f32x4.mul(s2, z0)); a21 = f32x4.add(a21, f32x4.mul(s2, z1));
          a30 = f32x4.add(a30, f32x4.mul(s3, z0)); a31 = f32x4.add(a31, f32x4.mul(s3, z1));
          pv += as;
          pz += bs;
        }
        v128.store(d0, a00); v128.store(d0 + 16, a01); v128.store(d1, a10); v128.store(d1 + 16, a11);
        v128.store(d2, a20); v128.store(d2 + 16, a21); v128.store(d3, a30); v128.store(d3 + 16, a31);
      }
      if (o0 < n) {
        const d0 = c + f(i0 * n + o0);
        const d1 = d0 + bs, d2 = d1 + bs, d3 = d2 + bs;
        let a0 = v128.load(d0), a1 = v128.load(d1), a2 = v128.load(d2), a3 = v128.load(d3);
        let pv = a + f(t0 * m + i0);
        let pz = b + f(t0 * n + o0);
        for (let t = 0; t < tn; t++) {
          const z0 = v128.load(pz);
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(pv), z0));
          a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(pv + 4), z0));
          a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(pv + 8), z0));
          a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(pv + 12), z0));
          pv += as;
          pz += bs;
        }
        v128.store(d0, a0); v128.store(d1, a1); v128.store(d2, a2); v128.store(d3, a3);
      }
    }
  }
}

/** M[xi] [T, co] = V[xi] [T, ci] @ U[xi] [ci, co]: the forward pass's 16 products. */
export function winoGemm(vTab: usize, uTab: usize, mTab: usize, T: i32, ci: i32, co: i32): void {
  for (let xi = 0; xi < 16; xi++) gemmNN(tabAt(vTab, xi), tabAt(uTab, xi), tabAt(mTab, xi), T, ci, co);
}

/** C [m, n] = A [m, k] @ B [k, n] (m, n multiples of 4): blocks of 4 x 8 (or 4 x 4 at the end) accumulators in registers. */
export function gemmNN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const as = f(k);
  const bs = f(n);
  for (let r0 = 0; r0 < m; r0 += 4) {
    const p0 = a + f(r0 * k);
    const p1 = p0 + as, p2 = p1 + as, p3 = p2 + as;
    const d0 = c + f(r0 * n);
    const d1 = d0 + bs, d2 = d1 + bs, d3 = d2 + bs;
    let o0 = 0;
    for (; o0 + 8 <= n; o0 += 8) {
      let a00 = ZERO, a01 = ZERO, a10 = ZERO, a11 = ZERO, a20 = ZERO, a21 = ZERO, a30 = ZERO, a31 = ZERO;
      let pb = b + f(o0);
      for (let q = 0; q < k; q++) {
        const z0 = v128.load(pb), z1 = v128.load(pb + 16);
        const qo = f(q);
        const s0 = v128.load32_splat(p0 + qo), s1 = v128.load32_splat(p1 + qo), s2 = v128.load32_splat(p2 + qo), s3 = v128.load32_splat(p3 + qo);
        a00 = f32x4.add(a00, f32x4.mul(s0, z0)); a01 = f32x4.add(a01, f32x4.mul(s0, z1));
        a10 = f32x4.add(a10, f32x4.mul(s1, z0)); a11 = f32x4.add(a11, f32x4.mul(s1, z1));
        a20 = f32x4.add(a20, f32x4.mul(s2, z0)); a21 = f32x4.add(a21, f32x4.mul(s2, z1));
        a30 = f32x4.add(a30, f32x4.mul(s3, z0)); a31 = f32x4.add(a31, f32x4.mul(s3, z1));
        pb += bs;
      }
      const oo = f(o0);
      v128.store(d0 + oo, a00); v128.store(d0 + oo + 16, a01); v128.store(d1 + oo, a10); v128.store(d1 + oo + 16, a11);
      v128.store(d2 + oo, a20); v128.store(d2 + oo + 16, a21); v128.store(d3 + oo, a30); v128.store(d3 + oo + 16, a31);
    }
    if (o0 < n) {
      let a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO;
      let pb = b + f(o0);
      for (let q = 0; q < k; q++) {
        const z0 = v128.load(pb);
        const qo = f(q);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p0 + qo), z0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(p1 + qo), z0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(p2 + qo), z0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(p3 + qo), z0));
        pb += bs;
      }
      const oo = f(o0);
      v128.store(d0 + oo, a0); v128.store(d1 + oo, a1); v128.store(d2 + oo, a2); v128.store(d3 + oo, a3);
    }
  }
}

/**
 * A small convolution's im2col, rows padded to a multiple of 4: col [n * oh * ow, rp] with
 * col[(b * oh + y) * ow + xx, (ky * fw + kx) * c + ch] = x[b, y + ky - top, xx + kx - left, ch] (0 outside x
 * and in the padding columns past fh * fw * c). Then dW = col^T dy (gemmTN), for a conv with few input
 * channels (the lab's first layer: 3).
 */
export function im2colRows(x: usize, col: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32, top: i32, left: i32, oh: i32, ow: i32, rp: i32): void {
  let r = col;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let k = 0;
        for (let ky = 0; ky < fh; ky++) {
          const iy = y + ky - top;
          for (let kx = 0; kx < fw; kx++) {
            const ix = xx + kx - left;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              const s = x + f(((b * h + iy) * w + ix) * c);
              for (let ch = 0; ch < c; ch++) store<f32>(r + f(k + ch), load<f32>(s + f(ch)));
            } else {
              for (let ch = 0; ch < c; ch++) store<f32>(r + f(k + ch), 0);
            }
            k += c;
          }
        }
        for (; k < rp; k++) store<f32>(r + f(k), 0);
        r += f(rp);
      }
    }
  }
}

/** dg [3, 3, ci, co] = G^T dU G from dU[xi] [ci, co] (the 16 products of the filter gradient). */
export function winoFilterGrad(tab: usize, dg: usize, ci: i32, co: i32): void {
  // G^T rows (ky): [1, .5, .5, 0], [0, .5, -.5, 0], [0, .5, .5, 1]
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o++) {
      const off = f(i * co + o);
      // rows p: u[p][q]
      let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s20: f32 = 0, s21: f32 = 0, s22: f32 = 0;
      for (let p = 0; p < 4; p++) {
        const u0 = load<f32>(tabAt(tab, 4 * p) + off);
        const u1 = load<f32>(tabAt(tab, 4 * p + 1) + off);
        const u2 = load<f32>(tabAt(tab, 4 * p + 2) + off);
        const u3 = load<f32>(tabAt(tab, 4 * p + 3) + off);
        // along q: kx = 0: u0 + (u1 + u2) / 2; 1: (u1 - u2) / 2; 2: (u1 + u2) / 2 + u3
        const hp = (u1 + u2) * 0.5;
        const hm = (u1 - u2) * 0.5;
        const c0 = u0 + hp, c1 = hm, c2 = hp + u3;
        if (p == 0) { s00 += c0; s01 += c1; s02 += c2; }
        else if (p == 1) { s00 += 0.5 * c0; s01 += 0.5 * c1; s02 += 0.5 * c2; s10 += 0.5 * c0; s11 += 0.5 * c1; s12 += 0.5 * c2; s20 += 0.5 * c0; s21 += 0.5 * c1; s22 += 0.5 * c2; }
        else if (p == 2) { s00 += 0.5 * c0; s01 += 0.5 * c1; s02 += 0.5 * c2; s10 -= 0.5 * c0; s11 -= 0.5 * c1; s12 -= 0.5 * c2; s20 += 0.5 * c0; s21 += 0.5 * c1; s22 += 0.5 * c2; }
        else { s20 += c0; s21 += c1; s22 += c2; }
      }
      const s = f(ci * co);
      const d = dg + f(i * co + o);
      store<f32>(d, s00); store<f32>(d + s, s01); store<f32>(d + 2 * s, s02);
      store<f32>(d + 3 * s, s10); store<f32>(d + 4 * s, s11); store<f32>(d + 5 * s, s12);
      store<f32>(d + 6 * s, s20); store<f32>(d + 7 * s, s21); store<f32>(d + 8 * s, s22);
    }
  }
}
