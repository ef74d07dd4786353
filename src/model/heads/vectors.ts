/** Small vector helpers for the heads (plain JavaScript: a head's work per frame is a few dot products). */

/** `v / |v|` in float64 (a zero vector stays zero). */
export function normalized(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** softmax(scale * x), stable; entries of -Infinity get 0. */
export function softmax(x: ArrayLike<number>, scale = 1): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  const out = new Float32Array(x.length);
  if (max === -Infinity) return out;
  let sum = 0;
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    e[i] = x[i] === -Infinity ? 0 : Math.exp(scale * (x[i] - max));
    sum += e[i];
  }
  for (let i = 0; i < x.length; i++) out[i] = e[i] / sum;
  return out;
}

/** Index of the largest value; the first (lowest index) on ties; -1 when every value is -Infinity or NaN. */
export function argmax(x: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < x.length; i++) if (x[i] > (best < 0 ? -Infinity : x[best])) best = i;
  return best;
}
