/**
 * Call `onFrame` for each new video frame: requestVideoFrameCallback where available (once per
 * decoded frame), requestAnimationFrame otherwise. Returns a function that cancels the loop.
 */
export function startFrameLoop(video: HTMLVideoElement, onFrame: (now: number) => void): () => void {
  let cancelled = false;
  let handle = 0;
  let lastTime = -1;
  const useVideoCallback = typeof video.requestVideoFrameCallback === 'function';
  const tick = (now: number) => {
    if (cancelled) return;
    // Animation frames come at display rate: only pass on those that show a new video frame.
    if (useVideoCallback || video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      onFrame(now);
    }
    schedule();
  };
  const schedule = () => {
    handle = useVideoCallback ? video.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
  };
  schedule();
  return () => {
    cancelled = true;
    if (useVideoCallback) video.cancelVideoFrameCallback(handle);
    else cancelAnimationFrame(handle);
  };
}
