/**
 * The header's "Get the ImageNet model" control: says where the file comes from and that nothing
 * else is sent; while it runs, a real progress bar (bytes of total) and a cancel button.
 */
import { useId } from 'react';
import { useApp, type DownloadState } from '../store.ts';
import { formatBytes } from '../../fetch/download.ts';
import { hostOf } from '../../fetch/sources.ts';
import { APP_SOURCES, IMAGENET_MODEL_ID } from './sources.ts';
import { cancelImagenetDownload, getImagenetModel } from './getImagenetModel.ts';
import './imagenet.css';

const PHASES: Record<DownloadState['phase'], string> = {
  downloading: 'Downloading',
  converting: 'Converting',
  loading: 'Loading',
  saving: 'Saving',
};

function Progress({ download }: { download: DownloadState }) {
  const of = `${download.exact ? '' : 'about '}${formatBytes(download.total)}`;
  return (
    <div className="imagenet-download" data-testid="download-status" data-phase={download.phase}>
      <label className="imagenet-download-bar">
        <span>
          {PHASES[download.phase]} the ImageNet model from {download.host}
          {download.sources > 1 ? ` (source ${download.attempt} of ${download.sources})` : ''}
        </span>
        <progress data-testid="download-progress" data-fraction={download.fraction} max={1} value={download.fraction}>
          {Math.round(download.fraction * 100)}%
        </progress>
      </label>
      <span className="imagenet-download-bytes" data-testid="download-bytes">{formatBytes(download.received)} of {of}</span>
      {(download.phase === 'downloading' || download.phase === 'converting') && (
        <button type="button" data-testid="download-cancel" onClick={cancelImagenetDownload}>Cancel</button>
      )}
    </div>
  );
}

/** `onStart`: called as the download starts (the phone's settings sheet closes, so its progress shows in the header). */
export function ImagenetDownload({ onStart }: { onStart?: () => void } = {}) {
  const download = useApp((s) => s.download);
  const present = useApp((s) => s.models.some((m) => m.id === IMAGENET_MODEL_ID));
  const busy = useApp((s) => s.conversion !== null);
  const hintId = useId();
  if (download) return <Progress download={download} />;
  if (present) return null;
  const [first, ...others] = APP_SOURCES;
  return (
    <div className="imagenet-download">
      <button type="button" data-testid="imagenet-download" aria-describedby={hintId} disabled={busy} onClick={() => { onStart?.(); void getImagenetModel(); }}>
        Get the ImageNet model ({Math.round(first.approxBytes / 1e6)} MB)
      </button>
      <small id={hintId} className="imagenet-download-hint" title={APP_SOURCES.map((s) => `${s.url} (${s.licence}): ${s.credit}`).join('\n')}>
        {/* A phone shows the short line (the first screen is the camera's); a desktop the whole story. */}
        <span className="imagenet-download-hint-short">1000 classes, from {hostOf(first.url)}; nothing else is sent.</span>
        <span className="imagenet-download-hint-long">
          1000 classes: the authors' weights ({first.licence}) from {hostOf(first.url)}
          {others.length > 0 ? ` (else ${others.map((s) => hostOf(s.url)).join(', ')})` : ''}. Only the file is requested; nothing about you or your photos is sent.
        </span>
      </small>
    </div>
  );
}
