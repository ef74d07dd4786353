/** The backend choice as pure decisions: renderers, the plan, the probe's verdict, remembered choices. */
import { describe, expect, it } from 'vitest';
import {
  SOFTWARE_RENDERERS, decideAfterProbe, formatRatio, loadBackendChoice, planBackend, saveBackendChoice, shouldProbe, softwareRenderer, startPlannedBackend,
  type ProbeFigures, type ProbeResult, type StartedBackend,
} from '../src/runtime/backend-choice.ts';
import type { BackendName } from '../src/runtime/backend-names.ts';

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

describe('starting the planned backend, with the probe\'s timings injected', () => {
  const SWIFTSHADER = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)';
  /** Stand-ins for TF.js: WebGL on `renderer`; every start and every event recorded. */
  function rig(renderer: string, probe: () => Promise<ProbeResult>) {
    const log: string[] = [];
    let figures: ProbeFigures | null = null;
    const start = async (name: BackendName): Promise<StartedBackend> => {
      log.push(`start ${name}`);
      return { name, renderer: name === 'webgl' ? renderer : 'WebAssembly on the CPU', fallbackReason: null };
    };
    const deps = {
      start, probe: async () => { log.push('probe'); return probe(); },
      probing: (on: boolean) => void log.push(`probing ${on}`),
      probed: (f: ProbeFigures) => { figures = f; log.push('probed'); },
    };
    return { deps, log, figures: () => figures };
  }

  it('WebGL measured faster: it stays on WebGL, with the figures and no reason', async () => {
    const r = rig(SWIFTSHADER, async () => ({ webglMs: 4, wasmMs: 10 }));
    const out = await startPlannedBackend({ start: 'webgl', source: 'auto' }, r.deps);
    expect(out).toEqual({ info: { name: 'webgl', renderer: SWIFTSHADER, fallbackReason: null }, notice: null });
    expect(r.figures()).toEqual({ webglMs: 4, wasmMs: 10, ratio: 0.4 });
    expect(r.log).toEqual(['start webgl', 'probing true', 'probe', 'probed', 'start webgl', 'probing false']);
  });

  it('wasm measured faster: it runs on wasm and says by how much', async () => {
    const r = rig(SWIFTSHADER, async () => ({ webglMs: 30, wasmMs: 4 }));
    const out = await startPlannedBackend({ start: 'webgl', source: 'auto' }, r.deps);
    expect(out).toEqual({
      info: { name: 'wasm', renderer: 'WebAssembly on the CPU', fallbackReason: 'WebGL here is software-rendered; wasm is 7.5 x faster on this device' },
      notice: null,
    });
    expect(r.figures()).toEqual({ webglMs: 30, wasmMs: 4, ratio: 7.5 });
    expect(r.log).toEqual(['start webgl', 'probing true', 'probe', 'probed', 'start wasm', 'probing false']);
  });

  it('no probe on a GPU or for a choice made by the URL or the user, whatever the timings would say', async () => {
    for (const [plan, renderer] of [
      [{ start: 'webgl', source: 'auto' }, 'Adreno (TM) 650'],
      [{ start: 'webgl', source: 'query' }, SWIFTSHADER],
      [{ start: 'webgl', source: 'remembered' }, SWIFTSHADER],
      [{ start: 'wasm', source: 'user' }, SWIFTSHADER],
    ] as const) {
      const r = rig(renderer, async () => ({ webglMs: 100, wasmMs: 1 }));
      const out = await startPlannedBackend(plan, r.deps);
      expect(out.info.name).toBe(plan.start);
      expect(out.notice).toBeNull();
      expect(r.log).toEqual([`start ${plan.start}`]);
    }
  });

  it('a probe that fails leaves the planned backend, saying so', async () => {
    const r = rig(SWIFTSHADER, async () => { throw new Error('context lost'); });
    const out = await startPlannedBackend({ start: 'webgl', source: 'auto' }, r.deps);
    expect(out).toEqual({
      info: { name: 'webgl', renderer: SWIFTSHADER, fallbackReason: null },
      notice: 'The WebGL-vs-wasm speed check failed (context lost); running on webgl.',
    });
    expect(r.figures()).toBeNull();
    expect(r.log).toEqual(['start webgl', 'probing true', 'probe', 'start webgl', 'probing false']);
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
    saveBackendChoice(s, 'k', 'webgpu');
    expect(loadBackendChoice(s, 'k')).toBe('webgpu');
    s.setItem('k', 'metal');
    expect(loadBackendChoice(s, 'k')).toBeNull();
  });

  it('survives storage that throws (private mode) or is missing', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(loadBackendChoice(broken, 'k')).toBeNull();
    expect(() => saveBackendChoice(broken, 'k', 'wasm')).not.toThrow();
    expect(loadBackendChoice(null, 'k')).toBeNull();
  });
});
