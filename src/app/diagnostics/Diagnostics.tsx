/** What is running and what it holds: backend, renderer, tf.memory(), load time, and a leak check. */
import { useEffect, useState } from 'react';
import { memorySnapshot, runLeakCheck, type LeakCheckResult } from '../actions.ts';
import { SETTINGS } from '../settings.ts';
import { useApp, type BackendTrial } from '../store.ts';
import { SavedModels } from '../cache/SavedModels.tsx';
import { useMediaQuery } from '../useMediaQuery.ts';
import { formatRatio } from '../../runtime/backend-choice.ts';

const NO_MEMORY = { numTensors: 0, numBytes: 0 };

/**
 * Every read of tf.memory() for the panel, counted (tests wait for reads, not for time: e2e's
 * settledTensorCount). Kept off the page's DOM: a changing attribute would repaint every poll.
 */
export interface MemoryReads {
  reads: number;
  numTensors: number;
}

declare global {
  interface Window {
    __ghostnetMemoryReads?: MemoryReads;
  }
}

function countRead(numTensors: number): void {
  const seen = (window.__ghostnetMemoryReads ??= { reads: 0, numTensors });
  seen.reads += 1;
  seen.numTensors = numTensors;
}

/** tf.memory(), polled; only once a backend runs (asking earlier would start one implicitly). */
function useMemory(ready: boolean) {
  const [memory, setMemory] = useState(NO_MEMORY);
  useEffect(() => {
    if (!ready) return;
    const first = memorySnapshot();
    countRead(first.numTensors);
    setMemory(first);
    const timer = setInterval(() => {
      // A backend switch can start between two polls, before this effect is cleaned up; skip that tick.
      if (useApp.getState().backendStatus !== 'ready') return;
      const next = memorySnapshot();
      countRead(next.numTensors);
      setMemory((m) => (m.numTensors === next.numTensors && m.numBytes === next.numBytes ? m : next));
    }, SETTINGS.diagnostics.pollMs);
    return () => clearInterval(timer);
  }, [ready]);
  return memory;
}

/** The background GPU trial in a few words. */
function trialText(t: BackendTrial): string {
  const name = t.backend === 'webgpu' ? 'WebGPU' : t.backend === 'webgl' ? 'WebGL' : t.backend;
  const why = t.message ? ` (${t.message})` : '';
  switch (t.state) {
    case 'warming': return `warming ${name} up in the background${t.total ? `: step ${t.done} of ${t.total}` : ''}`;
    case 'timing': return `timing ${name} against wasm`;
    case 'switched': return t.message ? `switched to ${name} (${t.message})` : `switched to ${name}: warm, and faster than wasm`;
    case 'kept': return `stayed on wasm${why}`;
    case 'failed': return `${name} failed${why}`;
    case 'cancelled': return `${name} trial cancelled`;
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/**
 * `placement`: on the page beside (or below) the tab on wide screens, or inside the header's
 * settings sheet on phones; each placement renders only on its own kind of screen.
 */
export function Diagnostics({ placement = 'page' }: { placement?: 'page' | 'sheet' }) {
  const backend = useApp((s) => s.backend);
  const modelLoadMs = useApp((s) => s.modelLoadMs);
  const latencyMs = useApp((s) => s.latencyMs);
  const inferences = useApp((s) => s.inferenceCount);
  const canCheck = useApp((s) => s.model !== null && s.input !== null);
  const memory = useMemory(useApp((s) => s.backendStatus === 'ready'));
  const probe = useApp((s) => s.backendProbe);
  const trial = useApp((s) => s.backendTrial);
  const webgpu = useApp((s) => s.webgpuSeen);
  const offlineReady = useApp((s) => s.offlineReady);
  const [leak, setLeak] = useState<LeakCheckResult | null>(null);
  // Folded on phones (it would push everything else down), open on wider screens.
  const narrow = useMediaQuery(SETTINGS.layout.narrowQuery);
  const [open, setOpen] = useState(!narrow);
  useEffect(() => setOpen(!narrow), [narrow]);
  const [checking, setChecking] = useState(false);
  if ((placement === 'sheet') !== narrow) return null;

  const check = async () => {
    setChecking(true);
    setLeak(null);
    try {
      setLeak(await runLeakCheck());
    } finally {
      setChecking(false);
    }
  };

  return (
    <aside className="diagnostics" aria-labelledby="diagnostics-heading" data-testid="diagnostics">
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary><h2 id="diagnostics-heading">Diagnostics</h2></summary>
        <dl>
          <dt>Backend</dt>
          <dd data-testid="diagnostics-backend">{backend?.name ?? '–'}</dd>
          <dt>Renderer</dt>
          <dd data-testid="diagnostics-renderer">{backend?.renderer ?? '–'}</dd>
          <dt>wasm threads</dt>
          <dd data-testid="diagnostics-threads" data-threads={backend?.threads ?? ''} data-start-ms={backend?.threadsStartMs ?? ''}>
            {backend?.threads === undefined ? '– (wasm only)' : `${backend.threads}${globalThis.crossOriginIsolated ? '' : ' (not cross-origin isolated)'}`}
          </dd>
          <dt>Tensors</dt>
          <dd data-testid="diagnostics-tensors" data-count={memory.numTensors}>{memory.numTensors}</dd>
          <dt>Tensor memory</dt>
          <dd data-testid="diagnostics-bytes" data-bytes={memory.numBytes}>{mb(memory.numBytes)}</dd>
          <dt>Model load time</dt>
          <dd data-testid="diagnostics-load-time">{modelLoadMs === null ? '–' : `${modelLoadMs.toFixed(0)} ms`}</dd>
          <dt>Last inference</dt>
          <dd>{latencyMs === null ? '–' : `${latencyMs.toFixed(1)} ms`}</dd>
          <dt>Inferences</dt>
          <dd data-testid="diagnostics-inferences">{inferences}</dd>
          {webgpu && (
            <>
              <dt>WebGPU adapter</dt>
              <dd data-testid="diagnostics-webgpu" data-available={String(webgpu.available)} data-software={webgpu.software ?? ''}>
                {webgpu.available ? webgpu.description : webgpu.reason}
              </dd>
            </>
          )}
          {trial && (
            <>
              <dt>GPU trial</dt>
              <dd data-testid="diagnostics-trial" data-backend={trial.backend} data-state={trial.state} data-done={trial.done} data-total={trial.total ?? undefined} data-tensors-before={trial.tensorsBefore ?? undefined}>
                {trialText(trial)}
              </dd>
            </>
          )}
          {probe && (
            <>
              <dt>Speed probe</dt>
              <dd data-testid="diagnostics-probe" data-webgl-ms={probe.webglMs ?? undefined} data-webgpu-ms={probe.webgpuMs ?? undefined} data-wasm-ms={probe.wasmMs} data-ratio={probe.ratio}>
                {[
                  probe.webgpuMs !== null && `WebGPU ${probe.webgpuMs.toFixed(1)} ms`,
                  probe.webglMs !== null && `WebGL ${probe.webglMs.toFixed(1)} ms`,
                  `wasm ${probe.wasmMs.toFixed(1)} ms per inference`,
                ].filter(Boolean).join(', ')} ({formatRatio(probe.ratio)} x)
              </dd>
            </>
          )}
          <dt>Offline</dt>
          <dd data-testid="diagnostics-offline" data-ready={offlineReady}>{offlineReady ? 'ready: works without a network' : 'not yet'}</dd>
        </dl>
        <button type="button" data-testid="leak-check" disabled={!canCheck || checking} onClick={() => void check()}>
          {checking ? 'Checking…' : `Leak check: ${SETTINGS.diagnostics.leakCheckRuns} inferences`}
        </button>
        <p aria-live="polite" data-testid="leak-check-result" data-completed={leak?.completed} data-before={leak?.before} data-after={leak?.after}>
          {leak && (leak.completed < leak.runs
            ? `Stopped after ${leak.completed} of ${leak.runs} inferences (see the message above).`
            : `${leak.runs} inferences: ${leak.before} tensors before, ${leak.after} after${leak.before === leak.after ? ' (no leak)' : ' (LEAK)'}`)}
        </p>
        <SavedModels />
      </details>
    </aside>
  );
}
