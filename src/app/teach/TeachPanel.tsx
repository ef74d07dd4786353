/**
 * The Teach tab: your own classes on top of the loaded GhostNet's frozen features. Classes and
 * their examples (webcam frames, photos), the head, live predictions with a bar per class, the
 * leave-one-out accuracy, and keeping / sharing what was taught.
 */
import { useCallback, useEffect } from 'react';
import { HEAD_LIMITS } from '../../model/heads/index.ts';
import { useCamera } from '../camera/useCamera.ts';
import { useApp } from '../store.ts';
import { ClassCard } from './ClassCard.tsx';
import { EvaluationView } from './EvaluationView.tsx';
import { HeadPicker } from './HeadPicker.tsx';
import { KeepShare } from './KeepShare.tsx';
import { PredictionBars } from './PredictionBars.tsx';
import { TeachCamera } from './TeachCamera.tsx';
import { TeachExplainer } from './TeachExplainer.tsx';
import { addClass, openTeachFor, predictPhoto } from './teachActions.ts';
import './teach.css';

export function TeachPanel() {
  const model = useApp((s) => s.model);
  const status = useApp((s) => s.teach.status);
  const classes = useApp((s) => s.teach.classes);
  const revision = useApp((s) => s.teach.revision);
  const onError = useCallback((error: string) => useApp.getState().set({ error }), []);
  const camera = useCamera(onError);

  // The classes belong to the loaded backbone: a different model shows (or starts) its own.
  useEffect(() => { void openTeachFor(model); }, [model]);

  // A photo dropped on this tab (not on a class, which takes it as an example) is a test photo.
  // Anything else (a checkpoint, a model folder) goes on to the page's own drop handling.
  const onDrop = (e: React.DragEvent) => {
    const images = [...e.dataTransfer.files].filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|gif|webp|bmp)$/i.test(f.name));
    if (images.length === 0 || status !== 'ready') return;
    e.preventDefault();
    e.stopPropagation();
    if (images.length > 1) useApp.getState().set({ notice: `${images.length} photos were dropped; the first, "${images[0].name}", is predicted. Drop photos on a class to add them as its examples.` });
    void predictPhoto(images[0]);
  };

  return (
    <div className="teach" data-testid="teach-panel" data-status={status} data-revision={revision} onDrop={onDrop}>
      <TeachExplainer />
      {status === 'no-model' && <p className="hint">Waiting for a model…</p>}
      {status === 'loading' && <p className="hint">Loading what this browser kept…</p>}
      <div className="teach-layout" hidden={status !== 'ready'}>
        <div className="teach-live">
          <TeachCamera camera={camera} />
          <PredictionBars />
        </div>
        <div className="teach-work">
          <section aria-labelledby="teach-classes-heading">
            <h3 id="teach-classes-heading">Classes</h3>
            <ol className="teach-classes">
              {classes.map((c, i) => <ClassCard key={c.id} cls={c} index={i} cameraLive={camera.status === 'live'} />)}
            </ol>
            <button type="button" data-testid="teach-add-class" disabled={classes.length >= HEAD_LIMITS.maxClasses} onClick={addClass}>
              Add a class
            </button>{' '}
            <span className="hint">{classes.length} of at most {HEAD_LIMITS.maxClasses}</span>
          </section>
          <HeadPicker />
          <EvaluationView />
          <KeepShare />
        </div>
      </div>
    </div>
  );
}
