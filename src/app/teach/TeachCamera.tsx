/**
 * The webcam for teaching: the shared camera module (useCamera, CameraControls, startFrameLoop).
 * Every frame is embedded and predicted unless the previous one is still busy (skipped, never
 * queued); while a class's record button is held, a few frames a second also become its examples.
 */
import { useEffect, useState } from 'react';
import { messageOf } from '../actions.ts';
import { CameraButtons, CameraOptions, CameraStage } from '../camera/CameraControls.tsx';
import { startFrameLoop } from '../camera/frameLoop.ts';
import type { UseCamera } from '../camera/useCamera.ts';
import { pixelsOf } from '../pixels.ts';
import { useApp } from '../store.ts';
import { embedderBusy } from './embedder.ts';
import { setRecording, teachFrame } from './teachActions.ts';

export function TeachCamera({ camera }: { camera: UseCamera }) {
  const live = camera.status === 'live';
  const ready = useApp((s) => s.teach.status === 'ready' && s.model !== null);
  const recording = useApp((s) => s.teach.classes.find((c) => c.id === s.teach.recording)?.name ?? null);
  const [frames, setFrames] = useState(0);

  useEffect(() => {
    const video = camera.videoRef.current;
    if (!live || !ready || !video) return;
    let alive = true;
    const stop = startFrameLoop(video, (now) => {
      if (embedderBusy() || !video.videoWidth || !video.videoHeight) return;
      teachFrame(pixelsOf(video, video.videoWidth, video.videoHeight), now).then(
        () => { if (alive) setFrames((n) => n + 1); },
        (e) => useApp.getState().set({ error: `The webcam frame could not be used: ${messageOf(e)}` }),
      );
    });
    return () => {
      alive = false;
      stop();
      setRecording(null);
    };
  }, [live, ready, camera.videoRef]);

  return (
    <section className="webcam teach-camera" aria-labelledby="teach-webcam-heading" data-live={live}>
      <div className="webcam-head">
        <h3 id="teach-webcam-heading">Webcam</h3>
        <CameraButtons camera={camera} onStop={() => setRecording(null)} />
      </div>
      <CameraStage camera={camera} />
      {live && (
        <p className="webcam-stats" data-testid="teach-frames" data-count={frames}>
          {frames} frames predicted{recording ? ` · recording into “${recording}”` : ' · hold a class’s record button to add frames'}
        </p>
      )}
      <CameraOptions camera={camera} />
    </section>
  );
}
