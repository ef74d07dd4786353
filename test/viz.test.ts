import { interpolateViridis } from 'd3-scale-chromatic';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cellOrder, rankPairs } from '../src/app/features/ranking.ts';
import { LatestOnlyRunner } from '../src/app/features/throttle.ts';
import { packRgb, parseCssColor, viridisLut } from '../src/viz/colormap.ts';
import { GRID_STYLE, gridLayout, gridRanges, hitTest, paintGrid, slotRect } from '../src/viz/grid.ts';
import { channelRanges, createTarget, paintChannel, type MapStack } from '../src/viz/heatmap.ts';

const bytesOf = (word: number) => [...new Uint8Array(new Uint32Array([word]).buffer)];

describe('colormap', () => {
  it('packs RGBA in memory order so a Uint32 write lands as r, g, b, 255', () => {
    expect(bytesOf(packRgb(1, 2, 3))).toEqual([1, 2, 3, 255]);
  });
  it('samples d3 viridis at both ends and in the middle', () => {
    const lut = viridisLut();
    expect(lut.length).toBe(256);
    expect(bytesOf(lut[0])).toEqual([...parseCssColor(interpolateViridis(0)), 255]);
    expect(bytesOf(lut[255])).toEqual([...parseCssColor(interpolateViridis(1)), 255]);
    expect(bytesOf(lut[51])).toEqual([...parseCssColor(interpolateViridis(0.2)), 255]);
    expect(viridisLut()).toBe(lut); // built once
  });
  it('parses both CSS colour forms d3 may return', () => {
    expect(parseCssColor('#0a0B0c')).toEqual([10, 11, 12]);
    expect(parseCssColor('rgb(1, 22, 255)')).toEqual([1, 22, 255]);
    expect(() => parseCssColor('teal')).toThrow(/unsupported/);
  });
});

describe('heatmaps', () => {
  // 2 x 2 pixels, 2 channels, HWC: channel 0 = 0,1,2,3; channel 1 = 10,-10,0,5
  const stack: MapStack = { data: new Float32Array([0, 10, 1, -10, 2, 0, 3, 5]), height: 2, width: 2, channels: 2 };

  it('finds every channel range in one pass', () => {
    expect([...channelRanges(stack)]).toEqual([0, 3, -10, 10]);
  });

  it('colours a channel through the LUT and enlarges it by whole pixels', () => {
    const lut = viridisLut();
    const t = createTarget(5, 5);
    paintChannel(t, 1, 1, 2, stack, 1, { min: -10, max: 10 }, lut);
    const at = (x: number, y: number) => t.pixels[y * 5 + x];
    // value 10 -> top, -10 -> bottom, 0 -> middle (127.5 rounds to 128), 5 -> 191.25 -> 191
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      expect(at(1 + dx, 1 + dy)).toBe(lut[255]);
      expect(at(3 + dx, 1 + dy)).toBe(lut[0]);
      expect(at(1 + dx, 3 + dy)).toBe(lut[128]);
      expect(at(3 + dx, 3 + dy)).toBe(lut[191]);
    }
    expect(at(0, 0)).toBe(0); // untouched outside the map
  });

  it('gives a constant map the lowest colour instead of dividing by zero', () => {
    const flat: MapStack = { data: new Float32Array(4).fill(7), height: 2, width: 2, channels: 1 };
    const t = createTarget(2, 2);
    paintChannel(t, 0, 0, 1, flat, 0, { min: 7, max: 7 }, viridisLut());
    expect([...t.pixels]).toEqual(new Array(4).fill(viridisLut()[0]));
  });
});

describe('grid layout', () => {
  const cases = [
    [112, 112, 8, 1], [112, 112, 24, 1], [7, 7, 480, 1], [5, 5, 480, 1], [28, 28, 20, 2], [1, 1, 3, 1],
  ] as const;
  it.each(cases)('%ix%i maps, %i cells of %i ghost(s): inside the canvas, boxes never overlap, hits invert', (h, w, cells, ghosts) => {
    const layout = gridLayout(h, w, cells, ghosts);
    expect(layout.width * layout.height <= GRID_STYLE.maxArea || layout.scale === 1).toBe(true);
    expect(layout.width).toBeLessThanOrEqual(Math.max(GRID_STYLE.targetWidth, layout.cellWidth + 2 * layout.pad));
    const t = layout.boxThickness;
    expect(2 * t).toBeLessThanOrEqual(Math.min(layout.gap, layout.innerGap));
    const boxes: { x0: number; y0: number; x1: number; y1: number }[] = [];
    for (let p = 0; p < cells; p++) {
      for (let s = 0; s <= ghosts; s++) {
        const r = slotRect(layout, p, s);
        expect(r.x - t).toBeGreaterThanOrEqual(0);
        expect(r.y - t).toBeGreaterThanOrEqual(0);
        expect(r.x + r.w + t).toBeLessThanOrEqual(layout.width);
        expect(r.y + r.h + t).toBeLessThanOrEqual(layout.height);
        expect(hitTest(layout, r.x + r.w / 2, r.y + r.h / 2)).toEqual({ position: p, slot: s });
        expect(hitTest(layout, r.x, r.y)).toEqual({ position: p, slot: s });
        expect(hitTest(layout, r.x + r.w - 1, r.y + r.h - 1)).toEqual({ position: p, slot: s });
        boxes.push({ x0: r.x - t, y0: r.y - t, x1: r.x + r.w + t, y1: r.y + r.h + t });
      }
    }
    if (boxes.length <= 200) {
      for (let a = 0; a < boxes.length; a++) {
        for (let b = a + 1; b < boxes.length; b++) {
          const overlap = boxes[a].x0 < boxes[b].x1 && boxes[b].x0 < boxes[a].x1 && boxes[a].y0 < boxes[b].y1 && boxes[b].y0 < boxes[a].y1;
          expect(overlap).toBe(false);
        }
      }
    }
    expect(hitTest(layout, 0, 0)).toBeNull();
    expect(hitTest(layout, layout.width - 1, layout.height - 1)).toBeNull();
  });
});

describe('grid painting', () => {
  it('puts each intrinsic map left of its ghost in the given order, boxes in the gaps', () => {
    // 3 intrinsic + 3 ghost maps of 1 x 2; intrinsic c is constant-free: [c, c + 1]
    const intrinsic: MapStack = { data: new Float32Array([0, 1, 2, 1, 2, 3]), height: 1, width: 2, channels: 3 };
    const ghost: MapStack = { data: new Float32Array([5, 4, 3, 4, 5, 6]), height: 1, width: 2, channels: 3 };
    const layout = gridLayout(1, 2, 3, 1);
    const target = createTarget(layout.width, layout.height);
    const lut = viridisLut();
    const red = packRgb(255, 0, 0);
    paintGrid(target, layout, { intrinsic, ghost, order: [2, 0, 1], normalisation: 'per-map', boxes: [{ ghost: 0, colour: red }], lut, background: packRgb(255, 255, 255) }, gridRanges(intrinsic, ghost));
    const px = (x: number, y: number) => target.pixels[y * target.width + x];
    // Position 0 shows intrinsic 2 (values 2 -> 3: low then high) and ghost 2 (3 -> 6: low then high).
    const i0 = slotRect(layout, 0, 0);
    expect(px(i0.x, i0.y)).toBe(lut[0]);
    expect(px(i0.x + i0.w - 1, i0.y)).toBe(lut[255]);
    // Position 1 shows ghost 0, values 5 -> 4: high then low.
    const g1 = slotRect(layout, 1, 1);
    expect(px(g1.x, g1.y)).toBe(lut[255]);
    expect(px(g1.x + g1.w - 1, g1.y)).toBe(lut[0]);
    // Pair 0 (at position 1) is boxed on both maps, pair 2 is not.
    const i1 = slotRect(layout, 1, 0);
    expect(px(i1.x - 1, i1.y)).toBe(red);
    expect(px(g1.x + g1.w, g1.y + g1.h)).toBe(red);
    expect(px(i0.x - 1, i0.y)).toBe(packRgb(255, 255, 255));
  });

  it('shared normalisation colours all maps on one range', () => {
    const intrinsic: MapStack = { data: new Float32Array([0, 1]), height: 1, width: 2, channels: 1 };
    const ghost: MapStack = { data: new Float32Array([0, 2]), height: 1, width: 2, channels: 1 };
    const layout = gridLayout(1, 2, 1, 1);
    const target = createTarget(layout.width, layout.height);
    const lut = viridisLut();
    paintGrid(target, layout, { intrinsic, ghost, order: [0], normalisation: 'shared', boxes: [], lut, background: 0 }, gridRanges(intrinsic, ghost));
    const i = slotRect(layout, 0, 0);
    expect(target.pixels[i.y * target.width + i.x + i.w - 1]).toBe(lut[128]); // 1 of 0..2
  });
});

describe('pair ranking', () => {
  const pairs = [
    { ghost: 0, intrinsic: 0, cosine: 0.1, pearson: 0.9 },
    { ghost: 1, intrinsic: 1, cosine: 0.8, pearson: -0.2 },
    { ghost: 2, intrinsic: 2, cosine: 0.5, pearson: 0.3 },
  ];
  it('sorts by the chosen metric, most similar first', () => {
    expect(rankPairs(pairs, 'cosine').map((p) => p.ghost)).toEqual([1, 2, 0]);
    expect(rankPairs(pairs, 'pearson').map((p) => p.ghost)).toEqual([0, 2, 1]);
  });
  it('orders grid cells by their best pair, or keeps channel order', () => {
    expect(cellOrder(pairs, 3, 'cosine', true)).toEqual([1, 2, 0]);
    expect(cellOrder(pairs, 3, 'cosine', false)).toEqual([0, 1, 2]);
  });
});

describe('LatestOnlyRunner', () => {
  afterEach(() => vi.useRealTimers());

  it('runs one job at a time and collapses requests made meanwhile into one re-run', async () => {
    vi.useFakeTimers();
    const now = 0;
    const releases: (() => void)[] = [];
    let started = 0;
    const runner = new LatestOnlyRunner(() => new Promise((resolve) => { started++; releases.push(() => resolve(null)); }), () => now);
    runner.request(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe(1);
    for (let i = 0; i < 5; i++) runner.request(0);
    await vi.advanceTimersByTimeAsync(10);
    expect(started).toBe(1);
    releases[0]();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe(2);
    releases[1]();
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    runner.dispose();
  });

  it('keeps webcam-rate requests at least the interval apart', async () => {
    vi.useFakeTimers();
    const starts: number[] = [];
    const runner = new LatestOnlyRunner(async () => { starts.push(Date.now()); return null; }, () => Date.now());
    const t0 = Date.now();
    for (let t = 0; t < 3000; t += 33) {
      runner.request(1000);
      await vi.advanceTimersByTimeAsync(33);
    }
    runner.dispose();
    const gaps = starts.slice(1).map((s, i) => s - starts[i]);
    expect(starts[0] - t0).toBeLessThan(1);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(1000);
  });

  it('honours a job asking to run again later', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const runner = new LatestOnlyRunner(async () => (++runs === 1 ? 500 : null), () => Date.now());
    runner.request(0);
    await vi.advanceTimersByTimeAsync(499);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(runs).toBe(2);
    runner.dispose();
  });
});
