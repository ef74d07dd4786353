/** The cost rows of a network grouped for display: sections (stem, stages, head) -> bottlenecks -> layers. */
import { totals, type CostTotals, type LayerCost } from '../../model/cost.ts';

export interface BlockGroup {
  /** `blocks.S.B`, or the layer id for rows outside bottlenecks. */
  readonly id: string;
  readonly rows: readonly LayerCost[];
  /** The vanilla counterpart's rows for the same bottleneck. */
  readonly vanillaRows: readonly LayerCost[];
  readonly cost: CostTotals;
  readonly vanillaCost: CostTotals;
}

export interface SectionGroup {
  readonly id: string;
  readonly label: string;
  readonly blocks: readonly BlockGroup[];
  readonly cost: CostTotals;
  readonly vanillaCost: CostTotals;
}

function sectionOf(r: LayerCost): { id: string; label: string } {
  if (r.stage !== null) return { id: `stage-${r.stage}`, label: `Stage ${r.stage}` };
  return r.role === 'stem' ? { id: 'stem', label: 'Stem' } : { id: 'head', label: 'Head' };
}

/** Consecutive runs of equal keys, in order. */
function runs<T>(items: readonly T[], key: (t: T) => string): { key: string; items: T[] }[] {
  const out: { key: string; items: T[] }[] = [];
  for (const item of items) {
    const k = key(item);
    if (out.length > 0 && out[out.length - 1].key === k) out[out.length - 1].items.push(item);
    else out.push({ key: k, items: [item] });
  }
  return out;
}

export function groupLayers(rows: readonly LayerCost[], vanillaRows: readonly LayerCost[]): SectionGroup[] {
  const blockKey = (r: LayerCost) => r.block ?? r.id;
  const vanillaByBlock = new Map<string, LayerCost[]>();
  for (const r of vanillaRows) vanillaByBlock.set(blockKey(r), [...(vanillaByBlock.get(blockKey(r)) ?? []), r]);
  return runs(rows, (r) => sectionOf(r).id).map((section) => {
    const blocks = runs(section.items, blockKey).map((b): BlockGroup => {
      const vanilla = vanillaByBlock.get(b.key) ?? [];
      return { id: b.key, rows: b.items, vanillaRows: vanilla, cost: totals(b.items), vanillaCost: totals(vanilla) };
    });
    return {
      id: section.key,
      label: sectionOf(section.items[0]).label,
      blocks,
      cost: totals(section.items),
      vanillaCost: totals(blocks.flatMap((b) => b.vanillaRows)),
    };
  });
}
