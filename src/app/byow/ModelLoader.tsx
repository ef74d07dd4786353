/** Bring your own weights: pick a checkpoint or a converted folder; conversion progress is shown here. */
import { useId } from 'react';
import { routeFiles } from '../input/routeFiles.ts';
import { useApp } from '../store.ts';

export function ModelLoader() {
  const conversion = useApp((s) => s.conversion);
  const hintId = useId();
  return (
    <section className="model-loader" aria-labelledby="byow-heading">
      <h2 id="byow-heading">Bring your own weights</h2>
      <p id={hintId} className="hint">
        An official GhostNet checkpoint (<code>.pth</code> or <code>.safetensors</code>, e.g. the authors' ImageNet 1.0x) is
        converted here in your browser; nothing is uploaded. A converted folder (<code>model.json</code> + <code>weights.bin</code>) loads directly.
        You can also drop either on the page.
      </p>
      <label className="file-button">
        Choose a checkpoint or model files…
        <input
          type="file"
          multiple
          accept=".pth,.pt,.safetensors,.json,.bin"
          data-testid="model-file-input"
          aria-describedby={hintId}
          disabled={conversion !== null}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void routeFiles(files);
          }}
        />
      </label>
      {conversion && (
        <div className="conversion" data-testid="convert-status">
          <label>
            Converting {conversion.file}: {conversion.stage}{' '}
            <progress data-testid="convert-progress" max={1} value={conversion.fraction}>{Math.round(conversion.fraction * 100)}%</progress>
          </label>
        </div>
      )}
    </section>
  );
}
