/**
 * The network as a compact map: GhostNet's stages of bottlenecks, each with its two Ghost modules
 * (a lab network: its convolutions by map size, Ghost modules and ordinary ones), their output
 * shape at the current input size and (once known) a swatch of their mean pair similarity. The
 * entries come from the model (`moduleEntries`). One radio group: arrow keys walk them in forward order.
 */
import { useRef, type KeyboardEvent } from 'react';
import type { ModuleEntry } from '../../model/index.ts';
import { interpolateViridis } from 'd3-scale-chromatic';
import type { ModuleRedundancy } from './redundancy.ts';
import type { Metric } from './ranking.ts';

interface Props {
  readonly entries: readonly ModuleEntry[];
  readonly selected: string;
  readonly onSelect: (moduleId: string) => void;
  readonly redundancy: readonly ModuleRedundancy[] | null;
  readonly metric: Metric;
}

export function ModuleMap({ entries, selected, onSelect, redundancy, metric }: Props) {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const means = new Map(redundancy?.map((r) => [r.moduleId, metric === 'cosine' ? r.meanCosine : r.meanPearson]));
  const groups = [...new Set(entries.map((e) => e.group))];

  const onKeyDown = (e: KeyboardEvent) => {
    const i = entries.findIndex((x) => x.id === selected);
    const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: entries.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = entries[(next + entries.length) % entries.length].id;
    onSelect(target);
    buttons.current.get(target)?.focus();
  };

  return (
    <div className="module-map" role="radiogroup" aria-label="Ghost module (arrow keys move through the network)" data-testid="module-map" onKeyDown={onKeyDown}>
      {groups.map((group) => (
        <div className="module-stage" key={group}>
          <div className="module-stage-label" aria-hidden="true">{group}</div>
          <div className="module-stage-blocks">
            {entries.filter((e) => e.group === group).map((e) => {
              const mean = means.get(e.id);
              return (
                <button
                  key={e.id}
                  ref={(el) => { if (el) buttons.current.set(e.id, el); else buttons.current.delete(e.id); }}
                  type="button"
                  role="radio"
                  aria-checked={selected === e.id}
                  tabIndex={selected === e.id ? 0 : -1}
                  className="module-option"
                  data-testid="module-option"
                  data-module-id={e.id}
                  data-ghost={e.module !== null}
                  title={e.description}
                  aria-label={`${e.description}${mean === undefined ? '' : `; mean ${metric} ${mean.toFixed(3)}`}`}
                  onClick={() => onSelect(e.id)}
                >
                  <span className="module-name">{e.label}</span>
                  <span className="module-shape">{e.module ? `${e.module.initChannels}+${e.module.newChannels}` : e.outChannels}</span>
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
