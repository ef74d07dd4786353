/**
 * Feature maps (HWC float32) -> colour pixels. Everything writes into a Uint32Array view of
 * RGBA bytes (an ImageData's buffer in the page, a plain array in tests): no DOM here.
 */

/** A stack of same-sized maps in HWC layout, batch dropped (what `model.features` returns). */
export interface MapStack {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** A pixel buffer to paint into: packed RGBA words, row-major. */
export interface PixelTarget {
  readonly pixels: Uint32Array;
  readonly width: number;
  readonly height: number;
}

export function createTarget(width: number, height: number): PixelTarget {
  return { pixels: new Uint32Array(width * height), width, height };
}

/** Min and max of every channel in one pass: [min0, max0, min1, max1, ...]. */
export function channelRanges(stack: MapStack): Float32Array {
  const { data, channels } = stack;
  const out = new Float32Array(channels * 2);
  for (let c = 0; c < channels; c++) {
    out[2 * c] = Infinity;
    out[2 * c + 1] = -Infinity;
  }
  for (let p = 0; p < data.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      const v = data[p + c];
      if (v < out[2 * c]) out[2 * c] = v;
      if (v > out[2 * c + 1]) out[2 * c + 1] = v;
    }
  }
  return out;
}

export function rangeOf(ranges: Float32Array, channel: number): ValueRange {
  return { min: ranges[2 * channel], max: ranges[2 * channel + 1] };
}

/** The range spanning several per-channel range tables (e.g. intrinsic and ghost maps together). */
export function sharedRange(...tables: Float32Array[]): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (const t of tables) {
    for (let i = 0; i < t.length; i += 2) {
      if (t[i] < min) min = t[i];
      if (t[i + 1] > max) max = t[i + 1];
    }
  }
  return { min, max };
}

/** Colormap index of a value; a constant map (max = min) gets the lowest colour. */
export function lutIndex(value: number, range: ValueRange, lutSize: number): number {
  const span = range.max - range.min;
  if (!(span > 0)) return 0;
  const i = Math.round(((value - range.min) / span) * (lutSize - 1));
  return i < 0 ? 0 : i >= lutSize ? lutSize - 1 : i;
}

/**
 * Paint one channel of a stack at (x0, y0), each activation as a scale x scale block.
 * Each output row is written once and then copied for the remaining scale - 1 rows.
 */
export function paintChannel(
  target: PixelTarget, x0: number, y0: number, scale: number,
  stack: MapStack, channel: number, range: ValueRange, lut: Uint32Array,
): void {
  const { data, height, width, channels } = stack;
  const px = target.pixels;
  const tw = target.width;
  const last = lut.length - 1;
  const span = range.max - range.min;
  const k = span > 0 ? last / span : 0;
  const min = range.min;
  for (let y = 0; y < height; y++) {
    const rowStart = (y0 + y * scale) * tw + x0;
    let o = rowStart;
    let p = y * width * channels + channel;
    for (let x = 0; x < width; x++, p += channels) {
      let i = Math.round((data[p] - min) * k);
      if (i < 0) i = 0;
      else if (i > last) i = last;
      const colour = lut[i];
      for (let d = 0; d < scale; d++) px[o++] = colour;
    }
    for (let d = 1; d < scale; d++) px.copyWithin(rowStart + d * tw, rowStart, rowStart + width * scale);
  }
}

export function fillRect(target: PixelTarget, x: number, y: number, w: number, h: number, colour: number): void {
  const x1 = Math.min(target.width, x + w);
  const y1 = Math.min(target.height, y + h);
  const x0 = Math.max(0, x);
  for (let yy = Math.max(0, y); yy < y1; yy++) target.pixels.fill(colour, yy * target.width + x0, yy * target.width + x1);
}

/** A rectangle outline of `thickness` drawn just outside (x, y, w, h). */
export function strokeOutside(target: PixelTarget, x: number, y: number, w: number, h: number, thickness: number, colour: number): void {
  const t = thickness;
  fillRect(target, x - t, y - t, w + 2 * t, t, colour);
  fillRect(target, x - t, y + h, w + 2 * t, t, colour);
  fillRect(target, x - t, y, t, h, colour);
  fillRect(target, x + w, y, t, h, colour);
}
