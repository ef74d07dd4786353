/**
 * The network as a compact map: stages of bottlenecks, each with its two Ghost modules, their
 * output shape at the current input size and (once known) a swatch of their mean pair similarity.
 * One radio group: arrow keys walk the modules in forward order.
 */
import { useRef, type KeyboardEvent } from 'react';
import { featureSizes, type GhostModuleSpec, type NetworkSpec } from '../../model/architecture.ts';
import { interpolateViridis } from 'd3-scale-chromatic';
import type { ModuleRedundancy } from './redundancy.ts';
import type { Metric } from './ranking.ts';

interface Props {
  readonly spec: NetworkSpec;
  readonly inputSize: number;
  readonly selected: string;
  readonly onSelect: (moduleId: string) => void;
  readonly redundancy: readonly ModuleRedundancy[] | null;
  readonly metric: Metric;
}

interface Entry {
  readonly module: GhostModuleSpec;
  readonly stage: number;
  readonly block: number;
  readonly which: 1 | 2;
  readonly size: number;
}

export function moduleEntries(spec: NetworkSpec, inputSize: number): Entry[] {
  const sizes = featureSizes(spec, inputSize);
  return spec.blocks.flatMap((b, i) => [
    { module: b.ghost1, stage: b.stage, block: b.index, which: 1 as const, size: sizes.blockIn[i] },
    { module: b.ghost2, stage: b.stage, block: b.index, which: 2 as const, size: sizes.blockMid[i] },
  ]);
}

export function describeModule(e: Entry): string {
  const m = e.module;
  return `${m.id}: stage ${e.stage}, bottleneck ${e.block}, ${e.which === 1 ? 'first (expanding, ReLU)' : 'second (projecting, no ReLU)'} Ghost module; ` +
    `${m.inChannels} → ${m.outChannels} channels as ${m.initChannels} intrinsic + ${m.newChannels} ghost maps of ${e.size} × ${e.size}`;
}

export function ModuleMap({ spec, inputSize, selected, onSelect, redundancy, metric }: Props) {
  const entries = moduleEntries(spec, inputSize);
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const means = new Map(redundancy?.map((r) => [r.moduleId, metric === 'cosine' ? r.meanCosine : r.meanPearson]));
  const stages = [...new Set(entries.map((e) => e.stage))];

  const onKeyDown = (e: KeyboardEvent) => {
    const i = entries.findIndex((x) => x.module.id === selected);
    const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: entries.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = entries[(next + entries.length) % entries.length].module.id;
    onSelect(target);
    buttons.current.get(target)?.focus();
  };

  return (
    <div className="module-map" role="radiogroup" aria-label="Ghost module (arrow keys move through the network)" data-testid="module-map" onKeyDown={onKeyDown}>
      {stages.map((stage) => (
        <div className="module-stage" key={stage}>
          <div className="module-stage-label" aria-hidden="true">stage {stage}</div>
          <div className="module-stage-blocks">
            {entries.filter((e) => e.stage === stage).map((e) => {
              const mean = means.get(e.module.id);
              return (
                <button
                  key={e.module.id}
                  ref={(el) => { if (el) buttons.current.set(e.module.id, el); else buttons.current.delete(e.module.id); }}
                  type="button"
                  role="radio"
                  aria-checked={selected === e.module.id}
                  tabIndex={selected === e.module.id ? 0 : -1}
                  className="module-option"
                  data-testid="module-option"
                  data-module-id={e.module.id}
                  title={describeModule(e)}
                  aria-label={`${describeModule(e)}${mean === undefined ? '' : `; mean ${metric} ${mean.toFixed(3)}`}`}
                  onClick={() => onSelect(e.module.id)}
                >
                  <span className="module-name">{e.block}.g{e.which}</span>
                  <span className="module-shape">{e.module.initChannels}+{e.module.newChannels}</span>
                  <span className="module-shape">{e.size}²</span>
                  <span
                    className="module-swatch"
                    aria-hidden="true"
                    style={{ background: mean === undefined ? 'transparent' : interpolateViridis(Math.min(1, Math.max(0, (mean + 1) / 2))) }}
                  />
                </button>
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );
}
