/**
 * Pixels -> embedding and thumbnail, for webcam frames and photos alike: the app's own input
 * pipeline (the same PIL-exact resize and normalisation as Classify and the CLI), at the taught
 * set's size and crop. The thumbnail is drawn from the model's input bytes on two canvases made
 * once and reused.
 */
import { GHOSTNET_PIPELINE, inputTensor } from '../input/pipeline.ts';
import type { AnyModel, CropRule, PixelBuffer } from '../../model/index.ts';
import { TEACH_SETTINGS } from './teachSettings.ts';

let busy = false;

/** An embedding is being computed: webcam frames are skipped, never queued. */
export function embedderBusy(): boolean {
  return busy;
}

let inputCanvas: HTMLCanvasElement | null = null;
let thumbCanvas: HTMLCanvasElement | null = null;

function thumbnailOf(rgb: Uint8Array, size: number): string {
  inputCanvas ??= document.createElement('canvas');
  thumbCanvas ??= document.createElement('canvas');
  if (inputCanvas.width !== size || inputCanvas.height !== size) {
    inputCanvas.width = size;
    inputCanvas.height = size;
  }
  const t = TEACH_SETTINGS.thumbnailSize;
  if (thumbCanvas.width !== t) {
    thumbCanvas.width = t;
    thumbCanvas.height = t;
  }
  const ctx = inputCanvas.getContext('2d');
  const tctx = thumbCanvas.getContext('2d');
  if (!ctx || !tctx) return '';
  const image = ctx.createImageData(size, size);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    image.data[j] = rgb[i];
    image.data[j + 1] = rgb[i + 1];
    image.data[j + 2] = rgb[i + 2];
    image.data[j + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  tctx.imageSmoothingQuality = 'high';
  tctx.drawImage(inputCanvas, 0, 0, t, t);
  return thumbCanvas.toDataURL('image/jpeg', TEACH_SETTINGS.thumbnailQuality);
}

export interface Embedded {
  readonly embedding: Float32Array;
  readonly thumbnail: string;
}

export async function embedPixels(model: AnyModel, pixels: PixelBuffer, input: { size: number; crop: CropRule }, withThumbnail: boolean): Promise<Embedded> {
  busy = true;
  try {
    const rgb = GHOSTNET_PIPELINE.resize(pixels, input.size, input.crop);
    const x = inputTensor(GHOSTNET_PIPELINE, rgb, input.size, model.normalization);
    let embedding: Float32Array;
    try {
      embedding = await model.embed(x);
    } finally {
      x.dispose();
    }
    return { embedding, thumbnail: withThumbnail ? thumbnailOf(rgb, input.size) : '' };
  } finally {
    busy = false;
  }
}
