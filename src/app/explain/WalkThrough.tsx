/** A few guided steps: the paper's observation -> Ghost module -> Ghost bottleneck -> whole network. */
import { useMemo, useState, type ReactNode } from 'react';
import { layerCosts, totals, vanillaLayerCosts } from '../../model/cost.ts';
import { useApp } from '../store.ts';
import { formatCount, formatPercent, formatRatio } from './format.ts';
import { groupLayers } from './layerGroups.ts';
import { Tex } from './Tex.tsx';

/** Id of the feature-map view in App's TABS. */
const FEATURES_TAB = 'features';

function openFeatureMaps(): boolean {
  const tabButton = document.getElementById(`tab-${FEATURES_TAB}`);
  if (!tabButton) return false;
  useApp.getState().set({ tab: FEATURES_TAB });
  requestAnimationFrame(() => document.getElementById(`tab-${FEATURES_TAB}`)?.focus());
  return true;
}

/** Numbers of the loaded model for the last two steps. */
function useModelFacts() {
  const model = useApp((s) => (s.model?.kind === 'ghostnet' ? s.model : null));
  const inputSize = useApp((s) => s.inputSize);
  return useMemo(() => {
    if (!model) return null;
    const rows = layerCosts(model.spec, inputSize);
    const vanilla = vanillaLayerCosts(model.spec, rows);
    const blocks = groupLayers(rows, vanilla).flatMap((s) => s.blocks).filter((b) => b.rows[0].block !== null && b.rows.length > 1);
    const heaviest = blocks.reduce((a, b) => (b.vanillaCost.macs - b.cost.macs > a.vanillaCost.macs - a.cost.macs ? b : a));
    const ghostMacs = rows.filter((r) => r.ghostModule !== null).reduce((a, r) => a + r.macs, 0);
    return { name: model.metadata.name, inputSize, total: totals(rows), vanillaTotal: totals(vanilla), heaviest, ghostShare: ghostMacs / totals(rows).macs };
  }, [model, inputSize]);
}

export function WalkThrough() {
  const [step, setStep] = useState(0);
  const [linkNote, setLinkNote] = useState('');
  const facts = useModelFacts();
  const steps: { title: string; body: ReactNode }[] = [
    {
      title: '1 · The observation',
      body: (
        <>
          <p>
            The paper starts from a picture (its Figure 1): feature maps of a trained ResNet-50 come in look-alike pairs, one map
            roughly a cheap transformation of another. The authors call the copies <em>ghosts</em>. If many maps are redundant,
            computing all of them with full convolutions wastes work.
          </p>
          <p>
            <button type="button" data-testid="walkthrough-features-link" onClick={() => setLinkNote(openFeatureMaps() ? '' : 'The feature-map view is not part of this build.')}>
              See intrinsic maps and their ghosts in this model
            </button>{' '}
            <span aria-live="polite">{linkNote}</span>
          </p>
        </>
      ),
    },
    {
      title: '2 · The Ghost module',
      body: (
        <p>
          So make only <Tex>{'m = n/s'}</Tex> maps with a real convolution (the <em>intrinsic</em> maps) and derive the other{' '}
          <Tex>{'(s-1)\\,m'}</Tex> from them with a cheap <Tex>{'d \\times d'}</Tex> depthwise operation. The cost drops by about{' '}
          <Tex>s</Tex> (Eq. 4 and 5). Try it in the <a href="#explainer-title">explainer</a>: with <Tex>{'d = k'}</Tex> the ratio is exactly{' '}
          <Tex>{'\\frac{s\\,c}{s+c-1}'}</Tex>.
        </p>
      ),
    },
    {
      title: '3 · The Ghost bottleneck',
      body: (
        <p>
          Two Ghost modules make a bottleneck: the first expands the channels, the second shrinks them back; between them a stride-2
          depthwise convolution where the resolution halves and sometimes squeeze-excite; a shortcut adds the input.
          {facts && (
            <>
              {' '}In {facts.name} at {facts.inputSize} px the bottleneck where Ghost modules save most is{' '}
              <strong data-testid="walkthrough-block">{facts.heaviest.id}</strong>: {formatCount(facts.heaviest.cost.macs)} multiply-adds
              instead of {formatCount(facts.heaviest.vanillaCost.macs)} with ordinary convolutions.
            </>
          )}
        </p>
      ),
    },
    {
      title: '4 · The whole network',
      body: (
        <p>
          Sixteen bottlenecks in nine stages, then a 1×1 convolution, pooling, a 1280-wide head and the classifier. The paper
          reports 141 M multiply-adds for GhostNet 1.0× at 224 × 224 (Table 7).
          {facts && (
            <>
              {' '}Counted from the loaded model: {formatCount(facts.total.macs)} at {facts.inputSize} px, of which Ghost modules do{' '}
              {formatPercent(facts.ghostShare)}; the vanilla counterpart needs {formatCount(facts.vanillaTotal.macs)} (
              {formatRatio(facts.vanillaTotal.macs / facts.total.macs)}). See the <a href="#layer-table-title">per-layer table</a> and{' '}
              <a href="#timing-title">where the time goes</a>.
            </>
          )}
        </p>
      ),
    },
  ];
  const current = steps[step];
  return (
    <section className="walkthrough" aria-labelledby="walkthrough-title" data-testid="walkthrough">
      <h3 id="walkthrough-title">Walk-through</h3>
      <ol className="walkthrough-steps" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s.title}>
            <button type="button" aria-current={i === step ? 'step' : undefined} onClick={() => setStep(i)} data-testid="walkthrough-step">
              {s.title}
            </button>
          </li>
        ))}
      </ol>
      <div className="walkthrough-body" aria-live="polite" data-testid="walkthrough-body">
        <h4>{current.title}</h4>
        {current.body}
      </div>
      <div className="walkthrough-nav">
        <button type="button" onClick={() => setStep(step - 1)} disabled={step === 0} data-testid="walkthrough-prev">Back</button>
        <button type="button" onClick={() => setStep(step + 1)} disabled={step === steps.length - 1} data-testid="walkthrough-next">Next</button>
      </div>
    </section>
  );
}
