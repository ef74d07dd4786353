/** The shipped sample photos (Imagenette validation images), one button each. */
import { useEffect, useState } from 'react';
import { messageOf } from '../actions.ts';
import { useApp } from '../store.ts';

interface Sample {
  readonly file: string;
  readonly name: string;
}

export function SampleGallery({ onSample }: { onSample: (blob: Blob, file: string) => Promise<unknown> }) {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [busyFile, setBusyFile] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    fetch('samples/index.json', { signal: controller.signal })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((index: { samples: Sample[] }) => setSamples(index.samples))
      .catch((e) => {
        if (!controller.signal.aborted) useApp.getState().set({ error: `The sample photos could not be listed: ${messageOf(e)}` });
      });
    return () => controller.abort();
  }, []);

  const pick = async (sample: Sample) => {
    setBusyFile(sample.file);
    try {
      const res = await fetch(`samples/${sample.file}`);
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
        {samples.map((s) => (
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
