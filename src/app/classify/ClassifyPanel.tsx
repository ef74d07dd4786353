import { classifyCurrent, messageOf, setInput } from '../actions.ts';
import { pixelsFromBlob } from '../pixels.ts';
import { useApp } from '../store.ts';

async function classifyFile(file: File) {
  try {
    const { pixels, note } = await pixelsFromBlob(file, file.name);
    setInput(pixels, file.name, 'upload');
    await classifyCurrent();
    if (note) useApp.getState().set({ status: note });
  } catch (e) {
    useApp.getState().set({ error: messageOf(e) });
  }
}

export function ClassifyPanel() {
  const predictions = useApp((s) => s.predictions);
  const latencyMs = useApp((s) => s.latencyMs);
  return (
    <section className="classify">
      <label>
        Classify a photo{' '}
        <input type="file" accept="image/*" data-testid="image-input" onChange={(e) => { const f = e.target.files?.[0]; if (f) void classifyFile(f); e.target.value = ''; }} />
      </label>
      <ol className="predictions" aria-label="Top predictions">
        {predictions?.map((p) => (
          <li key={p.index} data-testid="prediction-row">
            <span data-testid="prediction-label">{p.name}</span> <span data-testid="prediction-probability">{(p.probability * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
      {latencyMs !== null && <p>Last inference: {latencyMs.toFixed(1)} ms</p>}
    </section>
  );
}
