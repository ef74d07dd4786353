/**
 * The parts every webcam view shares (Classify, Teach): start/stop, the video with its front/rear
 * switch on top, and the camera and facing choices. Each view arranges them with its own extras.
 */
import type { ReactNode } from 'react';
import type { FacingMode } from './camera.ts';
import type { UseCamera } from './useCamera.ts';

/** Start (one tap) or stop the camera, plus the view's own buttons. */
export function CameraButtons({ camera, onStop, children }: { camera: UseCamera; onStop?: () => void; children?: ReactNode }) {
  const live = camera.status === 'live';
  return (
    <div className="webcam-controls">
      {live || camera.status === 'starting' ? (
        <button type="button" data-testid="webcam-stop" onClick={() => { camera.stop(); onStop?.(); }}>Stop camera</button>
      ) : (
        <button type="button" className="button-primary" data-testid="webcam-start" onClick={() => void camera.start()}>Start camera</button>
      )}
      {children}
    </div>
  );
}

/** The live video, with a front/rear switch on it while the camera runs. */
export function CameraStage({ camera }: { camera: UseCamera }) {
  const live = camera.status === 'live';
  const other: FacingMode = camera.facingMode === 'user' ? 'environment' : 'user';
  return (
    <div className="webcam-stage">
      <video ref={camera.videoRef} className="webcam-video" data-testid="webcam-video" data-status={camera.status} playsInline muted aria-label="Camera view" hidden={!live} />
      {live && (
        <button type="button" className="webcam-switch" data-testid="camera-switch" onClick={() => camera.chooseFacing(other)}>
          <span aria-hidden="true">⇄ </span>{other === 'user' ? 'Front' : 'Rear'}<span className="visually-hidden"> camera</span>
        </button>
      )}
    </div>
  );
}

/** Which camera, and front or rear (folded away on phones while the camera runs: the switch is on the video). */
export function CameraOptions({ camera }: { camera: UseCamera }) {
  return (
    <div className="webcam-options">
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
    </div>
  );
}
