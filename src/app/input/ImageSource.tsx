/** A photo by file picker; dropping or pasting anywhere on the page is handled by the App. */
import { useId } from 'react';

export function ImageSource({ onFiles }: { onFiles: (files: File[]) => void }) {
  const hintId = useId();
  return (
    <section className="image-source dropzone" aria-labelledby="photo-heading">
      <h2 id="photo-heading">Your photo</h2>
      <label className="file-button">
        Choose a photo…
        <input
          type="file"
          accept="image/*"
          data-testid="image-input"
          aria-describedby={hintId}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            onFiles(files);
          }}
        />
      </label>
      <p id={hintId} className="hint">or drop a photo anywhere on this page, or paste one (Ctrl+V / ⌘V).</p>
    </section>
  );
}
