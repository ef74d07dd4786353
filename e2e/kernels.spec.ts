import { expect, test } from '@playwright/test';
import type { BenchPageState } from '../src/bench/main.ts';

// The Ghost-module kernel (src/model/kernels) in the browser, on each backend that has it:
// equal to depthwise conv + concat (+ add) by TF.js ops, and GhostNet with it equal to GhostNet
// without it. WebGL here is SwiftShader, which computes in float32.
for (const backend of ['webgl', 'wasm'] as const) {
  test(`Ghost-module kernel on ${backend} equals TF.js ops`, async ({ page }) => {
    test.setTimeout(300_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`bench.html?check=ghost-tail&backend=${backend}`);
    await page.waitForFunction(() => window.__bench && window.__bench.status !== 'running', undefined, { timeout: 240_000, polling: 500 });
    const state = (await page.evaluate(() => window.__bench)) as BenchPageState;
    if (state.status !== 'checked') throw new Error(`kernel check did not finish: ${JSON.stringify(state)}`);
    const { check } = state;
    expect(check.backend).toBe(backend);
    expect(check.cases).toHaveLength(6);
    for (const c of check.cases) expect(c.maxDiff, c.label).toBeLessThan(1e-4);
    // The tail fused with the stride-2 depthwise conv after it: WebGL only.
    expect(check.stride2Cases).toHaveLength(backend === 'webgl' ? 7 : 0);
    for (const c of check.stride2Cases) expect(c.maxDiff, `stride 2: ${c.label}`).toBeLessThan(1e-4);
    expect(check.modulesOnKernel).toBe(32);
    expect(check.networkRelativeDiff).toBeLessThan(1e-4);
    expect(check.leakedTensors).toBe(0);
    expect(errors).toEqual([]);
  });
}
