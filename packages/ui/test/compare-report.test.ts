/**
 * The offline compare report (`compareReportHtml`, what `trove report --compare` writes) opened
 * from file:// in headless chromium with every request but the file itself refused: the same
 * compare view draws its curves, images, plots and params from the embedded data alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalBackend } from '@trove/backend-local';
import { Store } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareReportHtml } from '../src/index.js';
import { BUILT_APP, decodedImages, drawnCharts, launch, openPage } from './browser.js';
import { DEMO, type DemoRuns, writeDemoStore } from './demo-store.js';

let browser: Browser;
let store: Store;
let runs: DemoRuns;

beforeAll(async () => {
  process.env.TROVE_CACHE_DIR ??= tempDir('trove-ui-cache-');
  store = new Store({ name: 'demo', meta: createLocalBackend({ root: tempDir() }) });
  runs = await writeDemoStore(store, tempDir());
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

it('draws the compare view from file:// with every request refused', async () => {
  const file = join(tempDir(), 'compare.html');
  writeFileSync(file, await compareReportHtml({ store, runs: runs.train, appDir: BUILT_APP }));
  const url = pathToFileURL(file).href;
  const o = await openPage(browser, (u) => u.href === url);
  await o.page.goto(url);
  for (const chart of await drawnCharts(o.page, ['loss', 'acc'])) {
    expect(chart.ink).toBeGreaterThan(200);
    expect(chart.caption).toContain(`${3 * DEMO.steps} of ${3 * DEMO.steps} points`);
  }
  expect(await o.page.textContent('h1')).toBe('Comparing 3 runs');
  const lr = await o.page.$$eval('table[data-table=params] tr[data-key=lr] td', (td) =>
    td.map((c) => c.textContent),
  );
  expect(lr).toEqual(DEMO.lrs.map(String));
  expect(await decodedImages(o.page, '.image-compare figure img')).toEqual([
    { w: 40, h: 40 },
    { w: 40, h: 40 },
    { w: 40, h: 40 },
  ]);
  await o.page.waitForSelector('.plots-compare img');
  expect((await decodedImages(o.page, '.plots-compare img')).length).toBe(3);
  await o.page.selectOption('select[aria-label="text path"]', 'outputs/notes.txt');
  await o.page.waitForSelector(`.text-diff details[data-run="${runs.train[2]}"] .ins`);
  // links to run pages need the server: the report has none
  expect(await o.page.$('.run-legend a')).toBeNull();
  expect(o.requests).toEqual([url]);
  expect(o.outside).toEqual([]);
  expect(o.errors).toEqual([]);
  await o.context.close();
});
