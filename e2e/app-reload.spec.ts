/**
 * What a reload brings back, checked against the CLI rather than against the page's own earlier
 * answers (one shared page, opened with no ?backend= so the remembered choice is what counts):
 * - a hand-brought 1000-class checkpoint that was kept: restored from IndexedDB at its own 224 px
 *   and centre crop, every label and probability equal to the CLI's for the same checkpoint;
 * - the classes taught on it (Teach tab): every class's score equal to `classify --head`;
 * - the backend chosen in the selector (cpu, which the app never picks by itself): restored and
 *   running the model;
 * - a size chosen for another model: remembered for that model only.
 * The downloaded ImageNet model's reload is checked the same way in imagenet.spec.ts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sample, upload } from './support/app.ts';
import { cliClassify } from './support/cli.ts';
import { useSharedPage } from './support/shared.ts';

const KEPT = 'test/fixtures/imagenet/ghostnet_100_imagenet1k_from_imagenette.safetensors';
const KEPT_NAME = 'GhostNet 1.0x · ImageNet-1k';
const SHIPPED = 'public/models/ghostnet_100_imagenette';
const SHIPPED_ID = 'ghostnet_100_imagenette';
/** A gas pump (top-1 and probabilities depend on the size) and the church. */
const PHOTOS = ['n03425413_19401.JPEG', 'n03028079_16731.JPEG'];
/** The size chosen for the shipped model (its own is 160). */
const CHOSEN = 192;
/** README: page against CLI, probabilities within 1e-3; Teach scores within 1e-4. */
const PROBABILITY_TOLERANCE = 1e-3;
const TEACH_TOLERANCE = 1e-4;

const FEWSHOT = 'test/fixtures/fewshot/cifar10';
const CLASSES = ['airplane', 'cat'];
const teachPhotos = Object.fromEntries(CLASSES.map((c) => [c, readdirSync(path.join(FEWSHOT, 'teach5', c)).sort().map((f) => path.join(FEWSHOT, 'teach5', c, f))]));
const testPhotos = CLASSES.map((c) => path.join(FEWSHOT, 'heldout', c, readdirSync(path.join(FEWSHOT, 'heldout', c)).sort()[0]));

/** The CLI's side: teach the same photos on the same checkpoint, then `classify --head`: every class's probability per test photo. */
function cliTaughtScores(): Map<string, Map<string, number>> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-e2e-reload-'));
  for (const c of CLASSES) {
    mkdirSync(path.join(work, 'classes', c), { recursive: true });
    for (const f of teachPhotos[c]) cpSync(f, path.join(work, 'classes', c, path.basename(f)));
  }
  const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
  const head = path.join(work, 'head.json');
  cli(['teach', KEPT, path.join(work, 'classes'), '--out', head, '--json']);
  const scores = new Map<string, Map<string, number>>();
  for (const line of cli(['classify', KEPT, ...testPhotos, '--head', head, '--json']).trim().split('\n')) {
    const r = JSON.parse(line) as { file: string; predictions: { label: string; probability: number }[] };
    scores.set(path.basename(r.file), new Map(r.predictions.map((p) => [p.label, p.probability])));
  }
  return scores;
}

const shared = useSharedPage();

const card = (page: Page, name: string) => page.locator(`[data-testid="teach-class"][data-class-name="${name}"]`);

async function ready(page: Page, backend?: string): Promise<void> {
  if (backend) await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', backend, { timeout: 120_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
}

async function chooseModel(page: Page, id: string): Promise<void> {
  await page.getByTestId('model-select').selectOption(id);
  await expect(page.getByTestId('model-select')).toHaveValue(id);
  await ready(page);
}

/** The five predictions on screen. */
async function predictions(page: Page): Promise<{ names: string[]; probabilities: number[] }> {
  const names = await page.getByTestId('prediction-label').allTextContents();
  const probabilities = await page.getByTestId('prediction-probability').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  return { names, probabilities };
}

const describe = (p: { names: string[]; probabilities: number[] }) => p.names.map((n, i) => `${n} ${(p.probabilities[i] * 100).toFixed(2)}%`).join(', ');

/** Upload each photo and compare every label and probability with the CLI's for `model` at `size`. */
async function expectCliAnswers(page: Page, model: string, size: number, what: string): Promise<void> {
  const cli = cliClassify(model, PHOTOS.map(sample), size);
  for (const photo of PHOTOS) {
    await upload(page, sample(photo));
    await expect(page.getByTestId('model-input-preview')).toHaveAttribute('data-size', String(size));
    const shown = await predictions(page);
    const expected = cli.get(photo)!;
    console.log(`[reload] ${what}, ${photo}: page ${describe(shown)}; CLI at ${size} px: ${describe(expected)}`);
    expect(shown.names, photo).toEqual(expected.names);
    shown.probabilities.forEach((p, i) => expect(Math.abs(p - expected.probabilities[i]), `${photo}: ${expected.names[i]}`).toBeLessThan(PROBABILITY_TOLERANCE));
  }
}

let keptId = '';

test('before the reload: a hand-brought checkpoint kept, classes taught on it, a size chosen for another model, the cpu backend chosen', async () => {
  test.setTimeout(600_000);
  const { page } = shared();
  await page.goto('./');
  await ready(page);

  await page.getByTestId('model-file-input').setInputFiles(KEPT);
  await expect(page.getByTestId('cached-model-keep')).toContainText(`Keep “${KEPT_NAME}” in this browser`, { timeout: 180_000 });
  await ready(page);
  await expect(page.getByTestId('size-select')).toHaveValue('224');
  await page.getByTestId('cached-model-keep').click();
  await expect(page.getByTestId('cached-storage')).toHaveAttribute('data-count', '1');
  keptId = await page.getByTestId('model-select').inputValue();
  expect(keptId).toMatch(/^saved-/);

  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('teach-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const cards = page.getByTestId('teach-class');
  await expect(cards).toHaveCount(2);
  for (const [i, name] of CLASSES.entries()) {
    const input = cards.nth(i).getByTestId('teach-class-name');
    await input.fill(name);
    await input.press('Enter');
    await expect(card(page, name)).toHaveCount(1);
  }
  for (const name of CLASSES) {
    await card(page, name).getByTestId('teach-class-files').setInputFiles(teachPhotos[name]);
    await expect(card(page, name)).toHaveAttribute('data-count', '5', { timeout: 120_000 });
  }
  await expect(page.getByTestId('teach-saved')).toHaveAttribute('data-pending', '0');
  await page.getByRole('tab', { name: 'Classify' }).click();

  // A size chosen for the shipped model is that model's alone: the kept one comes back at its own.
  await chooseModel(page, SHIPPED_ID);
  await expect(page.getByTestId('size-select')).toHaveValue('160');
  await page.getByTestId('size-select').selectOption(String(CHOSEN));
  await expect(page.getByTestId('size-select')).toHaveValue(String(CHOSEN));
  await chooseModel(page, keptId);
  await expect(page.getByTestId('size-select')).toHaveValue('224');

  await page.getByTestId('backend-select').selectOption('cpu');
  await ready(page, 'cpu');
  await expect(page.getByTestId('model-select')).toHaveValue(keptId);
});

test('after a reload: the chosen cpu backend runs the kept checkpoint at its own 224 px with the CLI\'s answers, and the taught classes give the CLI\'s scores', async () => {
  test.setTimeout(600_000);
  const { page, foreign } = shared();
  const expectedScores = cliTaughtScores();
  foreign.length = 0;
  await page.reload();
  await ready(page, 'cpu');
  await expect(page.getByTestId('backend-select')).toHaveValue('cpu');
  await expect(page.getByTestId('diagnostics-backend')).toHaveText('cpu');
  await expect(page.getByTestId('model-select')).toHaveValue(keptId);
  await expect(page.getByTestId('size-select')).toHaveValue('224');
  await expectCliAnswers(page, KEPT, 224, 'kept checkpoint after the reload (cpu)');

  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('teach-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('teach-class')).toHaveCount(CLASSES.length);
  for (const name of CLASSES) await expect(card(page, name)).toHaveAttribute('data-count', '5');
  for (const file of testPhotos) {
    const name = path.basename(file);
    await page.getByTestId('teach-test-input').setInputFiles(file);
    await expect(page.getByTestId('teach-predictions')).toHaveAttribute('data-source', name, { timeout: 120_000 });
    const expected = expectedScores.get(name)!;
    const shown = new Map(await page.getByTestId('teach-prediction-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-class') ?? '', Number(r.getAttribute('data-score'))] as [string, number])));
    console.log(`[reload] taught classes after the reload, ${name}: page ${[...shown].map(([c, s]) => `${c} ${s.toFixed(5)}`).join(', ')}; CLI ${[...expected].map(([c, s]) => `${c} ${s.toFixed(5)}`).join(', ')}`);
    expect([...shown.keys()].sort(), name).toEqual([...expected.keys()].sort());
    for (const [c, score] of expected) expect(Math.abs(shown.get(c)! - score), `${name}: ${c}`).toBeLessThan(TEACH_TOLERANCE);
  }
  await page.getByRole('tab', { name: 'Classify' }).click();
  expect(foreign).toEqual([]);
});

test('the size chosen for the shipped model is remembered for it, and it runs at that size', async () => {
  test.setTimeout(600_000);
  const { page, errors } = shared();
  await chooseModel(page, SHIPPED_ID);
  await expect(page.getByTestId('size-select')).toHaveValue(String(CHOSEN));
  await expectCliAnswers(page, SHIPPED, CHOSEN, `shipped model at its chosen ${CHOSEN} px (cpu)`);
  // Back to its own default: the choice is forgotten, and the kept model is unaffected.
  await page.getByTestId('size-select').selectOption('160');
  await chooseModel(page, keptId);
  await expect(page.getByTestId('size-select')).toHaveValue('224');
  expect(await page.evaluate(() => localStorage.getItem('ghostnet.inputSize'))).toBeNull();
  expect(errors).toEqual([]);
});
