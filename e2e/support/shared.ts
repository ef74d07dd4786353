/** One page shared by the tests of a serial file: the model loads once (slow on SwiftShader). */
import { test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { watchErrors, watchForeignRequests } from './app.ts';

export interface SharedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  foreign: string[];
}

export function baseURLOf(testInfo: TestInfo): string {
  const url = testInfo.project.use.baseURL;
  if (!url) throw new Error('playwright.config.ts sets no baseURL');
  return url;
}

export async function newSharedPage(browser: Browser, testInfo: TestInfo, init?: (context: BrowserContext) => Promise<void>): Promise<SharedPage> {
  const baseURL = baseURLOf(testInfo);
  const context = await browser.newContext({ baseURL });
  if (init) await init(context);
  const page = await context.newPage();
  return { page, context, errors: watchErrors(page), foreign: watchForeignRequests(page, baseURL) };
}

/** Serial mode plus a shared page for the file; returns a getter for it. */
export function useSharedPage(init?: (context: BrowserContext) => Promise<void>): () => SharedPage {
  let shared: SharedPage | null = null;
  test.describe.configure({ mode: 'serial' });
  test.beforeAll(async ({ browser }, testInfo) => {
    shared = await newSharedPage(browser, testInfo, init);
  });
  test.afterAll(async () => {
    await shared?.context.close();
  });
  return () => {
    if (!shared) throw new Error('the shared page is not open');
    return shared;
  };
}
