/** The backend choice as pure decisions: renderers, the plan, the probe's verdict, remembered choices. */
import { describe, expect, it } from 'vitest';
import { SOFTWARE_RENDERERS, decideAfterProbe, formatRatio, loadBackendChoice, planBackend, saveBackendChoice, shouldProbe, softwareRenderer } from '../src/runtime/backend-choice.ts';

describe('software renderers', () => {
  it('recognises the CPU rasterisers in the renderer strings browsers report', () => {
    const seen: [string, string][] = [
      ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
      ['Google SwiftShader', 'SwiftShader'],
      ['llvmpipe (LLVM 15.0.6, 256 bits)', 'llvmpipe'],
      ['ANGLE (Mesa, llvmpipe (LLVM 12.0.0, 256 bits), OpenGL 4.5)', 'llvmpipe'],
      ['softpipe', 'softpipe'],
      ['ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Microsoft Basic Render Driver'],
      ['GDI Generic', 'GDI Generic'],
      ['Apple Software Renderer', 'Apple Software Renderer'],
      ['ANGLE (Mesa, lavapipe (LLVM 15.0.7, 256 bits), Vulkan 1.3)', 'lavapipe'],
    ];
    for (const [renderer, name] of seen) expect(softwareRenderer(renderer), renderer).toBe(name);
  });

  it('leaves real GPUs alone', () => {
    for (const renderer of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)',
      'Adreno (TM) 650',
      'Mali-G78',
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'Apple GPU',
      'unknown WebGL renderer',
    ]) expect(softwareRenderer(renderer), renderer).toBeNull();
  });

  it('is a list of names and patterns (data, not code)', () => {
    expect(SOFTWARE_RENDERERS.length).toBeGreaterThanOrEqual(4);
    for (const r of SOFTWARE_RENDERERS) expect(r.pattern.test(r.name)).toBe(true);
  });
});

describe('the plan', () => {
  it('puts ?backend= over the remembered choice over WebGL', () => {
    expect(planBackend('cpu', 'webgl')).toEqual({ start: 'cpu', source: 'query' });
    expect(planBackend(null, 'webgl')).toEqual({ start: 'webgl', source: 'remembered' });
    expect(planBackend(null, null)).toEqual({ start: 'webgl', source: 'auto' });
  });

  it('probes only its own WebGL choice, and only on a software renderer', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)';
    expect(shouldProbe({ start: 'webgl', source: 'auto' }, 'webgl', swiftshader)).toBe(true);
    expect(shouldProbe({ start: 'webgl', source: 'auto' }, 'webgl', 'Adreno (TM) 650')).toBe(false);
    // WebGL missing: the start already fell back to wasm; nothing to compare.
    expect(shouldProbe({ start: 'webgl', source: 'auto' }, 'wasm', 'WebAssembly on the CPU')).toBe(false);
    for (const source of ['query', 'user', 'remembered'] as const) expect(shouldProbe({ start: 'webgl', source }, 'webgl', swiftshader)).toBe(false);
  });
});

describe("the probe's verdict", () => {
  it('runs on wasm when wasm is faster, and says by how much', () => {
    const d = decideAfterProbe({ webglMs: 46.2, wasmMs: 2.1 });
    expect(d.backend).toBe('wasm');
    expect(d.ratio).toBeCloseTo(22, 5);
    expect(d.reason).toBe('WebGL here is software-rendered; wasm is 22 x faster on this device');
    expect(decideAfterProbe({ webglMs: 9, wasmMs: 2.5 }).reason).toBe('WebGL here is software-rendered; wasm is 3.6 x faster on this device');
  });

  it('stays on WebGL when it measured faster, even if software-rendered', () => {
    expect(decideAfterProbe({ webglMs: 2, wasmMs: 3 })).toEqual({ backend: 'webgl', ratio: 2 / 3, reason: null });
    expect(decideAfterProbe({ webglMs: 3, wasmMs: 3 }).backend).toBe('webgl');
  });

  it('formats the ratio with one decimal below 10', () => {
    expect(formatRatio(1.04)).toBe('1.0');
    expect(formatRatio(9.94)).toBe('9.9');
    expect(formatRatio(12.6)).toBe('13');
  });
});

describe('the remembered choice', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  };

  it('round-trips and ignores anything that is not a backend', () => {
    const s = memory();
    expect(loadBackendChoice(s, 'k')).toBeNull();
    saveBackendChoice(s, 'k', 'webgl');
    expect(loadBackendChoice(s, 'k')).toBe('webgl');
    s.setItem('k', 'webgpu');
    expect(loadBackendChoice(s, 'k')).toBeNull();
  });

  it('survives storage that throws (private mode) or is missing', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(loadBackendChoice(broken, 'k')).toBeNull();
    expect(() => saveBackendChoice(broken, 'k', 'wasm')).not.toThrow();
    expect(loadBackendChoice(null, 'k')).toBeNull();
  });
});
