/** "Why it's cheap": the paper's cost argument with the numbers of the loaded model. */
import { Explainer } from './Explainer.tsx';
import { LayerTable } from './LayerTable.tsx';
import { TimingSection } from './TimingSection.tsx';
import { WalkThrough } from './WalkThrough.tsx';
import './teach.css';

export function TeachPanel() {
  return (
    <section className="teach" aria-labelledby="teach-title" data-testid="teach-panel">
      <h2 id="teach-title">Why it&apos;s cheap</h2>
      <WalkThrough />
      <Explainer />
      <LayerTable />
      <TimingSection />
    </section>
  );
}
