/** Choose a run (configuration, width, epochs, images, seeds) and queue it; presets queue the paper's Tables 1 and 2. */
import { useState } from 'react';
import { labNetwork, parseLabConfig, LAB_KERNELS, LAB_RATIOS } from '../../lab/spec.ts';
import { labCost } from '../../model/cost.ts';
import { useApp } from '../store.ts';
import { enqueue, type RunPlan } from './labActions.ts';
import { LAB_SETTINGS } from './labSettings.ts';
import { useLab } from './labState.ts';
import { formatCount } from '../explain/format.ts';

const { defaults, limits } = LAB_SETTINGS;

/** Table 1 of the paper: d = 1, 3, 5, 7 at s = 2, next to the ordinary network. */
export const TABLE_1 = ['vanilla', 's2d1', 's2d3', 's2d5', 's2d7'] as const;
/** Table 2: s = 2, 3, 4, 5 at d = 3, next to the ordinary network. */
export const TABLE_2 = ['vanilla', 's2d3', 's3d3', 's4d3', 's5d3'] as const;

function intIn(text: string, min: number, max: number): number | null {
  const v = Number(text);
  return Number.isInteger(v) && v >= min && v <= max ? v : null;
}

export function LabSetup() {
  const ready = useLab((s) => s.pack === 'ready');
  const trainCount = useLab((s) => s.trainCount);
  const [kind, setKind] = useState<'vanilla' | 'ghost'>('ghost');
  const [s, setS] = useState(2);
  const [d, setD] = useState(3);
  const [width, setWidth] = useState<number>(defaults.width);
  const [epochs, setEpochs] = useState(String(defaults.epochs));
  const [images, setImages] = useState(String(defaults.trainImages));
  const [seed, setSeed] = useState(String(defaults.seed));
  const [seeds, setSeeds] = useState(String(defaults.seeds));
  const config = kind === 'vanilla' ? 'vanilla' : `s${s}d${d}`;
  const maxImages = trainCount || limits.maxImages;

  const fields = {
    epochs: intIn(epochs, 1, limits.maxEpochs),
    images: intIn(images, limits.minImages, maxImages),
    seed: intIn(seed, 0, 2 ** 31 - 1),
    seeds: intIn(seeds, 1, limits.maxSeeds),
  };
  const problem =
    fields.epochs === null ? `Epochs: a whole number from 1 to ${limits.maxEpochs}.`
    : fields.images === null ? `Training images: a whole number from ${limits.minImages} to ${maxImages.toLocaleString('en')}.`
    : fields.seed === null ? 'Seed: a whole number from 0.'
    : fields.seeds === null ? `Seeds: 1 to ${limits.maxSeeds}.` : null;

  const plans = (configs: readonly string[]): RunPlan[] =>
    configs.flatMap((c) => Array.from({ length: fields.seeds! }, (_, k) => ({ config: c, width, epochs: fields.epochs!, seed: fields.seed! + k, trainImages: fields.images! })));
  const queue = (configs: readonly string[]) => {
    if (problem) { useApp.getState().set({ error: problem }); return; }
    enqueue(plans(configs));
  };
  const cost = labCost(labNetwork(parseLabConfig(config), { width }));

  return (
    <section className="lab-box lab-setup" aria-labelledby="lab-setup-heading">
      <h2 id="lab-setup-heading">Plan a run</h2>
      <div className="lab-fields">
        <label>Network
          <select data-testid="lab-kind" value={kind} onChange={(e) => setKind(e.target.value as 'vanilla' | 'ghost')}>
            <option value="vanilla">Ordinary (vanilla)</option>
            <option value="ghost">Ghost modules</option>
          </select>
        </label>
        <label>Ratio s
          <select data-testid="lab-s" value={s} disabled={kind !== 'ghost'} onChange={(e) => setS(Number(e.target.value))}>
            {LAB_RATIOS.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </label>
        <label>Cheap kernel d
          <select data-testid="lab-d" value={d} disabled={kind !== 'ghost'} onChange={(e) => setD(Number(e.target.value))}>
            {LAB_KERNELS.map((v) => <option key={v} value={v}>{v} x {v}</option>)}
          </select>
        </label>
        <label>Width
          <select data-testid="lab-width" value={width} onChange={(e) => setWidth(Number(e.target.value))}>
            {LAB_SETTINGS.widths.map((v) => <option key={v} value={v}>{v}x</option>)}
          </select>
        </label>
        <label>Epochs
          <input data-testid="lab-epochs" type="number" inputMode="numeric" min={1} max={limits.maxEpochs} value={epochs} onChange={(e) => setEpochs(e.target.value)} />
        </label>
        <label>Training images
          <input data-testid="lab-images" type="number" inputMode="numeric" min={limits.minImages} max={maxImages} step={100} list="lab-image-choices" value={images} onChange={(e) => setImages(e.target.value)} />
          <datalist id="lab-image-choices">{LAB_SETTINGS.imageChoices.map((v) => <option key={v} value={v} />)}</datalist>
        </label>
        <label>Seed
          <input data-testid="lab-seed" type="number" inputMode="numeric" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        <label>Seeds per configuration
          <input data-testid="lab-seeds" type="number" inputMode="numeric" min={1} max={limits.maxSeeds} value={seeds} onChange={(e) => setSeeds(e.target.value)} />
        </label>
      </div>
      <p className="hint">
        {kind === 'vanilla' ? 'Ordinary 3 x 3 convolutions' : `Every convolution but the first is a Ghost module: a 3 x 3 primary convolution to 1/${s} of the maps, the rest from a ${d} x ${d} depthwise convolution`} · {formatCount(cost.params)} parameters, {formatCount(cost.macs)} multiply-adds per image
        {problem && <span className="lab-problem" role="alert"> · {problem}</span>}
      </p>
      <div className="lab-actions">
        <button type="button" className="button-primary" data-testid="lab-run" disabled={problem !== null} onClick={() => queue([config])}>
          Queue {config === 'vanilla' ? 'ordinary' : config}{fields.seeds && fields.seeds > 1 ? ` × ${fields.seeds} seeds` : ''}
        </button>
        <button type="button" data-testid="lab-preset-table1" disabled={problem !== null} onClick={() => queue(TABLE_1)} title={TABLE_1.join(', ')}>
          Queue Table 1 (d = 1, 3, 5, 7 at s = 2)
        </button>
        <button type="button" data-testid="lab-preset-table2" disabled={problem !== null} onClick={() => queue(TABLE_2)} title={TABLE_2.join(', ')}>
          Queue Table 2 (s = 2, 3, 4, 5 at d = 3)
        </button>
      </div>
      {!ready && <p className="hint">Runs start once the data is loaded.</p>}
    </section>
  );
}
