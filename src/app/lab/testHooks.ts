/**
 * Test hook for the e2e: `window.__ghostnetLab.gradientCheck(jsonUrl, binUrl)` runs the engine's
 * gradient-parity check (src/lab/gradient-check.ts) of a PyTorch step fixture on the page's own
 * backend (e.g. WebGL) and resolves to its report. Loaded only when called.
 */
import type { LabGradientReport } from '../../lab/gradient-check.ts';

declare global {
  interface Window {
    __ghostnetLab?: { gradientCheck: (jsonUrl: string, binUrl: string) => Promise<LabGradientReport> };
  }
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

export function installLabTestHooks(): void {
  window.__ghostnetLab = {
    gradientCheck: async (jsonUrl, binUrl) => {
      const [{ labGradientCheck }, json, bin] = await Promise.all([
        import('./gradientCheck.ts'),
        fetchOk(jsonUrl).then((r) => r.text()),
        fetchOk(binUrl).then((r) => r.arrayBuffer()),
      ]);
      return labGradientCheck(json, bin);
    },
  };
}
