/**
 * The webcam, in one self-contained module: start/stop, camera list, front/rear choice remembered
 * in localStorage, errors as clear messages. `stop()` ends every track, so the camera light goes off.
 */
import { SETTINGS } from '../settings.ts';

export type FacingMode = 'user' | 'environment';

export type CameraErrorKind = 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'insecure' | 'other';

export class CameraError extends Error {
  override name = 'CameraError';
  constructor(message: string, readonly kind: CameraErrorKind) {
    super(message);
  }
}

/** A getUserMedia failure -> a message a person can act on. */
export function cameraError(e: unknown): CameraError {
  if (e instanceof CameraError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new CameraError('Camera permission was denied. Allow the camera for this page in the browser\'s site settings, then press Start camera again.', 'denied');
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CameraError('No camera was found. Connect a camera (or pick another one) and press Start camera again; photos and samples still work.', 'not-found');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new CameraError('The camera could not be started: another application may be using it.', 'in-use');
    default:
      return new CameraError(`The camera could not be started: ${(e as Error)?.message ?? String(e)}`, 'other');
  }
}

export function loadFacingMode(): FacingMode {
  try {
    return localStorage.getItem(SETTINGS.webcam.facingStorageKey) === 'environment' ? 'environment' : 'user';
  } catch {
    return 'user';
  }
}

export function saveFacingMode(mode: FacingMode): void {
  try {
    localStorage.setItem(SETTINGS.webcam.facingStorageKey, mode);
  } catch {
    // Private mode or storage disabled: the choice just is not remembered.
  }
}

/** Video inputs; labels are only filled in once the page has camera permission. */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput');
}

export interface CameraRequest {
  /** A specific camera; otherwise the facing mode decides. */
  readonly deviceId?: string;
  readonly facingMode: FacingMode;
}

export class Camera {
  private stream: MediaStream | null = null;
  /** Bumped by every start and stop, so a start that finishes after a stop releases its stream. */
  private generation = 0;

  constructor(private readonly video: HTMLVideoElement) {
    // iOS Safari plays inline (not fullscreen) and autoplays only muted video.
    video.playsInline = true;
    video.muted = true;
    video.setAttribute('playsinline', '');
    video.setAttribute('muted', '');
  }

  get active(): boolean {
    return this.stream !== null;
  }

  /** The device id of the running camera, if known. */
  get deviceId(): string | undefined {
    return this.stream?.getVideoTracks()[0]?.getSettings().deviceId;
  }

  async start(request: CameraRequest): Promise<void> {
    this.stop();
    const generation = ++this.generation;
    if (!window.isSecureContext) throw new CameraError('The camera needs a secure page (https or localhost).', 'insecure');
    if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('This browser cannot use a camera (no getUserMedia).', 'unsupported');
    const { idealWidth, idealHeight } = SETTINGS.webcam;
    const video: MediaTrackConstraints = { width: { ideal: idealWidth }, height: { ideal: idealHeight } };
    if (request.deviceId) video.deviceId = { exact: request.deviceId };
    else video.facingMode = request.facingMode;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (e) {
      throw cameraError(e);
    }
    if (generation !== this.generation) {
      stopTracks(stream);
      return;
    }
    this.stream = stream;
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch (e) {
      // play() is interrupted when stop() runs meanwhile; that is not an error.
      if (generation === this.generation) {
        this.stop();
        throw cameraError(e);
      }
    }
  }

  /** Stop every track and detach the stream (idempotent). */
  stop(): void {
    this.generation++;
    if (this.stream) stopTracks(this.stream);
    this.stream = null;
    this.video.pause();
    this.video.srcObject = null;
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
