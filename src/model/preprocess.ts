/**
 * Image -> model input, identical in the browser and in Node.
 *
 * Two rules, a property of each model (metadata `crop`):
 * - no crop (the Imagenette models): the whole image resized to S x S;
 * - centre crop (the authors' ImageNet evaluation, torchvision `Resize(floor(S / pct))` +
 *   `CenterCrop(S)`): the shorter side resized to floor(S / pct), the other to
 *   int(that * long / short), then the centre S x S.
 * Resizing is PIL's bilinear filter, which widens its support when shrinking (antialiasing) and
 * rounds to 8 bits between the horizontal and the vertical pass. This is a port of that filter
 * in 22-bit fixed point, so the browser, the CLI and the PyTorch reference see the same pixels
 * (up to JPEG decoding).
 */

export const PREPROCESSING = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  /** Bilinear filter support in input pixels at scale 1 (PIL's BILINEAR). */
  filterSupport: 1,
  precisionBits: 32 - 8 - 2,
  /** Sides the UI offers; the models are fully convolutional. */
  minSize: 96,
  maxSize: 320,
} as const;

/** RGBA (or RGB) 8-bit pixels, row-major, as from ImageData or an image decoder. */
export interface PixelBuffer {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
  /** Bytes per pixel: 4 for RGBA (ImageData), 3 for RGB. */
  readonly channels: 3 | 4;
}

/** torchvision's evaluation transform: resize the shorter side to floor(S / pct), crop the centre S x S. */
export interface CenterCrop {
  readonly mode: 'center';
  /** Fraction of the resized shorter side the crop keeps (0.875 for the authors' 224 / 256). */
  readonly pct: number;
}

/** How pixels become an S x S input: a centre crop, or null for resizing the whole image to S x S. */
export type CropRule = CenterCrop | null;

/** The authors' ImageNet evaluation: 224 of 256. */
export const IMAGENET_CENTER_CROP: CenterCrop = { mode: 'center', pct: 0.875 };

/** A crop rule from untrusted metadata or a command line; throws a clear message otherwise. */
export function checkCrop(crop: unknown): CropRule {
  if (crop === null || crop === undefined) return null;
  const c = crop as Partial<CenterCrop>;
  if (c.mode !== 'center' || typeof c.pct !== 'number' || !(c.pct > 0 && c.pct <= 1)) {
    throw new Error(`a crop must be { "mode": "center", "pct": p } with 0 < p <= 1, got ${JSON.stringify(crop)}`);
  }
  return { mode: 'center', pct: c.pct };
}

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop uses it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The resized size before the crop: shorter side floor(S / pct), the other int(that * long / short), as torchvision. */
export function centerCropResize(width: number, height: number, size: number, crop: CenterCrop): { width: number; height: number } {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newShort = Math.floor(size / crop.pct);
  const newLong = Math.trunc((newShort * long) / short);
  return width <= height ? { width: newShort, height: newLong } : { width: newLong, height: newShort };
}

interface Coefficients {
  readonly bounds: Int32Array; // [min, count] per output pixel
  readonly weights: Int32Array; // fixed-point, `stride` per output pixel
  readonly stride: number;
}

const coefficientCache = new Map<string, Coefficients>();

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const key = `${inSize}>${outSize}`;
  const cached = coefficientCache.get(key);
  if (cached) return cached;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = PREPROCESSING.filterSupport * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * stride);
  const one = 1 << PREPROCESSING.precisionBits;
  const k = new Float64Array(stride);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const count = xmax - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? k[x] / total : 0;
      weights[xx * stride + x] = Math.trunc(w < 0 ? -0.5 + w * one : 0.5 + w * one);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  const result = { bounds, weights, stride };
  if (coefficientCache.size > 64) coefficientCache.clear();
  coefficientCache.set(key, result);
  return result;
}

const clip8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : v);

/** Resize to `size` x `size` RGB bytes exactly as PIL's `Image.resize((S, S), BILINEAR)`. */
export function resizeRgb(src: PixelBuffer, size: number): Uint8Array {
  return resizeRgbTo(src, size, size);
}

/** Resize to `outWidth` x `outHeight` RGB bytes exactly as PIL's `Image.resize((W, H), BILINEAR)`. */
export function resizeRgbTo(src: PixelBuffer, outWidth: number, outHeight: number): Uint8Array {
  const { width, height, data, channels } = src;
  if (!(outWidth >= 1 && outHeight >= 1)) throw new Error(`cannot resize to ${outWidth} x ${outHeight}`);
  if (width < 1 || height < 1) throw new Error('the image has no pixels');
  const shift = PREPROCESSING.precisionBits;
  const half = 1 << (shift - 1);
  const div = 2 ** shift;
  // Horizontal pass (skipped when the width does not change), rounding to 8 bits like PIL.
  let rows: Uint8Array;
  if (width === outWidth) {
    rows = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < width * height; i++, j += channels) {
      rows[i * 3] = data[j];
      rows[i * 3 + 1] = data[j + 1];
      rows[i * 3 + 2] = data[j + 2];
    }
  } else {
    const c = coefficients(width, outWidth);
    rows = new Uint8Array(outWidth * height * 3);
    for (let y = 0; y < height; y++) {
      const rowBase = y * width * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = c.bounds[xx * 2];
        const count = c.bounds[xx * 2 + 1];
        let r = half, g = half, b = half;
        for (let x = 0; x < count; x++) {
          const w = c.weights[xx * c.stride + x];
          const p = rowBase + (xmin + x) * channels;
          r += data[p] * w;
          g += data[p + 1] * w;
          b += data[p + 2] * w;
        }
        const o = (y * outWidth + xx) * 3;
        rows[o] = clip8(Math.floor(r / div));
        rows[o + 1] = clip8(Math.floor(g / div));
        rows[o + 2] = clip8(Math.floor(b / div));
      }
    }
  }
  if (height === outHeight) return rows;
  const c = coefficients(height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * 3);
  const rowLen = outWidth * 3;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.bounds[yy * 2];
    const count = c.bounds[yy * 2 + 1];
    for (let i = 0; i < rowLen; i++) {
      let acc = half;
      for (let y = 0; y < count; y++) acc += rows[(ymin + y) * rowLen + i] * c.weights[yy * c.stride + y];
      out[yy * rowLen + i] = clip8(Math.floor(acc / div));
    }
  }
  return out;
}

/** RGB bytes -> normalised NHWC float32 (RGB / 255, then (x - mean) / std); ImageNet's mean and std unless given. */
export function normalizeRgb(rgb: Uint8Array, normalization: { readonly mean: readonly number[]; readonly std: readonly number[] } = PREPROCESSING): Float32Array {
  const out = new Float32Array(rgb.length);
  const { mean, std } = normalization;
  for (let i = 0; i < rgb.length; i += 3) {
    for (let ch = 0; ch < 3; ch++) out[i + ch] = (rgb[i + ch] / 255 - mean[ch]) / std[ch];
  }
  return out;
}

/** The S x S window at torchvision CenterCrop's offsets (round half to even) of W x H RGB bytes. */
export function centerCropRgb(rgb: Uint8Array, width: number, height: number, size: number): Uint8Array {
  if (size > width || size > height) throw new Error(`cannot crop ${size} x ${size} from ${width} x ${height}`);
  const top = roundHalfEven((height - size) / 2);
  const left = roundHalfEven((width - size) / 2);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) out.set(rgb.subarray(((top + y) * width + left) * 3, ((top + y) * width + left + size) * 3), y * size * 3);
  return out;
}

/** Pixels -> the S x S RGB bytes the model sees, under the model's crop rule. */
export function modelInputRgb(src: PixelBuffer, size: number, crop: CropRule = null): Uint8Array {
  if (!crop) return resizeRgb(src, size);
  const resized = centerCropResize(src.width, src.height, size, crop);
  return centerCropRgb(resizeRgbTo(src, resized.width, resized.height), resized.width, resized.height, size);
}

/** The whole pipeline: pixels -> S x S normalised float32, HWC. */
export function preprocessPixels(src: PixelBuffer, size: number, crop: CropRule = null, normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] }): Float32Array {
  return normalizeRgb(modelInputRgb(src, size, crop), normalization);
}
