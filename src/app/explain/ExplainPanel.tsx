/** "Why it's cheap": the paper's cost argument with the numbers of the loaded model. */
import { Explainer } from './Explainer.tsx';
import { LayerTable } from './LayerTable.tsx';
import { TimingSection } from './TimingSection.tsx';
import { WalkThrough } from './WalkThrough.tsx';
import './explain.css';

export function ExplainPanel() {
  return (
    <section className="explain" aria-labelledby="explain-title" data-testid="explain-panel">
      <h2 id="explain-title">Why it&apos;s cheap</h2>
      <WalkThrough />
      <Explainer />
      <LayerTable />
      <TimingSection />
    </section>
  );
}
