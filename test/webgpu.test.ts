/** WebGPU adapter detection as pure decisions: software adapters, descriptions, identities, the report. */
import { describe, expect, it } from 'vitest';
import { adapterFacts, adapterIdentity, describeAdapter, detectWebgpu, reportFor, softwareAdapter, watchDeviceLoss, webgpuWorthProbing, type AdapterFacts } from '../src/runtime/webgpu.ts';
import { backendFromQuery } from '../src/runtime/backend-names.ts';
import { planBackend } from '../src/runtime/backend-choice.ts';
import { backendLabel, softwareRendered } from '../src/bench/report.ts';

// What Chromium 156's headless SwiftShader adapter reports (--enable-unsafe-webgpu), as measured.
const SWIFTSHADER: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };

describe('software WebGPU adapters', () => {
  it('recognises CPU adapters by name, and by the browser\'s fallback flag', () => {
    const seen: [AdapterFacts, string][] = [
      [SWIFTSHADER, 'SwiftShader'],
      [{ ...SWIFTSHADER, isFallbackAdapter: false }, 'SwiftShader'],
      [{ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }, 'llvmpipe'],
      [{ vendor: 'mesa', architecture: '', description: 'lavapipe (LLVM 15.0.6, 256 bits)' }, 'lavapipe'],
      [{ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }, 'Microsoft Basic Render Driver'],
      [{ vendor: 'microsoft', architecture: 'warp' }, 'WARP'],
      [{ vendor: '', architecture: '', description: '', isFallbackAdapter: true }, 'fallback adapter'],
    ];
    for (const [facts, name] of seen) expect(softwareAdapter(facts), JSON.stringify(facts)).toBe(name);
  });

  it('leaves real GPUs alone', () => {
    for (const facts of [
      { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' },
      { vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' },
      { vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) Iris(R) Xe Graphics' },
      { vendor: 'qualcomm', architecture: 'adreno-6xx', description: '' },
      { vendor: 'arm', architecture: 'valhall', description: 'Mali-G78', isFallbackAdapter: false },
      { vendor: 'amd', architecture: 'rdna-2', description: 'AMD Radeon RX 6800 (RADV NAVI21)' },
    ] satisfies AdapterFacts[]) {
      expect(softwareAdapter(facts), JSON.stringify(facts)).toBeNull();
    }
  });

  it('describes and identifies adapters stably', () => {
    expect(describeAdapter(SWIFTSHADER)).toBe('google swiftshader (software)');
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' })).toBe('nvidia ampere NVIDIA GeForce RTX 3060');
    expect(describeAdapter({})).toBe('unnamed adapter');
    expect(adapterIdentity(SWIFTSHADER)).toBe('webgpu:google|swiftshader||:fallback');
    expect(adapterIdentity({ ...SWIFTSHADER })).toBe(adapterIdentity(SWIFTSHADER));
    expect(adapterIdentity({ vendor: 'nvidia', architecture: 'ampere' })).not.toBe(adapterIdentity({ vendor: 'nvidia', architecture: 'turing' }));
  });

  it('only a real adapter is worth probing against WebGL', () => {
    expect(webgpuWorthProbing(reportFor(SWIFTSHADER))).toBe(false);
    expect(webgpuWorthProbing(reportFor({ vendor: 'apple', architecture: 'metal-3' }))).toBe(true);
    expect(webgpuWorthProbing(reportFor(null))).toBe(false);
  });
});

describe('detectWebgpu', () => {
  it('reads the adapter\'s info (and the older adapter-level fallback flag)', async () => {
    const asked: unknown[] = [];
    const gpu = { requestAdapter: async (o?: unknown) => { asked.push(o); return { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '' }, isFallbackAdapter: true }; } };
    const report = await detectWebgpu(gpu);
    expect(asked).toEqual([{ powerPreference: 'high-performance' }]);
    expect(report).toEqual({ available: true, reason: null, software: 'SwiftShader', description: 'google swiftshader (software)', identity: 'webgpu:google|swiftshader||:fallback' });
    expect(adapterFacts({ info: { vendor: 'x', isFallbackAdapter: true } }).isFallbackAdapter).toBe(true);
  });

  it('says why when there is no adapter, no navigator.gpu, or the request fails', async () => {
    expect(await detectWebgpu({ requestAdapter: async () => null })).toMatchObject({ available: false, software: null, identity: null, reason: expect.stringContaining('no WebGPU adapter') });
    expect((await detectWebgpu(undefined)).reason).toMatch(/WebGPU/);
    expect(await detectWebgpu({ requestAdapter: async () => { throw new Error('GPU process crashed'); } })).toMatchObject({ available: false, reason: 'the WebGPU adapter request failed: GPU process crashed' });
  });
});

describe('device loss', () => {
  it('calls back once with the browser\'s message, and not after it stopped watching', async () => {
    let lose!: (info: { reason: string; message: string }) => void;
    const backend = { device: { lost: new Promise<{ reason: string; message: string }>((resolve) => (lose = resolve)) } };
    const messages: string[] = [];
    watchDeviceLoss(backend, (m) => messages.push(m));
    const stop = watchDeviceLoss(backend, (m) => messages.push(`stopped: ${m}`));
    stop();
    lose({ reason: 'unknown', message: 'the GPU was reset' });
    await backend.device.lost;
    await Promise.resolve();
    expect(messages).toEqual(['the GPU was reset']);
    expect(watchDeviceLoss({}, () => {})).toBeTypeOf('function');
  });
});

describe('?backend=webgpu and the automatic start', () => {
  it('is accepted in the URL, and the app never starts on WebGPU by itself', () => {
    expect(backendFromQuery('?backend=webgpu')).toBe('webgpu');
    expect(planBackend(null, null).start).not.toBe('webgpu');
    expect(planBackend('webgpu', null)).toEqual({ start: 'webgpu', source: 'query' });
  });
});

describe('benchmark figures from a software GPU', () => {
  it('are marked not representative, for WebGPU and WebGL alike', () => {
    expect(softwareRendered({ backend: 'webgpu', renderer: 'WebGPU on google swiftshader (software)' })).toBe('SwiftShader');
    expect(softwareRendered({ backend: 'webgpu', renderer: 'WebGPU on unnamed adapter (software)' })).toBe('a software adapter');
    expect(softwareRendered({ backend: 'webgl', renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)' })).toBe('SwiftShader');
    expect(softwareRendered({ backend: 'webgpu', renderer: 'WebGPU on nvidia ampere NVIDIA GeForce RTX 3060' })).toBeNull();
    expect(softwareRendered({ backend: 'wasm', renderer: 'WebAssembly on the CPU' })).toBeNull();
    expect(backendLabel({ backend: 'webgpu', renderer: 'WebGPU on google swiftshader (software)' })).toBe('webgpu (SwiftShader: not representative)');
    expect(backendLabel({ backend: 'webgl', renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)' })).toBe('webgl');
  });
});
