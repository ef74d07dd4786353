/** In plain words: what the Teach tab does, and which backbone gives it good features. */
import { selectModel } from '../actions.ts';
import { useApp } from '../store.ts';

/** An ImageNet model: 1000 classes (a converted 1000-class checkpoint is named "… ImageNet-1k"). */
const isImageNet = (m: { numClasses: number; name: string }) => m.numClasses === 1000 || /imagenet-1k/i.test(m.name);

export function TeachExplainer() {
  const metadata = useApp((s) => s.model?.metadata ?? null);
  const models = useApp((s) => s.models);
  const modelId = useApp((s) => s.modelId);
  const input = useApp((s) => s.teach.input);
  const imagenetEntry = models.find((m) => m.id !== modelId && /imagenet-1k/i.test(m.name));
  return (
    <section className="teach-explainer" data-testid="teach-explainer" aria-labelledby="teach-explainer-heading">
      <h2 id="teach-explainer-heading">Teach GhostNet your own classes</h2>
      <p>
        GhostNet stays frozen: each picture goes through the whole network up to the layer before its classifier, which turns
        it into a list of 1280 numbers (its <em>features</em>). A tiny head on top learns your classes from those numbers alone,
        so a handful of examples per class is enough and learning takes milliseconds. Nothing leaves this browser.
        {input ? ` Pictures are seen at ${input.size} × ${input.size} pixels, as in Classify.` : ''}
      </p>
      {metadata && !isImageNet(metadata) && (
        <p className="teach-advice" data-testid="teach-backbone-advice" role="note">
          <strong>Tip:</strong> “{metadata.name}” learned only {metadata.numClasses} classes, so its features know little about anything else.
          The ImageNet GhostNet (1000 classes) gives much better features for your own things:
          {imagenetEntry
            ? ' load it from the Model menu and teach again there;'
            : ' get it with “Get the ImageNet model” in the header (on a phone, under ⚙ Settings; a 21 MB download, kept in this browser) or bring the authors’ checkpoint, then teach again there;'}
          {' '}classes taught on one backbone cannot be used with another.
          {imagenetEntry && (
            <> <button type="button" data-testid="teach-use-imagenet" onClick={() => void selectModel(imagenetEntry.id)}>Switch to {imagenetEntry.name}</button></>
          )}
        </p>
      )}
    </section>
  );
}
