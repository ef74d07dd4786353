/**
 * React binding of `Camera`: one camera per mounted component, stopped on unmount (including the
 * extra unmount of React StrictMode), camera list refreshed when devices change (watched from the
 * first start on).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Camera, CameraError, cameraError, listCameras, loadFacingMode, saveFacingMode, type FacingMode } from './camera.ts';

export type CameraStatus = 'idle' | 'starting' | 'live';

export interface UseCamera {
  readonly videoRef: React.RefObject<HTMLVideoElement | null>;
  readonly status: CameraStatus;
  readonly devices: MediaDeviceInfo[];
  readonly deviceId: string;
  readonly facingMode: FacingMode;
  start(): Promise<void>;
  stop(): void;
  chooseDevice(id: string): void;
  chooseFacing(mode: FacingMode): void;
}

export function useCamera(onError: (message: string) => void): UseCamera {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const cameraRef = useRef<Camera | null>(null);
  const [status, setStatus] = useState<CameraStatus>('idle');
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState('');
  const [facingMode, setFacingMode] = useState<FacingMode>(loadFacingMode);

  // The camera list is watched only once the camera has been asked for: listening for device
  // changes makes Chromium start its audio and video capture services, which a page load (and a
  // visitor who never uses the camera) should not pay for. Before that the list is not shown anyway.
  const watching = useRef<(() => void) | null>(null);
  const watchDevices = useCallback(() => {
    if (watching.current || !navigator.mediaDevices?.addEventListener) return;
    const refresh = () => void listCameras().then(setDevices, () => {});
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    watching.current = () => navigator.mediaDevices.removeEventListener('devicechange', refresh);
  }, []);

  useEffect(() => {
    const camera = new Camera(videoRef.current!);
    cameraRef.current = camera;
    return () => {
      watching.current?.();
      watching.current = null;
      camera.stop();
      cameraRef.current = null;
      setStatus('idle');
    };
  }, []);

  // Each open and each stop takes a new number: an open that a stop (or a newer open) overtook while
  // it waited for the camera list gives up instead of starting the camera after all.
  const opens = useRef(0);

  const open = useCallback(async (id: string, facing: FacingMode) => {
    const camera = cameraRef.current;
    if (!camera) return;
    const mine = ++opens.current;
    watchDevices();
    setStatus('starting');
    try {
      const cameras = await listCameras();
      if (mine !== opens.current) return;
      if (navigator.mediaDevices && cameras.length === 0) throw new CameraError('No camera was found. Connect a camera and press Start camera again; photos and samples still work.', 'not-found');
      await camera.start({ deviceId: id || undefined, facingMode: facing });
      if (!camera.active) return; // stopped while starting
      setStatus('live');
      setDevices(await listCameras());
      setDeviceId(camera.deviceId ?? id);
    } catch (e) {
      if (cameraRef.current === camera) setStatus(camera.active ? 'live' : 'idle');
      onError(cameraError(e).message);
    }
  }, [onError, watchDevices]);

  const start = useCallback(() => open(deviceId, facingMode), [open, deviceId, facingMode]);

  const stop = useCallback(() => {
    opens.current++;
    cameraRef.current?.stop();
    setStatus('idle');
  }, []);

  const chooseDevice = useCallback((id: string) => {
    setDeviceId(id);
    if (cameraRef.current?.active) void open(id, facingMode);
  }, [open, facingMode]);

  const chooseFacing = useCallback((mode: FacingMode) => {
    setFacingMode(mode);
    saveFacingMode(mode);
    // A new facing choice overrides a specific camera.
    setDeviceId('');
    if (cameraRef.current?.active) void open('', mode);
  }, [open]);

  return { videoRef, status, devices, deviceId, facingMode, start, stop, chooseDevice, chooseFacing };
}
