/**
 * The generic input shell: photo, samples and webcam feed one model through `pipeline`, and the
 * shell shows what the model saw and what it predicted. Nothing here knows about GhostNet.
 */
import { classifyImage } from '../actions.ts';
import { WebcamPanel } from '../camera/WebcamPanel.tsx';
import { ImageSource } from './ImageSource.tsx';
import { ModelInputPreview } from './ModelInputPreview.tsx';
import { PredictionList } from './PredictionList.tsx';
import { SampleGallery } from './SampleGallery.tsx';
import { routeFiles } from './routeFiles.ts';
import type { InputPipeline } from './pipeline.ts';

export function InputShell({ pipeline }: { pipeline: InputPipeline }) {
  return (
    // A grid (see styles.css): photo and webcam beside what the model saw on wide screens; on a
    // phone the webcam comes first with the predictions right under it.
    <div className="input-shell">
      <ImageSource onFiles={(files) => void routeFiles(files, pipeline)} />
      <WebcamPanel pipeline={pipeline} />
      <div className="outputs">
        <ModelInputPreview />
        <PredictionList />
      </div>
      <SampleGallery onSample={(blob, file) => classifyImage(blob, file, 'sample', pipeline)} />
    </div>
  );
}
