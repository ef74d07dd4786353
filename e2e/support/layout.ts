/** Layout measurements for the phone and desktop tests: overflow, touch targets, the tabs. */
import { expect, type Page } from '@playwright/test';

export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;
export const DESKTOP = { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false } as const;

/** The ids of the page's tabs (from `tab-<id>`), in order: whatever tabs this build has. */
export function tabIds(page: Page): Promise<string[]> {
  return page.getByRole('tab').evaluateAll((els) => els.map((e) => e.id.replace(/^tab-/, '')));
}

/** Open a tab by tapping or clicking it (Playwright scrolls the tab strip to it first). */
export async function openTab(page: Page, id: string, touch = false): Promise<void> {
  const tab = page.locator(`#tab-${id}`);
  await (touch ? tab.tap() : tab.click());
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator(`#panel-${id}`)).toBeVisible();
}

/**
 * Wait until nothing on the page says it is busy and layout has settled: the page's size and the
 * boxes of its landmarks and sections unchanged over 3 animation frames in a row (counted, not timed).
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-busy="true"], [aria-busy="true"]'), null, { timeout: 120_000 });
  await page.waitForFunction(() => {
    const w = window as unknown as { __layoutSignature?: string; __layoutSameFrames?: number };
    const boxes = [...document.querySelectorAll('header, nav, main, aside, section, [role="tabpanel"]')].map((e) => {
      const r = e.getBoundingClientRect();
      return `${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)},${Math.round(r.height)}`;
    });
    const signature = `${document.documentElement.scrollWidth}x${document.documentElement.scrollHeight}|${boxes.join(';')}`;
    w.__layoutSameFrames = signature === w.__layoutSignature ? (w.__layoutSameFrames ?? 0) + 1 : 0;
    w.__layoutSignature = signature;
    return w.__layoutSameFrames >= 3;
  }, null, { polling: 'raf', timeout: 60_000 });
}

/** How far the page can scroll sideways (0 when nothing is wider than the viewport). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
}

/** Elements wider than the viewport's right edge, for a readable failure message. */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const out: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) {
        // Only the outermost offender of each branch.
        const parent = el.parentElement?.getBoundingClientRect();
        if (parent && parent.right > width + 0.5) continue;
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${r.right.toFixed(0)}`);
      }
    }
    return out;
  });
}

/**
 * Visible controls smaller than `min` x `min` CSS px. A checkbox counts as its label (that is what
 * is tapped); links inside running text are exempt (WCAG 2.5.8's inline exception); a file input
 * counts as the label that shows it.
 */
export function smallTargets(page: Page, min = 44): Promise<string[]> {
  return page.evaluate((min) => {
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const targets = new Set<Element>();
    for (const el of document.querySelectorAll('button, select, input, summary, [role="tab"], a[href], [tabindex="0"]')) {
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio' || el.type === 'file')) {
        const label = el.closest('label');
        if (label) targets.add(label);
        continue;
      }
      if (el instanceof HTMLAnchorElement && el.closest('p, li, figcaption, td, dd')) continue;
      targets.add(el);
    }
    const small: string[] = [];
    for (const el of targets) {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue; // not shown
      if (r.width + 0.5 < min || r.height + 0.5 < min) small.push(`${describe(el)} ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
    }
    return small;
  }, min);
}

/** The element's box in viewport coordinates. */
export async function box(page: Page, testId: string, nth = 0): Promise<{ top: number; bottom: number; left: number; right: number }> {
  return page.getByTestId(testId).nth(nth).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  });
}
