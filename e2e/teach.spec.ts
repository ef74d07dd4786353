/**
 * The Teach tab (wasm), in one browser with Chromium's fake camera and one shared page:
 * - the same photos as the CLI's class folders, uploaded into classes, give the CLI's labels
 *   for the same test photos (and the same embeddings and leave-one-out accuracy);
 * - export, reload (IndexedDB), clear (asks first), import: the same predictions;
 * - bad files: a photo that is not one, damaged / foreign / other-backbone / too large imports
 *   (one message each, nothing changes);
 * - the webcam: holding record adds frames; teaching 3 classes x 20 frames and predicting live
 *   leaves the tensor count where it started.
 */
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, cpSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openApp, settledTensorCount } from './support/app.ts';
import { launchWithFakeCamera } from './support/fake-camera.ts';
import { makeBadFiles } from './support/media.ts';
import { newSharedPage, type SharedPage } from './support/shared.ts';

const MODEL = 'public/models/ghostnet_100_imagenette';
const FEWSHOT = 'test/fixtures/fewshot/cifar10';
const CLASSES = ['airplane', 'cat', 'ship'];
const work = mkdtempSync(path.join(os.tmpdir(), 'ghostnet-e2e-teach-'));
const tree = path.join(work, 'classes');
/** The first 5 photos of each class teach; the first 2 held-out photos of each are the test photos. */
const teachPhotos = Object.fromEntries(CLASSES.map((c) => [c, readdirSync(path.join(FEWSHOT, 'teach5', c)).sort().map((f) => path.join(FEWSHOT, 'teach5', c, f))]));
const testPhotos = CLASSES.flatMap((c) => readdirSync(path.join(FEWSHOT, 'heldout', c)).sort().slice(0, 2).map((f) => path.join(FEWSHOT, 'heldout', c, f)));

interface CliTeach {
  head: string;
  /** Per test photo: the top class, and every class's score. */
  labels: Map<string, { label: string; probability: number; scores: Record<string, number> }>;
  accuracy: number;
}
type Kind = 'centroid' | 'knn' | 'softmax';

function cli(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
}

/** The CLI's side: teach on the class folders, classify the test photos with the head. */
function cliTeach(kind: Kind): CliTeach {
  for (const c of CLASSES) {
    mkdirSync(path.join(tree, c), { recursive: true });
    for (const f of teachPhotos[c]) cpSync(f, path.join(tree, c, path.basename(f)));
  }
  const head = path.join(work, kind === 'centroid' ? 'head.json' : `head-${kind}.json`);
  const taught = JSON.parse(cli(['teach', MODEL, tree, '--out', head, '--head', kind, '--json']));
  const labels = new Map<string, { label: string; probability: number; scores: Record<string, number> }>();
  for (const line of cli(['classify', MODEL, ...testPhotos, '--head', head, '--json']).trim().split('\n')) {
    const r = JSON.parse(line) as { file: string; predictions: { label: string; probability: number }[] };
    if (r.predictions.length !== CLASSES.length) throw new Error(`the CLI gave ${r.predictions.length} scores for ${r.file}, not one per class`);
    labels.set(path.basename(r.file), { ...r.predictions[0], scores: Object.fromEntries(r.predictions.map((p) => [p.label, p.probability])) });
  }
  return { head, labels, accuracy: taught.evaluation.accuracy };
}

let browser: Browser;
let shared: SharedPage;
let expected: CliTeach;
let expectedBy: Record<Kind, CliTeach>;
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, testInfo) => {
  test.setTimeout(600_000);
  expectedBy = { centroid: cliTeach('centroid'), knn: cliTeach('knn'), softmax: cliTeach('softmax') };
  expected = expectedBy.centroid;
  browser = await launchWithFakeCamera();
  shared = await newSharedPage(browser, testInfo, (context) => context.grantPermissions(['camera']));
});

test.afterAll(async () => {
  await browser?.close();
});

const cards = (page: Page) => page.getByTestId('teach-class');
const card = (page: Page, name: string) => page.locator(`[data-testid="teach-class"][data-class-name="${name}"]`);
const count = (page: Page, name: string) => card(page, name).getAttribute('data-count').then(Number);

/** Drop files (from disk) on an element, as a browser drop does. */
async function dropFiles(page: Page, selector: string, files: string[]): Promise<void> {
  const items = files.map((f) => ({ name: path.basename(f), data: readFileSync(f).toString('base64') }));
  await page.evaluate(({ selector, items }) => {
    const data = new DataTransfer();
    for (const i of items) data.items.add(new File([Uint8Array.from(atob(i.data), (c) => c.charCodeAt(0))], i.name, { type: 'image/jpeg' }));
    const target = document.querySelector(selector)!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, { selector, items });
}

async function openTeach(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('teach-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

/** Wait until every change is stored in IndexedDB. */
async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('teach-saved')).toHaveAttribute('data-pending', '0');
}

/** Test each photo through the Teach tab's photo input; label, top score and every class's score per file name. */
async function predictions(page: Page): Promise<Map<string, { label: string; score: number; scores: Record<string, number> }>> {
  const out = new Map<string, { label: string; score: number; scores: Record<string, number> }>();
  for (const file of testPhotos) {
    const name = path.basename(file);
    await page.getByTestId('teach-test-input').setInputFiles(file);
    const bars = page.getByTestId('teach-predictions');
    await expect(bars).toHaveAttribute('data-source', name);
    const label = (await bars.getAttribute('data-label'))!;
    const scores = Object.fromEntries(await page.getByTestId('teach-prediction-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-class')!, Number(r.getAttribute('data-score'))] as const)));
    out.set(name, { label, score: scores[label], scores });
  }
  return out;
}

/**
 * The page's answers equal the CLI's: the same label for every test photo and every class's score
 * within `tolerance` (the README's figures: 1e-4, and 1e-3 for the softmax head trained in the page).
 */
function expectCliAnswers(got: Map<string, { label: string; scores: Record<string, number> }>, want: CliTeach, tolerance: number): void {
  expect([...got.keys()].sort()).toEqual([...want.labels.keys()].sort());
  for (const [file, cliTop] of want.labels) {
    expect(got.get(file)?.label, file).toBe(cliTop.label);
    expect(Object.keys(got.get(file)!.scores).sort(), file).toEqual(Object.keys(cliTop.scores).sort());
    for (const [c, p] of Object.entries(cliTop.scores)) expect(Math.abs(got.get(file)!.scores[c] - p), `${file}: ${c}`).toBeLessThan(tolerance);
  }
}

let exported: string;

test('photos uploaded into classes give the CLI\'s labels for the same test photos', async () => {
  test.setTimeout(600_000);
  const { page } = shared;
  await openApp(page, 'wasm');
  await openTeach(page);
  await expect(page.getByRole('tab', { name: 'Teach' })).toHaveAttribute('aria-selected', 'true');
  // The Imagenette model is loaded: the panel recommends the ImageNet backbone.
  await expect(page.getByTestId('teach-backbone-advice')).toContainText('ImageNet');
  await expect(cards(page)).toHaveCount(2);
  await expect(page.getByTestId('teach-predictions-unavailable')).toBeVisible();
  await page.getByTestId('teach-add-class').click();
  await expect(cards(page)).toHaveCount(3);
  for (const [i, name] of CLASSES.entries()) {
    const input = cards(page).nth(i).getByTestId('teach-class-name');
    await input.fill(name);
    await input.press('Enter');
    await expect(card(page, name)).toHaveCount(1);
  }
  // A duplicate name is refused with a message and the old name kept.
  const second = card(page, 'cat').getByTestId('teach-class-name');
  await second.fill('Airplane');
  await second.blur();
  await expect(page.getByTestId('error-message')).toContainText('already a class called "Airplane"');
  await expect(second).toHaveValue('cat');
  for (const name of CLASSES) {
    await card(page, name).getByTestId('teach-class-files').setInputFiles(teachPhotos[name]);
    await expect(card(page, name)).toHaveAttribute('data-count', '5', { timeout: 120_000 });
    await expect(card(page, name).getByTestId('teach-example')).toHaveCount(5);
  }
  expectCliAnswers(await predictions(page), expected, 1e-4);
  // Every class has 5: leave-one-out accuracy and a confusion matrix, equal to the CLI's.
  const evaluation = page.getByTestId('teach-evaluation');
  await expect(evaluation).toHaveAttribute('data-method', 'leave-one-out');
  expect(Number(await evaluation.getAttribute('data-accuracy'))).toBeCloseTo(expected.accuracy, 10);
  await expect(page.getByTestId('teach-confusion').locator('tbody tr')).toHaveCount(3);

  // Photos dropped on a class become its examples (many at once); dropped elsewhere on the tab, a test photo.
  const before = Number(await page.getByTestId('diagnostics-inferences').textContent());
  await dropFiles(page, '[data-testid="teach-class"][data-class-name="cat"]', teachPhotos.airplane.slice(0, 2));
  await expect(card(page, 'cat')).toHaveAttribute('data-count', '7');
  await card(page, 'cat').getByTestId('teach-example-remove').last().click();
  await card(page, 'cat').getByTestId('teach-example-remove').last().click();
  await expect(card(page, 'cat')).toHaveAttribute('data-count', '5');
  await dropFiles(page, '[data-testid="teach-test-drop"]', [testPhotos[0]]);
  await expect(page.getByTestId('teach-predictions')).toHaveAttribute('data-source', path.basename(testPhotos[0]));
  await expect(page.getByTestId('teach-predictions')).toHaveAttribute('data-label', expected.labels.get(path.basename(testPhotos[0]))!.label);
  // Nothing went to the Classify tab's pipeline.
  expect(Number(await page.getByTestId('diagnostics-inferences').textContent())).toBe(before);

  // Removing an example updates the count at once.
  // (The last, so that the order of examples stays the CLI's: cross-validation folds follow it.)
  await card(page, 'ship').getByTestId('teach-example-remove').last().click();
  await expect(card(page, 'ship')).toHaveAttribute('data-count', '4');
  await expect(page.getByTestId('teach-evaluation-waiting')).toBeVisible();
  await card(page, 'ship').getByTestId('teach-class-files').setInputFiles(teachPhotos.ship[4]);
  await expect(card(page, 'ship')).toHaveAttribute('data-count', '5');

  const results = await new AxeBuilder({ page }).include('[data-testid="teach-panel"]').analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('kNN and softmax regression (trained in the page, with a live loss curve) give the CLI\'s labels too', async () => {
  test.setTimeout(300_000);
  const { page } = shared;
  await page.getByTestId('teach-head-knn').check();
  await expect(page.getByTestId('teach-k')).toHaveValue('5');
  const knn = await predictions(page);
  expectCliAnswers(knn, expectedBy.knn, 1e-4);
  await expect(page.getByTestId('teach-evaluation')).toHaveAttribute('data-accuracy', String(expectedBy.knn.accuracy));

  await page.getByTestId('teach-head-softmax').check();
  await expect(page.getByTestId('teach-predictions-unavailable')).toContainText('Train the softmax head');
  await expect(page.getByTestId('teach-epochs')).toHaveValue('100');
  await page.getByTestId('teach-train').click();
  await expect(page.getByTestId('teach-train-status')).toHaveAttribute('data-state', 'trained', { timeout: 120_000 });
  const curve = page.getByTestId('teach-loss-curve');
  await expect(curve).toHaveAttribute('data-epochs', '100');
  expect(Number(await curve.getAttribute('data-last-loss'))).toBeLessThan(Math.log(3));
  await expect(page.getByTestId('teach-evaluation')).toHaveAttribute('data-method', 'cross-validation', { timeout: 120_000 });
  const softmax = await predictions(page);
  expectCliAnswers(softmax, expectedBy.softmax, 1e-3);
  expect(Number(await page.getByTestId('teach-evaluation').getAttribute('data-accuracy'))).toBeCloseTo(expectedBy.softmax.accuracy, 10);
  await page.getByTestId('teach-head-centroid').check();
  await expect(page.getByTestId('teach-evaluation')).toHaveAttribute('data-method', 'leave-one-out');
});

test('the exported file holds the CLI\'s embeddings; reload, clear (asked first) and import give the same predictions', async () => {
  test.setTimeout(600_000);
  const { page } = shared;
  await saved(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('teach-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^ghostnet-teach-.*\.json$/);
  exported = path.join(work, 'exported.json');
  await download.saveAs(exported);
  const file = JSON.parse(readFileSync(exported, 'utf8'));
  const cliFile = JSON.parse(readFileSync(expected.head, 'utf8'));
  expect(file.format).toBe('ghostnet-teach');
  expect(file.backbone).toEqual(cliFile.backbone);
  expect(file.input).toEqual(cliFile.input);
  expect(file.classes.map((c: { name: string }) => c.name)).toEqual(CLASSES);
  const floats = (b64: string) => new Float32Array(Uint8Array.from(Buffer.from(b64, 'base64')).buffer);
  for (const [ci, c] of file.classes.entries()) {
    const bySource = new Map(cliFile.classes[ci].examples.map((e: { source: string; embedding: string }) => [path.basename(e.source), floats(e.embedding)]));
    for (const e of c.examples) {
      const want = bySource.get(e.source) as Float32Array;
      const got = floats(e.embedding);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst, `${c.name}/${e.source}`).toBeLessThan(1e-4);
      expect(e.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    }
  }

  // Kept across a reload.
  await page.reload();
  await openApp(page, 'wasm', page.url());
  await openTeach(page);
  await expect(cards(page)).toHaveCount(3);
  for (const name of CLASSES) expect(await count(page, name)).toBe(5);
  const afterReload = await predictions(page);
  expectCliAnswers(afterReload, expected, 1e-4);

  // Clearing asks first; cancel keeps everything.
  await page.getByTestId('teach-clear').click();
  await expect(page.getByTestId('teach-confirm')).toContainText('cannot be undone');
  await page.getByTestId('teach-confirm-cancel').click();
  await expect(page.getByTestId('teach-confirm')).toHaveCount(0);
  expect(await count(page, 'cat')).toBe(5);
  await page.getByTestId('teach-clear').click();
  await page.getByTestId('teach-confirm-confirm').click();
  await expect(cards(page)).toHaveCount(2);
  await expect(cards(page).first()).toHaveAttribute('data-count', '0');
  await saved(page);

  await page.getByTestId('teach-import').setInputFiles(exported);
  await expect(cards(page)).toHaveCount(3);
  await expect(page.getByTestId('notice-message')).toContainText('Imported 3 classes with 15 examples');
  const afterImport = await predictions(page);
  expectCliAnswers(afterImport, expected, 1e-4);
  // The CLI's own head.json imports too (same format), and predicts the same.
  await page.getByTestId('teach-import').setInputFiles(expected.head);
  await page.getByTestId('teach-confirm-confirm').click();
  await expect(page.getByTestId('notice-message')).toContainText('from "head.json"');
  const fromCli = await predictions(page);
  expectCliAnswers(fromCli, expected, 1e-4);
});

test('bad files: a non-photo is skipped by name; damaged, foreign, other-backbone and too large imports change nothing', async () => {
  test.setTimeout(300_000);
  const { page } = shared;
  await saved(page);
  const revision = await page.getByTestId('teach-panel').getAttribute('data-revision');
  const { notImage, corrupt } = makeBadFiles();
  await card(page, 'cat').getByTestId('teach-class-files').setInputFiles([notImage, corrupt, teachPhotos.cat[0]]);
  await expect(card(page, 'cat')).toHaveAttribute('data-count', '6');
  await expect(page.getByTestId('error-message')).toContainText('2 files were skipped');
  await expect(page.getByTestId('error-message')).toContainText('notes.txt');
  await expect(page.getByTestId('error-message')).toContainText('corrupt.jpg');
  await card(page, 'cat').getByTestId('teach-example-remove').last().click();
  await expect(card(page, 'cat')).toHaveAttribute('data-count', '5');
  await saved(page);
  const before = await page.getByTestId('teach-panel').getAttribute('data-revision');
  expect(Number(before)).toBeGreaterThan(Number(revision));

  const text = readFileSync(exported, 'utf8');
  const damaged = path.join(work, 'damaged.json');
  writeFileSync(damaged, text.slice(0, Math.floor(text.length / 2)));
  const foreign = path.join(MODEL, 'model.json');
  const other = path.join(work, 'other-backbone.json');
  const sha050 = JSON.parse(readFileSync('test/fixtures/teach/reference.json', 'utf8')).shippedWeightsSha256.ghostnet_050_imagenette;
  writeFileSync(other, JSON.stringify({ ...JSON.parse(text), backbone: { name: 'GhostNet 0.5x · Imagenette', weightsSha256: sha050, width: 0.5, numClasses: 10 } }));
  const huge = path.join(work, 'huge.json');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 65 * 1024 * 1024);
  closeSync(fd);
  const cases: [string, RegExp][] = [
    [damaged, /"damaged\.json" was not imported: the file is damaged/],
    [foreign, /"model\.json" was not imported: it is not a GhostNet teach file/],
    [other, /was not imported: it was taught on "GhostNet 0\.5x · Imagenette".*load "GhostNet 0\.5x · Imagenette" to use it/],
    [huge, /"huge\.json" was not imported: it is 65 MB; teach files up to 64 MB are accepted/],
  ];
  for (const [file, message] of cases) {
    await page.getByTestId('teach-import').setInputFiles(file);
    await expect(page.getByTestId('error-message')).toHaveText(message);
    await expect(page.getByTestId('error-message')).toContainText('Nothing was changed');
    await expect(page.getByTestId('teach-confirm')).toHaveCount(0);
    await expect(page.getByTestId('teach-panel')).toHaveAttribute('data-revision', before!);
  }
  for (const name of CLASSES) expect(await count(page, name)).toBe(5);
});

test('webcam: holding record adds frames; 3 classes x 20 frames and live predictions leave the tensor count unchanged', async () => {
  test.setTimeout(600_000);
  const { page, errors, foreign } = shared;
  if (page.url() === 'about:blank') {
    await openApp(page, 'wasm');
    await openTeach(page);
  }
  if (await page.getByTestId('teach-clear').isEnabled()) {
    await page.getByTestId('teach-clear').click();
    await page.getByTestId('teach-confirm-confirm').click();
  }
  await expect(cards(page)).toHaveCount(2);
  await page.getByTestId('teach-add-class').click();
  await expect(cards(page)).toHaveCount(3);
  await expect(cards(page).first().getByTestId('teach-record')).toBeDisabled();
  await page.getByTestId('webcam-start').click();
  await expect(page.getByTestId('webcam-video')).toHaveAttribute('data-status', 'live');
  const frames = () => page.getByTestId('teach-frames').getAttribute('data-count').then(Number);
  await expect.poll(frames, { timeout: 60_000 }).toBeGreaterThan(3);
  const before = await settledTensorCount(page);
  const t0 = Date.now();
  const log = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  log(`camera live, ${await frames()} frames`);

  for (let i = 0; i < 3; i++) {
    const record = cards(page).nth(i).getByTestId('teach-record');
    await record.hover();
    await page.mouse.down();
    await expect(record).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => cards(page).nth(i).getAttribute('data-count').then(Number), { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(20);
    await page.mouse.up();
    await expect(record).toHaveAttribute('aria-pressed', 'false');
    const n = Number(await cards(page).nth(i).getAttribute('data-count'));
    // Released: the camera's frames go on being predicted (counted), and none of them is recorded.
    const predictedAtRelease = await frames();
    await expect.poll(frames, { timeout: 60_000 }).toBeGreaterThanOrEqual(predictedAtRelease + 5);
    expect(Number(await cards(page).nth(i).getAttribute('data-count'))).toBe(n);
    await expect(cards(page).nth(i).getByTestId('teach-example').first()).toHaveAttribute('data-source', 'webcam');
    log(`class ${i + 1}: ${n} frames recorded, ${await frames()} frames predicted`);
  }
  // The keyboard works too: Space held on a record button.
  const record = cards(page).nth(0).getByTestId('teach-record');
  const n0 = Number(await cards(page).nth(0).getAttribute('data-count'));
  await record.focus();
  await page.keyboard.down(' ');
  await expect.poll(() => cards(page).nth(0).getAttribute('data-count').then(Number), { timeout: 60_000 }).toBeGreaterThan(n0);
  await page.keyboard.up(' ');
  await expect(record).toHaveAttribute('aria-pressed', 'false');

  // Live predictions on the webcam, every class with a bar.
  const start = await frames();
  await expect.poll(frames, { timeout: 120_000 }).toBeGreaterThanOrEqual(start + 30);
  await expect(page.getByTestId('teach-predictions')).toHaveAttribute('data-kind', 'webcam');
  await expect(page.getByTestId('teach-prediction-row')).toHaveCount(3);
  await expect(page.getByTestId('teach-evaluation')).toBeVisible();
  const predicted = await frames();
  await page.getByTestId('webcam-stop').click();
  const after = await settledTensorCount(page);
  console.log(`teach webcam: ${predicted} frames predicted, ${before} tensors before, ${after} after`);
  expect(after).toBe(before);
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
