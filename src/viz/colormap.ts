/**
 * The perceptual colormap of every heatmap: a 256-entry lookup table sampled once from
 * d3-scale-chromatic's viridis, so drawing a map is one table read per pixel.
 */
import { interpolateViridis } from 'd3-scale-chromatic';

export const LUT_SIZE = 256;

/** "#rrggbb" or "rgb(r, g, b)" -> [r, g, b]. */
export function parseCssColor(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css.trim());
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(css.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`unsupported colour "${css}"`);
}

/** An opaque colour as one 32-bit word in this platform's byte order (for a Uint32Array over RGBA bytes). */
export function packRgb(r: number, g: number, b: number): number {
  const word = new Uint32Array(1);
  new Uint8Array(word.buffer).set([r, g, b, 255]);
  return word[0];
}

export function packCss(css: string): number {
  return packRgb(...parseCssColor(css));
}

let viridis: Uint32Array | null = null;

/** Viridis as packed RGBA words, index 0 = lowest value, 255 = highest. Built on first use. */
export function viridisLut(): Uint32Array {
  if (!viridis) {
    const bytes = new Uint8ClampedArray(LUT_SIZE * 4);
    for (let i = 0; i < LUT_SIZE; i++) {
      const [r, g, b] = parseCssColor(interpolateViridis(i / (LUT_SIZE - 1)));
      bytes.set([r, g, b, 255], i * 4);
    }
    viridis = new Uint32Array(bytes.buffer);
  }
  return viridis;
}
