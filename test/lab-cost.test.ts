/**
 * The lab network's parameter and multiply-add counts (src/model/cost.ts: labLayerCosts, the
 * explainer's counting code) equal PyTorch's count of the same network (test/fixtures/lab/counts.json:
 * parameters summed over the module, multiply-adds counted by forward hooks), for several
 * configurations and widths; the tensor table (names, PyTorch shapes) equals the state_dict; bad
 * configuration names get a one-line error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labCost, labLayerCosts } from '../src/model/cost.ts';
import { labNetwork, labParameterCount, labTensors, parseLabConfig } from '../src/lab/spec.ts';
import { FIXTURES } from './helpers.ts';

interface CountRow { config: string; width: number; classes: number; params: number; multiplyAdds: number; shapes: Record<string, number[]> }
const counts: { configs: CountRow[] } = JSON.parse(readFileSync(path.join(FIXTURES, 'lab', 'counts.json'), 'utf8'));

describe('lab counts equal PyTorch', () => {
  it('covers the configurations the issue names', () => {
    const names = new Set(counts.configs.map((c) => `${c.config}@${c.width}`));
    for (const n of ['vanilla@1', 's2d1@1', 's2d3@1', 's3d5@1', 's4d7@1', 's5d3@1', 'vanilla@0.5']) expect(names.has(n), n).toBe(true);
  });
  for (const row of counts.configs) {
    it(`${row.config} width ${row.width}, ${row.classes} classes`, () => {
      const spec = labNetwork(parseLabConfig(row.config), { width: row.width, classes: row.classes });
      const cost = labCost(spec);
      expect(cost.params).toBe(row.params);
      expect(cost.macs).toBe(row.multiplyAdds);
      expect(labParameterCount(spec)).toBe(row.params);
      const tensors = labTensors(spec);
      expect(tensors.map((t) => t.name)).toEqual(Object.keys(row.shapes));
      for (const t of tensors) expect(t.torchShape, t.name).toEqual(row.shapes[t.name]);
      // one row per weighted layer: a Ghost configuration has two per module
      const rows = labLayerCosts(spec);
      expect(rows.length).toBe(row.config === 'vanilla' ? 7 : 12);
    });
  }
  it('a Ghost configuration saves about s times the multiply-adds of the convolutions it replaces', () => {
    const v = labLayerCosts(labNetwork(parseLabConfig('vanilla')));
    const g = labLayerCosts(labNetwork(parseLabConfig('s2d3')));
    const conv5 = v.find((r) => r.id === 'convs.5.conv')!.macs;
    const ghost5 = g.filter((r) => r.ghostModule === 'convs.5').reduce((a, r) => a + r.macs, 0);
    expect(conv5 / ghost5).toBeGreaterThan(1.9);
    expect(conv5 / ghost5).toBeLessThan(2);
  });
});

describe('lab configurations', () => {
  it('parses vanilla and sSdD', () => {
    expect(parseLabConfig('vanilla')).toEqual({ name: 'vanilla', kind: 'vanilla' });
    expect(parseLabConfig('s4d7')).toEqual({ name: 's4d7', kind: 'ghost', s: 4, d: 7 });
  });
  for (const bad of ['', 'ghost', 's1d3', 's6d3', 's2d2', 's2d9', 'S2D3', 's2d3x', 'vanilla2']) {
    it(`rejects "${bad}" with one line`, () => {
      expect(() => parseLabConfig(bad)).toThrowError(/^unknown configuration ".*": use vanilla or sSdD with s in 2\.\.5, d in 1,3,5,7$/);
    });
  }
  it('rejects a bad width or class count', () => {
    expect(() => labNetwork(parseLabConfig('vanilla'), { width: 0 })).toThrowError(/width/);
    expect(() => labNetwork(parseLabConfig('vanilla'), { width: Number.NaN })).toThrowError(/width/);
    expect(() => labNetwork(parseLabConfig('vanilla'), { classes: 1 })).toThrowError(/classes/);
  });
});
