/** Checkpoint readers and the converter: every supported container gives the same tensors. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, validateGhostNet, type ParsedCheckpoint } from '../src/convert/checkpoint.ts';
import { convertCheckpoint, toFloat16Bits } from '../src/convert/convert.ts';
import { CheckpointError, unpickle, PyDict } from '../src/convert/pickle.ts';
import { buildNetworkSpec } from '../src/model/architecture.ts';
import { countParameters, expectedParameters, storedParameters } from '../src/model/parameters.ts';
import { CHECKPOINTS, FIXTURES } from './helpers.ts';

const bytes = (f: string) => new Uint8Array(readFileSync(path.join(CHECKPOINTS, f)));
const TINY = ['ghostnet_025_tiny_random.pth', 'ghostnet_025_tiny_random.legacy.pth', 'ghostnet_025_tiny_random.safetensors'];

describe('checkpoint containers', () => {
  let parsed: ParsedCheckpoint[] = [];
  beforeAll(async () => {
    parsed = await Promise.all(TINY.map((f) => parseCheckpoint(bytes(f))));
  });

  it('detects each format from the bytes', () => {
    expect(parsed.map((p) => p.format)).toEqual(['pytorch-zip', 'pytorch-legacy', 'safetensors']);
  });

  it('reads identical keys, shapes and values from zip, legacy and safetensors', () => {
    const [zip, ...others] = parsed;
    for (const other of others) {
      expect([...other.tensors.keys()]).toEqual([...zip.tensors.keys()]);
      for (const [k, t] of zip.tensors) {
        const o = other.tensors.get(k)!;
        expect(o.shape, k).toEqual(t.shape);
        expect(Buffer.from(o.values.buffer).equals(Buffer.from(t.values.buffer)), k).toBe(true);
      }
    }
  });

  it('infers width 0.25 and 10 classes for the tiny model, and every key is expected', () => {
    for (const p of parsed) {
      const v = validateGhostNet(p.tensors);
      expect(v.width).toBe(0.25);
      expect(v.numClasses).toBe(10);
      expect(p.tensors.size).toBe(expectedParameters(v.spec).length);
    }
  });

  it('infers width and classes of the trained and ImageNet-layout checkpoints; counts equal PyTorch\'s', async () => {
    // test/fixtures/parameter_counts.json: written by scripts/fixtures/make_fixtures.py (--counts) from each
    // checkpoint's state_dict in PyTorch (entries, elements, sum(p.numel() for p in model.parameters())).
    const torchCounts = JSON.parse(readFileSync(path.join(FIXTURES, 'parameter_counts.json'), 'utf8')) as {
      checkpoints: Record<string, { width: number; classes: number; stateDictEntries: number; stateDictElements: number; parameters: number }>;
    };
    const files = ['ghostnet_100_imagenette.safetensors', 'ghostnet_050_imagenette.safetensors', 'ghostnet_025_tiny_random.pth', 'ghostnet_100_imagenet1k_random_fp16.pth'];
    expect(Object.keys(torchCounts.checkpoints).sort()).toEqual([...files].sort());
    for (const file of files) {
      const torch = torchCounts.checkpoints[file];
      const { tensors } = await parseCheckpoint(bytes(file));
      const v = validateGhostNet(tensors);
      expect([file, v.width, v.numClasses]).toEqual([file, torch.width, torch.classes]);
      expect(countParameters(storedParameters(v.spec)), file).toBe(torch.parameters);
      expect(tensors.size, file).toBe(torch.stateDictEntries);
      expect([...tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0), file).toBe(torch.stateDictElements);
    }
  });

  it('unwraps {"state_dict": {"module.*": ...}} and reads float16 storages', async () => {
    const p = await parseCheckpoint(bytes('ghostnet_100_imagenet1k_random_fp16.pth'));
    expect(p.tensors.has('conv_stem.weight')).toBe(true);
    expect(p.tensors.get('conv_stem.weight')!.dtype).toBe('float16');
  });
});

describe('converter output', () => {
  it('float32: model.json manifest lists every stored parameter and the data is exact', async () => {
    const src = bytes('ghostnet_025_tiny_random.safetensors');
    const m = await convertCheckpoint(src, { sourceName: 'tiny.safetensors' });
    const spec = buildNetworkSpec(0.25, 10);
    expect(m.weightSpecs.map((w) => w.name)).toEqual(storedParameters(spec).map((p) => p.name));
    expect(m.weightData.byteLength).toBe(4 * storedParameters(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0));
    const first = (await parseCheckpoint(src)).tensors.get('conv_stem.weight')!.values;
    expect(new Float32Array(m.weightData, 0, first.length)).toEqual(first);
    expect(m.metadata.provenance.sourceFormat).toBe('safetensors');
    expect(m.metadata.provenance.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.metadata.classes.map((c) => c.id)[0]).toBe('n01440764');
  });

  it('float16: half the bytes, quantization recorded', async () => {
    const m = await convertCheckpoint(bytes('ghostnet_025_tiny_random.pth'), { float16: true });
    const m32 = await convertCheckpoint(bytes('ghostnet_025_tiny_random.pth'));
    expect(m.weightData.byteLength * 2).toBe(m32.weightData.byteLength);
    expect(m.weightSpecs.every((w) => w.quantization?.dtype === 'float16')).toBe(true);
    expect(m.metadata.storage).toBe('float16');
  });

  it('float16 encoding rounds to nearest even like IEEE (checked on known values)', () => {
    const v = new Float32Array([0, -0, 1, -2, 65504, 1e6, 5.960464477539063e-8, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Number.NaN, 0.1]);
    expect([...toFloat16Bits(v)]).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x3c00, 0x3c02, 0x7e00, 0x2e66]);
  });

  it('reports progress up to 1', async () => {
    const seen: number[] = [];
    await convertCheckpoint(bytes('ghostnet_025_tiny_random.pth'), { onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('unpickler allow-list', () => {
  // protocol 2: GLOBAL 'builtins eval', then a tuple with a string, REDUCE, STOP
  const evil = new Uint8Array([0x80, 0x02, ...Buffer.from('cbuiltins\neval\n'), 0x58, 4, 0, 0, 0, ...Buffer.from('1+1;'), 0x85, 0x52, 0x2e]);
  it('refuses a global that is not on the list, naming it', () => {
    expect(() => unpickle(evil, 0, { globals: new Map() })).toThrowError(/"builtins\.eval"/);
  });
  it('builds plain data for allowed constructs', () => {
    const dict = new Uint8Array([0x80, 0x02, 0x7d, 0x58, 1, 0, 0, 0, 0x61, 0x4b, 7, 0x73, 0x2e]); // {'a': 7}
    const { value } = unpickle(dict, 0, { globals: new Map() });
    expect(value).toBeInstanceOf(PyDict);
    expect((value as PyDict).map.get('a')).toBe(7);
  });
  it('rejects unknown opcodes and truncation with a CheckpointError', () => {
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0xff]), 0, { globals: new Map() })).toThrow(CheckpointError);
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x58, 10, 0, 0, 0, 0x61]), 0, { globals: new Map() })).toThrow(/truncated/);
  });
});
