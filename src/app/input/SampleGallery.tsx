/** The shipped sample photos (Imagenette validation images), one button each. */
import { useState } from 'react';
import { messageOf } from '../actions.ts';
import { useApp } from '../store.ts';
import { SAMPLES, type Sample } from './samples.ts';

export function SampleGallery({ onSample }: { onSample: (blob: Blob, file: string) => Promise<unknown> }) {
  const [busyFile, setBusyFile] = useState<string | null>(null);

  const pick = async (sample: Sample) => {
    setBusyFile(sample.file);
    try {
      // The copy the button's <img> already loaded, from the browser's cache: asking the server again
      // (the photos are served no-cache) would only get a 304, after a round trip, while the page loads.
      const res = await fetch(`samples/${sample.file}`, { cache: 'force-cache' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await onSample(await res.blob(), sample.file);
    } catch (e) {
      useApp.getState().set({ error: `The sample "${sample.file}" could not be loaded: ${messageOf(e)}` });
    } finally {
      setBusyFile(null);
    }
  };

  return (
    <section className="gallery" aria-labelledby="gallery-heading">
      <h2 id="gallery-heading">Sample photos</h2>
      <ul className="gallery-grid">
        {SAMPLES.map((s) => (
          <li key={s.file}>
            <button type="button" data-testid="gallery-item" data-file={s.file} aria-busy={busyFile === s.file} onClick={() => void pick(s)}>
              <img src={`samples/${s.file}`} alt="" loading="lazy" width={96} height={72} />
              <span>{s.name}<span className="visually-hidden"> (sample {s.file})</span></span>
            </button>
          </li>
        ))}
      </ul>
      <p className="credit" data-testid="gallery-credit">
        Sample photos: validation images of <a href="https://github.com/fastai/imagenette">Imagenette</a> (fast.ai), a subset of ImageNet; the labels under each photo are their true classes.
      </p>
    </section>
  );
}
