/** The backend choice as pure decisions: renderers, the plan, the background trial's verdict, remembered choices and verdicts. */
import { describe, expect, it } from 'vitest';
import {
  SOFTWARE_RENDERERS, decideUpgrade, formatRatio, hasVerdict, loadBackendChoice, loadVerdict, planAuto, planBackend, saveBackendChoice, saveVerdict,
  softwareRenderer, verdictFits, withPlanReason, type AdapterSurvey, type Verdict,
} from '../src/runtime/backend-choice.ts';

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
  const SWIFTSHADER = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)';
  const GPU = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)';
  const REAL_ADAPTER: AdapterSurvey = { available: true, software: false, description: 'nvidia ampere', identity: 'webgpu:nvidia|ampere||' };
  const SOFT_ADAPTER: AdapterSurvey = { available: true, software: true, description: 'google swiftshader (software)', identity: 'webgpu:google|swiftshader||:fallback' };

  it('puts ?backend= over the remembered choice over the app\'s own', () => {
    expect(planBackend('cpu', 'webgl')).toEqual({ start: 'cpu', source: 'query' });
    expect(planBackend('webgpu', null)).toEqual({ start: 'webgpu', source: 'query' });
    expect(planBackend(null, 'webgl')).toEqual({ start: 'webgl', source: 'remembered' });
    // The app's own: whatever `auto` plans; wasm at once when it has nothing to say.
    expect(planBackend(null, null)).toMatchObject({ start: 'wasm', source: 'auto', trial: true });
    const auto = planAuto({ webglRenderer: GPU }, null);
    expect(planBackend(null, null, () => auto)).toBe(auto);
    expect(planBackend('webgl', null, () => auto).source).toBe('query');
  });

  it('answers on wasm at once and tries WebGL in the background only on a real GPU', () => {
    expect(planAuto({ webglRenderer: GPU }, null)).toEqual({ start: 'wasm', source: 'auto', reason: null, candidates: ['webgl'], trial: true });
    for (const renderer of [SWIFTSHADER, 'llvmpipe (LLVM 15.0.6, 256 bits)', 'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)']) {
      const plan = planAuto({ webglRenderer: renderer }, null);
      expect(plan.start, renderer).toBe('wasm');
      expect(plan.candidates, renderer).toEqual([]);
      expect(plan.reason, renderer).toBe(`WebGL here is software-rendered (${softwareRenderer(renderer)}), so wasm is faster`);
    }
    expect(planAuto({ webglRenderer: null }, null)).toMatchObject({ start: 'wasm', candidates: [], reason: 'WebGL is not available in this browser' });
  });

  it('adds WebGPU only for a real adapter, never a software or fallback one', () => {
    expect(planAuto({ webglRenderer: GPU, webgpu: REAL_ADAPTER }, null).candidates).toEqual(['webgpu', 'webgl']);
    expect(planAuto({ webglRenderer: GPU, webgpu: SOFT_ADAPTER }, null).candidates).toEqual(['webgl']);
    expect(planAuto({ webglRenderer: SWIFTSHADER, webgpu: SOFT_ADAPTER }, null)).toMatchObject({ candidates: [], reason: expect.stringContaining('software-rendered') });
    expect(planAuto({ webglRenderer: GPU, webgpu: { ...REAL_ADAPTER, available: false } }, null).candidates).toEqual(['webgl']);
    // A real adapter where WebGL is software-rendered: WebGPU is still worth a trial, and nothing is said yet.
    expect(planAuto({ webglRenderer: SWIFTSHADER, webgpu: REAL_ADAPTER }, null)).toMatchObject({ start: 'wasm', candidates: ['webgpu'], reason: null });
  });

  it('follows a remembered verdict straight away, with no trial', () => {
    const verdict: Verdict = { webglRenderer: GPU, webgpuAdapter: null, userAgent: 'UA', appVersion: 'v1', backend: 'webgl', reason: null };
    expect(planAuto({ webglRenderer: GPU }, verdict)).toEqual({ start: 'webgl', source: 'auto', reason: null, candidates: [], trial: false });
    const wasm = { ...verdict, backend: 'wasm' as const, reason: 'wasm measured 1.5 x faster than WebGL on this device' };
    expect(planAuto({ webglRenderer: GPU }, wasm)).toEqual({ start: 'wasm', source: 'auto', reason: wasm.reason, candidates: [], trial: false });
  });

  it('gives the plan\'s reason before the start\'s own on the backend line', () => {
    const started = { name: 'wasm' as const, renderer: 'WebAssembly on the CPU', fallbackReason: null };
    expect(withPlanReason({ start: 'wasm', source: 'auto', reason: 'WebGL is not available in this browser' }, started).fallbackReason).toBe('WebGL is not available in this browser');
    expect(withPlanReason({ start: 'wasm', source: 'auto', reason: 'WebGL is not available in this browser' }, { ...started, name: 'cpu', fallbackReason: 'wasm failed: 404' }).fallbackReason)
      .toBe('WebGL is not available in this browser; wasm failed: 404');
    expect(withPlanReason({ start: 'webgl', source: 'query' }, { ...started, fallbackReason: null }).fallbackReason).toBeNull();
  });
});

describe("the background trial's verdict", () => {
  it('switches to a GPU backend only when it measured faster than wasm', () => {
    expect(decideUpgrade({ wasmMs: 12, gpu: [{ backend: 'webgl', ms: 4 }] })).toEqual({ backend: 'webgl', ratio: 4 / 12, reason: null });
    const slow = decideUpgrade({ wasmMs: 4, gpu: [{ backend: 'webgl', ms: 30 }] });
    expect(slow).toEqual({ backend: 'wasm', ratio: 7.5, reason: 'wasm measured 7.5 x faster than WebGL on this device' });
    // A tie is not faster.
    expect(decideUpgrade({ wasmMs: 5, gpu: [{ backend: 'webgl', ms: 5 }] }).backend).toBe('wasm');
  });

  it('takes the fastest GPU backend, and WebGPU only where it beats WebGL', () => {
    expect(decideUpgrade({ wasmMs: 20, gpu: [{ backend: 'webgpu', ms: 3 }, { backend: 'webgl', ms: 6 }] }).backend).toBe('webgpu');
    expect(decideUpgrade({ wasmMs: 20, gpu: [{ backend: 'webgpu', ms: 8 }, { backend: 'webgl', ms: 6 }] }).backend).toBe('webgl');
    expect(decideUpgrade({ wasmMs: 2, gpu: [{ backend: 'webgpu', ms: 8 }, { backend: 'webgl', ms: 6 }] }))
      .toEqual({ backend: 'wasm', ratio: 3, reason: 'wasm measured 3.0 x faster than WebGL on this device' });
  });

  it('stays on wasm, saying nothing, when no GPU backend could be timed', () => {
    expect(decideUpgrade({ wasmMs: 5, gpu: [] })).toMatchObject({ backend: 'wasm', reason: null });
    expect(decideUpgrade({ wasmMs: 5, gpu: [{ backend: 'webgl', ms: NaN }] })).toMatchObject({ backend: 'wasm', reason: null });
  });

  it('formats the ratio with one decimal below 10', () => {
    expect(formatRatio(1.04)).toBe('1.0');
    expect(formatRatio(9.94)).toBe('9.9');
    expect(formatRatio(12.6)).toBe('13');
  });
});

describe('the remembered verdict', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  };
  const scope = { webglRenderer: 'Adreno (TM) 650', userAgent: 'Mozilla/5.0 Chrome/130', appVersion: 'main-abc.js' };
  const verdict: Verdict = { ...scope, webgpuAdapter: 'webgpu:qualcomm|adreno||', backend: 'webgpu', reason: null };

  it('is found again for the same GPU, browser and app version', () => {
    const s = memory();
    expect(loadVerdict(s, 'v', scope)).toBeNull();
    expect(hasVerdict(s, 'v', scope)).toBe(false);
    saveVerdict(s, 'v', verdict);
    expect(hasVerdict(s, 'v', { userAgent: scope.userAgent, appVersion: scope.appVersion })).toBe(true);
    expect(loadVerdict(s, 'v', scope)).toEqual(verdict);
    expect(verdictFits(verdict, { available: true, software: false, description: 'adreno', identity: 'webgpu:qualcomm|adreno||' })).toBe(true);
  });

  it('is ignored for another GPU, WebGPU adapter, browser or app version', () => {
    const s = memory();
    saveVerdict(s, 'v', verdict);
    expect(loadVerdict(s, 'v', { ...scope, webglRenderer: 'Mali-G78' })).toBeNull();
    expect(loadVerdict(s, 'v', { ...scope, userAgent: 'Mozilla/5.0 Firefox/130' })).toBeNull();
    expect(loadVerdict(s, 'v', { ...scope, appVersion: 'main-def.js' })).toBeNull();
    expect(hasVerdict(s, 'v', { ...scope, appVersion: 'main-def.js' })).toBe(false);
    expect(verdictFits(verdict, { available: true, software: false, description: 'other', identity: 'webgpu:other|||' })).toBe(false);
    expect(verdictFits(verdict, null)).toBe(false);
    expect(verdictFits({ ...verdict, webgpuAdapter: null }, null)).toBe(true);
    expect(verdictFits({ ...verdict, webgpuAdapter: null }, { available: false, software: false, description: '', identity: null })).toBe(true);
  });

  it('survives garbage and storage that throws', () => {
    const s = memory();
    s.setItem('v', '{not json');
    expect(loadVerdict(s, 'v', scope)).toBeNull();
    expect(hasVerdict(s, 'v', scope)).toBe(false);
    s.setItem('v', JSON.stringify({ ...verdict, backend: 'metal' }));
    expect(loadVerdict(s, 'v', scope)).toBeNull();
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(loadVerdict(broken, 'v', scope)).toBeNull();
    expect(() => saveVerdict(broken, 'v', verdict)).not.toThrow();
    expect(loadVerdict(null, 'v', scope)).toBeNull();
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
