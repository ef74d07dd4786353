/** Start/stop, camera choice and front/rear: the controls every webcam view shares (Classify, Teach). */
import type { ReactNode } from 'react';
import type { FacingMode } from './camera.ts';
import type { UseCamera } from './useCamera.ts';

export function CameraControls({ camera, onStop, children }: { camera: UseCamera; onStop?: () => void; children?: ReactNode }) {
  const live = camera.status === 'live';
  return (
    <div className="webcam-controls">
      {live || camera.status === 'starting' ? (
        <button type="button" data-testid="webcam-stop" onClick={() => { camera.stop(); onStop?.(); }}>Stop camera</button>
      ) : (
        <button type="button" data-testid="webcam-start" onClick={() => void camera.start()}>Start camera</button>
      )}
      <label>
        Camera{' '}
        <select data-testid="camera-select" value={camera.deviceId} onChange={(e) => camera.chooseDevice(e.target.value)}>
          <option value="">Default ({camera.facingMode === 'user' ? 'front' : 'rear'})</option>
          {camera.devices.filter((d) => d.deviceId).map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>{d.label || `Camera ${i + 1}`}</option>
          ))}
        </select>
      </label>
      <label>
        Facing{' '}
        <select data-testid="camera-facing" value={camera.facingMode} onChange={(e) => camera.chooseFacing(e.target.value as FacingMode)}>
          <option value="user">Front (selfie)</option>
          <option value="environment">Rear</option>
        </select>
      </label>
      {children}
    </div>
  );
}
