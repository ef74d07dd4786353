/**
 * The authors' ImageNet preprocessing (torchvision Resize(floor(S / 0.875)) + CenterCrop(S)) against
 * torchvision itself, on non-square photos: the model input bytes, then probabilities through the CLI.
 * Reference made by scripts/fixtures/make_imagenet_fixtures.py.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/node/images.ts';
import { metadataFromArtifacts } from '../src/model/format.ts';
import { IMAGENET_CENTER_CROP, centerCropResize, modelInputRgb, roundHalfEven } from '../src/model/preprocess.ts';
import { convertCheckpoint } from '../src/convert/convert.ts';
import { CHECKPOINTS, FIXTURES, SHIPPED, maxAbsDiff, runCli } from './helpers.ts';

interface CropReference {
  photos: Record<string, { width: number; height: number; sizes: Record<string, { rgb_file: string; probabilities: Record<string, number[]> }> }>;
}
const ref: CropReference = JSON.parse(readFileSync(path.join(FIXTURES, 'crop_reference.json'), 'utf8'));
const PHOTOS = path.join(FIXTURES, 'photos');
const IMAGENET_FP32 = path.join(FIXTURES, 'imagenet', 'ghostnet_100_imagenet1k_from_imagenette.safetensors');
const jsonLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));

describe('centre-crop geometry', () => {
  it("rounds halves to even like Python's round", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, 60.5, 61.5, 2.4, 2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, 60, 62, 2, 3, 7]);
  });

  it("resizes the shorter side to floor(S / pct) and the other to int(that * long / short), as torchvision", () => {
    expect(centerCropResize(334, 224, 224, IMAGENET_CENTER_CROP)).toEqual({ width: 381, height: 256 });
    expect(centerCropResize(200, 301, 160, IMAGENET_CENTER_CROP)).toEqual({ width: 182, height: 273 });
    expect(centerCropResize(500, 500, 224, IMAGENET_CENTER_CROP)).toEqual({ width: 256, height: 256 });
  });
});

describe('centre-crop preprocessing equals torchvision on non-square photos', () => {
  for (const [photo, info] of Object.entries(ref.photos)) {
    it(`${photo} (${info.width} x ${info.height}) at 224 and 160 px: identical input bytes`, async () => {
      const pixels = await decodeImage(new Uint8Array(readFileSync(path.join(PHOTOS, photo))), photo);
      expect([pixels.width, pixels.height]).toEqual([info.width, info.height]);
      for (const [size, entry] of Object.entries(info.sizes)) {
        const want = new Uint8Array(readFileSync(path.join(FIXTURES, entry.rgb_file)));
        const ours = modelInputRgb(pixels, Number(size), IMAGENET_CENTER_CROP);
        expect(ours.length).toBe(want.length);
        expect(maxAbsDiff(ours, want), `${photo} at ${size}`).toBe(0);
      }
    });
  }

  it('the whole-image rule (no crop) differs from the crop on a non-square photo', async () => {
    const photo = 'wide_church.jpg';
    const pixels = await decodeImage(new Uint8Array(readFileSync(path.join(PHOTOS, photo))), photo);
    expect(maxAbsDiff(modelInputRgb(pixels, 224, null), modelInputRgb(pixels, 224, IMAGENET_CENTER_CROP))).toBeGreaterThan(50);
  });
});

describe('classify --json --crop 0.875 against PyTorch probabilities (float32 models)', () => {
  const photos = Object.keys(ref.photos);
  for (const size of [224, 160]) {
    it(`Imagenette 1.0x fp32 checkpoint at ${size} px: all 10 probabilities within 1e-3`, () => {
      const r = runCli(['classify', path.join(CHECKPOINTS, 'ghostnet_100_imagenette.safetensors'), ...photos.map((p) => path.join(PHOTOS, p)), '--crop', '0.875', '--size', String(size), '--top', '10', '--json']);
      expect(r.status, r.stderr).toBe(0);
      const out = jsonLines(r.stdout);
      expect(out.map((o) => path.basename(o.file))).toEqual(photos);
      for (const o of out) {
        expect(o.crop).toEqual({ mode: 'center', pct: 0.875 });
        const want = ref.photos[path.basename(o.file)].sizes[String(size)].probabilities.ghostnet_100_imagenette;
        const got = new Array(10).fill(NaN);
        for (const p of o.predictions) got[p.index] = p.probability;
        expect(maxAbsDiff(got, want), o.file).toBeLessThan(1e-3);
        expect(Object.keys(o.predictions[0]).sort()).toEqual(['id', 'index', 'label', 'probability']);
      }
    });
  }

  it('a model converted from a 1000-class checkpoint uses the crop without the flag (224 px, top-5 within 1e-3)', () => {
    const r = runCli(['classify', IMAGENET_FP32, ...photos.map((p) => path.join(PHOTOS, p)), '--json']);
    expect(r.status, r.stderr).toBe(0);
    for (const o of jsonLines(r.stdout)) {
      expect(o.size).toBe(224);
      expect(o.crop).toEqual({ mode: 'center', pct: 0.875 });
      const want = ref.photos[path.basename(o.file)].sizes['224'].probabilities.ghostnet_100_imagenet1k_from_imagenette_fp32;
      expect(o.predictions).toHaveLength(5);
      for (const p of o.predictions) expect(Math.abs(p.probability - want[p.index]), `${o.file} class ${p.index}`).toBeLessThan(1e-3);
      const top = [...want.keys()].sort((a, b) => want[b] - want[a]).slice(0, 5);
      expect(o.predictions.map((p: { index: number }) => p.index)).toEqual(top);
    }
  });

  it('--crop none turns the crop off, and a bad --crop is a usage error', () => {
    const photo = path.join(PHOTOS, 'wide_church.jpg');
    const none = runCli(['classify', path.join(SHIPPED, 'ghostnet_100_imagenette'), photo, '--crop', 'none', '--json']);
    expect(none.status, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).crop).toBeNull();
    for (const bad of ['0', '1.5', 'centre', '']) {
      const r = runCli(['classify', path.join(SHIPPED, 'ghostnet_100_imagenette'), photo, '--crop', bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^error: --crop must be/);
    }
  });
});

describe('the crop is a property of the model', () => {
  it('converted 1000-class checkpoints get the centre crop; 10-class ones and the shipped models resize the whole image', async () => {
    const imagenet = await convertCheckpoint(new Uint8Array(readFileSync(IMAGENET_FP32)));
    expect(imagenet.metadata.crop).toEqual({ mode: 'center', pct: 0.875 });
    expect(imagenet.metadata.inputSize).toBe(224);
    const nette = await convertCheckpoint(new Uint8Array(readFileSync(path.join(CHECKPOINTS, 'ghostnet_050_imagenette.safetensors'))));
    expect(nette.metadata.crop).toBeNull();
    const shipped = JSON.parse(readFileSync(path.join(SHIPPED, 'ghostnet_100_imagenette', 'model.json'), 'utf8'));
    expect(metadataFromArtifacts(shipped.userDefinedMetadata).crop).toBeNull();
  });

  it('a model.json with an invalid crop is refused with a clear message', () => {
    const shipped = JSON.parse(readFileSync(path.join(SHIPPED, 'ghostnet_100_imagenette', 'model.json'), 'utf8'));
    shipped.userDefinedMetadata.ghostnet.crop = { mode: 'center', pct: 7 };
    expect(() => metadataFromArtifacts(shipped.userDefinedMetadata)).toThrow(/invalid crop/);
  });
});
