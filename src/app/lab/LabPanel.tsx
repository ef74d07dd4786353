/**
 * The Lab tab: train the ordinary network and its Ghost twins on a CIFAR-10 subset in a Web
 * Worker, one run after another, watch them on one chart, compare them in the paper's table,
 * keep and export the results, and use a trained network in the Classify and Feature maps tabs.
 */
import { useEffect } from 'react';
import { LabChart } from './LabChart.tsx';
import { LabQueue } from './LabQueue.tsx';
import { LabResults } from './LabResults.tsx';
import { LabSetup } from './LabSetup.tsx';
import { LabText } from './LabText.tsx';
import { openLab } from './labActions.ts';
import { useLab } from './labState.ts';
import { installLabTestHooks } from './testHooks.ts';
import './lab.css';

installLabTestHooks();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function PackStatus() {
  const pack = useLab((s) => s.pack);
  const phase = useLab((s) => s.packPhase);
  const loaded = useLab((s) => s.packLoaded);
  const total = useLab((s) => s.packTotal);
  const trainCount = useLab((s) => s.trainCount);
  const testCount = useLab((s) => s.testCount);
  const backend = useLab((s) => s.backend);
  const detail = useLab((s) => s.backendDetail);
  const fallback = useLab((s) => s.backendFallback);
  const fraction = total ? Math.min(1, loaded / total) : null;
  const text =
    pack === 'ready' ? `Data: ${trainCount.toLocaleString('en')} training and ${testCount.toLocaleString('en')} test images of CIFAR-10, 32 x 32.`
    : pack === 'error' ? 'The data could not be loaded (see the message above).'
    : phase === 'decode' ? `Unpacking the images: ${loaded.toLocaleString('en')}${total ? ` of ${total.toLocaleString('en')}` : ''}…`
    : `Downloading the data: ${mb(loaded)}${total ? ` of ${mb(total)}` : ''}…`;
  return (
    <div className="lab-pack" data-testid="lab-pack-status" data-status={pack} data-phase={phase} data-loaded={loaded} data-total={total ?? ''}>
      <p>
        {text}
        {backend && <span className="hint"> Training on <span data-testid="lab-backend" data-backend={backend}>{backend}</span> ({detail}) in a background worker.</span>}
        {backend && fallback && <span className="hint" data-testid="lab-backend-fallback"> The worker fell back: {fallback}.</span>}
      </p>
      {pack === 'loading' && (
        <progress data-testid="lab-pack-progress" max={1} value={fraction ?? undefined} aria-label={phase === 'decode' ? 'Unpacking the images' : 'Downloading the data'} />
      )}
    </div>
  );
}

export function LabPanel() {
  useEffect(() => openLab(), []);
  const runs = useLab((s) => s.runs);
  return (
    <div className="lab" data-testid="lab-panel" data-runs={runs.length}>
      <LabText />
      <PackStatus />
      <div className="lab-layout">
        <div className="lab-plan">
          <LabSetup />
          <LabQueue />
        </div>
        <section className="lab-box lab-watch" aria-labelledby="lab-chart-heading">
          <h2 id="lab-chart-heading">Loss and accuracy, live</h2>
          <LabChart runs={runs} />
        </section>
      </div>
      <LabResults />
    </div>
  );
}
