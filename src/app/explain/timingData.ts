/** Measured step times joined with each step's multiply-adds and stage, from the cost rows (pure). */
import { stepCosts, type LayerCost } from '../../model/cost.ts';
import type { StepTiming } from '../../model/index.ts';

export interface StepPoint {
  readonly step: string;
  /** Section label: "stem", "stage 3", "head"... */
  readonly section: string;
  readonly ms: number;
  readonly macs: number;
  readonly msShare: number;
  readonly macsShare: number;
}

function sectionLabel(r: LayerCost): string {
  if (r.stage !== null) return `stage ${r.stage}`;
  return r.role === 'stem' ? 'stem' : 'head';
}

/**
 * One point per profiled step, in forward order. Steps without weighted layers (identity
 * shortcuts: just an addition) have 0 multiply-adds and the section of the step before them.
 */
export function joinTimings(timings: readonly StepTiming[], rows: readonly LayerCost[]): StepPoint[] {
  const macsByStep = new Map(stepCosts(rows).map((c) => [c.step, c.macs]));
  const sectionByStep = new Map(rows.map((r) => [r.step, sectionLabel(r)]));
  const totalMs = timings.reduce((a, t) => a + t.ms, 0) || 1;
  const totalMacs = rows.reduce((a, r) => a + r.macs, 0) || 1;
  let section = 'stem';
  return timings.map((t) => {
    section = sectionByStep.get(t.id) ?? section;
    const macs = macsByStep.get(t.id) ?? 0;
    return { step: t.id, section, ms: t.ms, macs, msShare: t.ms / totalMs, macsShare: macs / totalMacs };
  });
}
