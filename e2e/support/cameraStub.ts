/**
 * Replaces getUserMedia/enumerateDevices in the page (before any app code runs) so a test can play
 * "permission denied" and "no camera at all", which a fake-device Chromium cannot.
 * The test picks the failure with `window.__cameraFailure = 'NotAllowedError' | 'NotFoundError'`.
 */
import type { BrowserContext } from '@playwright/test';

export async function stubCamera(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __cameraFailure?: string };
    const devices = navigator.mediaDevices;
    if (!devices) return;
    devices.getUserMedia = async () => {
      throw new DOMException(w.__cameraFailure === 'NotFoundError' ? 'Requested device not found' : 'Permission denied', w.__cameraFailure ?? 'NotAllowedError');
    };
    devices.enumerateDevices = async () =>
      w.__cameraFailure === 'NotFoundError' ? [] : ([{ kind: 'videoinput', deviceId: '', groupId: '', label: '', toJSON: () => ({}) }] as MediaDeviceInfo[]);
  });
}
