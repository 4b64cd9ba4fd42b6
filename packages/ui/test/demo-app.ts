/**
 * The app in headless chromium over the demo store on the local backend, for the browser test
 * files: `useDemoApp()` writes the store, starts the server and the browser before the file's
 * tests and closes them after; `open(path)` loads a page in a fresh context.
 */
import { createLocalBackend } from '@trove/backend-local';
import { Store } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startUi } from '../src/index.js';
import { BUILT_APP, launch, type Opened, openPage } from './browser.js';
import { type DemoRuns, writeDemoStore } from './demo-store.js';

export interface DemoApp {
  browser: Browser;
  runs: DemoRuns;
  /** opens `path` of the server in a fresh context (closed after the file's tests) */
  open(path: string): Promise<Opened>;
  /** keeps `o` to be closed after the file's tests */
  keep(o: Opened): Opened;
}

export function useDemoApp(): DemoApp {
  const opened: Opened[] = [];
  let ui: { url: string; close(): Promise<void> } | undefined;
  const app = {
    keep(o: Opened) {
      opened.push(o);
      return o;
    },
    async open(path: string) {
      const o = app.keep(await openPage(app.browser));
      await o.page.goto(new URL(path, ui?.url).href);
      return o;
    },
  } as DemoApp;
  beforeAll(async () => {
    process.env.TROVE_CACHE_DIR ??= tempDir('trove-ui-cache-');
    const store = new Store({ name: 'demo', meta: createLocalBackend({ root: tempDir() }) });
    app.runs = await writeDemoStore(store, tempDir());
    ui = await startUi({ store, port: 0, appDir: BUILT_APP });
    app.browser = await launch();
  });
  afterAll(async () => {
    for (const o of opened) await o.context.close();
    await app.browser?.close();
    await ui?.close();
  });
  return app;
}

/**
 * What every page load must keep: requests to 127.0.0.1 only, no console errors but those of
 * the HTTP statuses a test expects (chromium logs a failed fetch as an error).
 */
export function expectClean(o: Opened, expectedStatus?: number): void {
  expect(o.outside).toEqual([]);
  expect(o.requests.length).toBeGreaterThan(0);
  for (const url of o.requests) expect(new URL(url).hostname).toBe('127.0.0.1');
  const status = expectedStatus === undefined ? undefined : new RegExp(`\\b${expectedStatus}\\b`);
  expect(o.errors.filter((e) => !status?.test(e))).toEqual([]);
}
