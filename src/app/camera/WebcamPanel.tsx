/**
 * Live webcam classification. Every new frame is classified unless an inference is still running,
 * in which case the frame is skipped (never queued), so latency cannot build up.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { classifyCurrent, inferenceBusy, setInput } from '../actions.ts';
import { pixelsOf } from '../pixels.ts';
import { SETTINGS } from '../settings.ts';
import { useApp } from '../store.ts';
import { startFrameLoop } from './frameLoop.ts';
import { CameraButtons, CameraOptions, CameraStage } from './CameraControls.tsx';
import { useCamera } from './useCamera.ts';
import type { InputPipeline } from '../input/pipeline.ts';

interface FrameStats {
  readonly classified: number;
  readonly skipped: number;
  readonly fps: number | null;
  readonly latencyMs: number | null;
}

const NO_STATS: FrameStats = { classified: 0, skipped: 0, fps: null, latencyMs: null };

/** Grab the video's current frame into the store and classify it; the frame's latency in ms. */
async function classifyFrame(video: HTMLVideoElement, pipeline: InputPipeline): Promise<number | null> {
  if (!video.videoWidth || !video.videoHeight) return null;
  const t0 = performance.now();
  setInput(pixelsOf(video, video.videoWidth, video.videoHeight), 'webcam', 'webcam');
  return (await classifyCurrent(pipeline)) ? performance.now() - t0 : null;
}

export function WebcamPanel({ pipeline }: { pipeline: InputPipeline }) {
  const onError = useCallback((error: string) => useApp.getState().set({ error }), []);
  const camera = useCamera(onError);
  const modelReady = useApp((s) => s.model !== null);
  const [frozen, setFrozen] = useState(false);
  const [stats, setStats] = useState<FrameStats>(NO_STATS);
  const doneAt = useRef<number[]>([]);
  const live = camera.status === 'live';

  useEffect(() => {
    const video = camera.videoRef.current;
    if (!live || frozen || !modelReady || !video) return;
    let alive = true;
    const stop = startFrameLoop(video, () => {
      if (inferenceBusy()) {
        setStats((s) => ({ ...s, skipped: s.skipped + 1 }));
        return;
      }
      void classifyFrame(video, pipeline).then((latencyMs) => {
        if (!alive || latencyMs === null) return;
        const now = performance.now();
        const recent = doneAt.current.filter((t) => now - t <= SETTINGS.webcam.fpsWindowMs);
        recent.push(now);
        doneAt.current = recent;
        const fps = recent.length > 1 ? ((recent.length - 1) * 1000) / (now - recent[0]) : null;
        setStats((s) => ({ ...s, classified: s.classified + 1, fps, latencyMs }));
      });
    });
    return () => {
      alive = false;
      stop();
    };
  }, [live, frozen, modelReady, camera.videoRef, pipeline]);

  useEffect(() => {
    if (!live) {
      setFrozen(false);
      doneAt.current = [];
    }
  }, [live]);

  const toggleFreeze = async () => {
    const video = camera.videoRef.current;
    if (!video) return;
    if (frozen) {
      setFrozen(false);
      await video.play().catch(() => {});
      return;
    }
    setFrozen(true);
    video.pause();
    // Classify exactly the held frame, after any inference still running.
    await classifyFrame(video, pipeline);
  };

  return (
    <section className="webcam" aria-labelledby="webcam-heading" data-live={live}>
      <div className="webcam-head">
        <h2 id="webcam-heading">Webcam</h2>
        <CameraButtons camera={camera} onStop={() => setStats(NO_STATS)}>
          <button type="button" data-testid="webcam-freeze" aria-pressed={frozen} disabled={!live} onClick={() => void toggleFreeze()}>
            {frozen ? 'Resume' : 'Freeze frame'}
          </button>
        </CameraButtons>
      </div>
      <CameraStage camera={camera} />
      {live && (
        <p className="webcam-stats" data-testid="webcam-stats">
          <span data-testid="webcam-fps">{stats.fps === null ? '– fps' : `${stats.fps.toFixed(1)} fps`}</span>
          {' · '}
          <span data-testid="webcam-latency">{stats.latencyMs === null ? '– ms per frame' : `${stats.latencyMs.toFixed(0)} ms per frame`}</span>
          <span className="webcam-stats-more">
            {' · '}
            <span data-testid="webcam-frames" data-count={stats.classified}>{stats.classified} frames classified</span>
            {', '}
            <span data-testid="webcam-skipped">{stats.skipped} skipped while busy</span>
          </span>
          {frozen && <strong> · frozen</strong>}
        </p>
      )}
      <CameraOptions camera={camera} />
    </section>
  );
}
