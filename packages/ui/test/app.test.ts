/**
 * trove ui in real headless chromium over the demo store on the local backend: the runs page
 * (search with a good and a bad filter, sort, select three runs), compare (curves, params,
 * images, plots, texts), a run (PNG, CSV and JSON previews, a folder downloaded as a zip),
 * lineage and models. Every page load stays on 127.0.0.1 and logs no console error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBackend } from '@trove/backend-local';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi } from '../src/index.js';
import {
  BUILT_APP,
  canvasInk,
  decodedImages,
  drawnCharts,
  launch,
  type Opened,
  openPage,
} from './browser.js';
import { DEMO, type DemoRuns, writeDemoStore } from './demo-store.js';
import { zipEntries } from './zip-entries.js';

let browser: Browser;
let ui: { url: string; close(): Promise<void> };
let runs: DemoRuns;
const opened: Opened[] = [];

async function open(path: string): Promise<Opened> {
  const o = await openPage(browser);
  opened.push(o);
  await o.page.goto(new URL(path, ui.url).href);
  return o;
}

/** What every page load must keep: only loopback, no console errors. */
function expectClean(o: Opened): void {
  expect(o.outside).toEqual([]);
  expect(o.requests.length).toBeGreaterThan(0);
  for (const url of o.requests) expect(new URL(url).hostname).toBe('127.0.0.1');
  expect(o.errors).toEqual([]);
}

const rowIds = (o: Opened) =>
  o.page.$$eval('.runs-table .tbody .tr[data-run]', (rows) =>
    rows
      .sort(
        (a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')),
      )
      .map((r) => r.getAttribute('data-run')),
  );

beforeAll(async () => {
  process.env.TROVE_CACHE_DIR ??= tempDir('trove-ui-cache-');
  const store = new Store({ name: 'demo', meta: createLocalBackend({ root: tempDir() }) });
  runs = await writeDemoStore(store, tempDir());
  ui = await startUi({ store, port: 0, appDir: BUILT_APP });
  browser = await launch();
});

afterAll(async () => {
  for (const o of opened) await o.context.close();
  await browser?.close();
  await ui?.close();
});

describe('runs page', () => {
  it('lists every run, filters with a good filter, and shows a bad one with its position', async () => {
    const o = await open('/runs');
    await o.page.waitForSelector('.runs-table .tr[data-run]');
    await o.page.waitForFunction(
      () => document.querySelector('.count')?.getAttribute('data-total') === '4',
    );
    expect((await rowIds(o)).sort()).toEqual([...runs.train, runs.evaluate].sort());

    await o.page.fill('input[name=filter]', 'params.lr < 0.05');
    await o.page.press('input[name=filter]', 'Enter');
    await o.page.waitForFunction(
      () => document.querySelector('.count')?.getAttribute('data-total') === '2',
    );
    expect(new URL(o.page.url()).searchParams.get('filter')).toBe('params.lr < 0.05');
    expect((await rowIds(o)).sort()).toEqual([runs.train[1], runs.train[2]].sort());

    await o.page.fill('input[name=filter]', 'metrics.acc 0.9');
    await o.page.press('input[name=filter]', 'Enter');
    const error = await o.page.waitForSelector('.filter-error');
    expect(await error.getAttribute('data-position')).toBe('13');
    expect(await o.page.textContent('.filter-error mark')).toBe('0');
    expect(await o.page.textContent('.filter-error p')).toMatch(/comparator/);
    expect(await o.page.getAttribute('input[name=filter]', 'aria-invalid')).toBe('true');
    // the bad filter's 400 is the only console error chromium logs (a failed fetch)
    o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/400/.test(e)));
    expectClean(o);
  });

  it('sorts by a metric column both ways, missing values last', async () => {
    const o = await open('/runs');
    await o.page.waitForSelector('.runs-table .tr[data-run]');
    await o.page.click('th[data-col="metrics.acc"] button');
    await o.page.waitForFunction(
      () => new URL(location.href).searchParams.get('orderBy') === 'metrics.acc DESC',
    );
    await o.page.waitForSelector('th[aria-sort=descending][data-col="metrics.acc"]');
    // acc grows faster with a larger learning rate; the evaluation run has no acc
    const [fast, mid, slow] = runs.train;
    await o.page.waitForFunction(
      (first) =>
        document.querySelector('.tbody .tr[aria-rowindex="2"]')?.getAttribute('data-run') === first,
      fast,
    );
    expect(await rowIds(o)).toEqual([fast, mid, slow, runs.evaluate]);
    await o.page.click('th[data-col="metrics.acc"] button');
    await o.page.waitForFunction(
      (first) =>
        document.querySelector('.tbody .tr[aria-rowindex="2"]')?.getAttribute('data-run') === first,
      slow,
    );
    expect(new URL(o.page.url()).searchParams.get('orderBy')).toBe('metrics.acc ASC');
    expect(await rowIds(o)).toEqual([slow, mid, fast, runs.evaluate]);
    expectClean(o);
  });

  it('takes its columns from the URL and the picker, then selects three runs and opens compare', async () => {
    const o = await open('/runs?columns=params.optimizer');
    await o.page.waitForSelector('.runs-table .tr[data-run]');
    const headers = await o.page.$$eval('th[data-col]', (h) =>
      h.map((e) => e.getAttribute('data-col')),
    );
    expect(headers).toEqual(['name', 'status', 'start', 'params.optimizer']);
    await o.page.click('.column-picker summary');
    await o.page.check('input[data-column="metrics.loss"]');
    await o.page.waitForFunction(
      () => new URL(location.href).searchParams.get('columns') === 'params.optimizer,metrics.loss',
    );
    await o.page.waitForSelector('th[data-col="metrics.loss"]');
    for (const id of runs.train) await o.page.check(`.tr[data-run="${id}"] input[type=checkbox]`);
    await o.page.click('button.primary:has-text("Compare (3)")');
    await o.page.waitForURL(/\/compare\?/);
    expect(new URL(o.page.url()).searchParams.get('runs')?.split(',').sort()).toEqual(
      [...runs.train].sort(),
    );
    await o.page.waitForSelector('figure.metric-chart[data-metric=loss] .chart[data-state=drawn]');
    expectClean(o);
  });
});

describe('compare page', () => {
  it('draws curves, hides a run by its legend entry, zooms, and marks differing params', async () => {
    const o = await open(`/compare?runs=${runs.train.join(',')}`);
    for (const chart of await drawnCharts(o.page, ['loss', 'acc'])) {
      expect(chart.ink).toBeGreaterThan(200);
      expect(chart.caption).toContain(`${3 * DEMO.steps} of ${3 * DEMO.steps} points`);
    }

    const ink = await canvasInk(o.page, 'figure.metric-chart[data-metric=loss] canvas');
    await o.page.click(`.legend-entry[data-run="${runs.train[0]}"]`);
    expect(
      await o.page.getAttribute(`.legend-entry[data-run="${runs.train[0]}"]`, 'aria-pressed'),
    ).toBe('false');
    await o.page.waitForFunction(
      ([sel, before]) => {
        const c = document.querySelector(sel as string) as HTMLCanvasElement;
        const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(
          0,
          0,
          c.width,
          c.height,
        ).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (
            (d[i + 3] ?? 0) > 128 &&
            Math.max(d[i] ?? 0, d[i + 1] ?? 0, d[i + 2] ?? 0) -
              Math.min(d[i] ?? 0, d[i + 1] ?? 0, d[i + 2] ?? 0) >
              60
          )
            n++;
        }
        return n < (before as number);
      },
      ['figure.metric-chart[data-metric=loss] canvas', ink],
    );

    const refined = o.page.waitForRequest(
      (r) => r.url().includes('/api/metrics') && r.url().includes('xmin='),
    );
    const over = await o.page.$('figure.metric-chart[data-metric=loss] .u-over');
    const box = await over?.boundingBox();
    if (!box) throw new Error('no chart area');
    await o.page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await o.page.mouse.down();
    await o.page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await o.page.mouse.up();
    const url = new URL((await refined).url());
    expect(Number(url.searchParams.get('xmax'))).toBeGreaterThan(
      Number(url.searchParams.get('xmin')),
    );
    await o.page.waitForFunction(() =>
      document
        .querySelector('figure.metric-chart[data-metric=loss] figcaption')
        ?.textContent?.includes('zoomed'),
    );

    await o.page.check('input[aria-label="log scale"]');
    await o.page.waitForSelector('figure.metric-chart[data-metric=acc] .chart[data-state=drawn]');

    const lr = await o.page.$eval('table[data-table=params] tr[data-key=lr]', (tr) => ({
      differs: tr.classList.contains('differs'),
      values: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    }));
    expect(lr).toEqual({ differs: true, values: DEMO.lrs.map(String) });
    const epochs = await o.page.$eval('table[data-table=params] tr[data-key=epochs]', (tr) =>
      tr.classList.contains('differs'),
    );
    expect(epochs).toBe(false);
    await o.page.check('input[aria-label="only the differences"]');
    expect(await o.page.$('table[data-table=params] tr[data-key=epochs]')).toBeNull();
    expectClean(o);
  });

  it('shows one image name side by side with a step slider, the plots as images, and diffs a JSON file', async () => {
    const o = await open(`/compare?runs=${runs.train.join(',')}`);
    await o.page.waitForSelector('.image-compare figure img');
    expect(await decodedImages(o.page, '.image-compare figure img')).toEqual([
      { w: 40, h: 40 },
      { w: 40, h: 40 },
      { w: 40, h: 40 },
    ]);
    expect(await o.page.getAttribute('.image-compare output', 'data-step')).toBe('20');
    await o.page.fill('.image-compare input[type=range]', '0');
    await o.page.waitForSelector('.image-compare output[data-step="0"]');
    const alts = await o.page.$$eval('.image-compare figure img', (i) =>
      i.map((e) => e.getAttribute('alt')),
    );
    for (const alt of alts) expect(alt).toMatch(/at step 0$/);

    const plots = await o.page.waitForSelector('.plots-compare img');
    expect(plots).toBeTruthy();
    const sizes = await decodedImages(o.page, '.plots-compare img');
    expect(sizes.length).toBe(3);
    for (const s of sizes) expect(s.w).toBeGreaterThan(50);

    await o.page.selectOption('select[aria-label="text path"]', 'outputs/config.json');
    const diff = await o.page.waitForSelector(
      `.text-diff details[data-run="${runs.train[1]}"] .ins`,
    );
    expect(await diff.textContent()).toContain('"depth": 5');
    const removed = await o.page.textContent(
      `.text-diff details[data-run="${runs.train[1]}"] .del`,
    );
    expect(removed).toContain('"depth": 4');
    expectClean(o);
  });
});

describe('run page', () => {
  it('previews a PNG, a CSV as a table and a JSON file, and downloads a folder as a zip', async () => {
    const id = runs.train[0] as string;
    const o = await open(`/run/${id}`);
    await o.page.waitForSelector('table[data-table=params] tr[data-key=lr]');
    expect(await o.page.textContent('table[data-table=params] tr[data-key=lr] td')).toBe('0.1');

    await o.page.click('tr[data-path="assets/image/sample_10.png"] a.preview-link');
    await o.page.waitForSelector('.preview[data-kind=image] img');
    expect(await decodedImages(o.page, '.preview img')).toEqual([{ w: 40, h: 40 }]);
    expect(new URL(o.page.url()).searchParams.get('path')).toBe('assets/image/sample_10.png');

    await o.page.click('tr[data-path="outputs/metrics.csv"] a.preview-link');
    await o.page.waitForSelector('.preview[data-kind=table] table');
    const table = await o.page.$eval('.preview-table', (t) => ({
      columns: [...t.querySelectorAll('th')].map((th) => th.textContent),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.textContent),
      ),
    }));
    expect(table.columns).toEqual(['epoch', 'loss', 'seconds']);
    expect(table.rows.length).toBe(5);
    expect(table.rows[0]).toEqual(['0', '1.0000', '0']);

    await o.page.click('tr[data-path="outputs/config.json"] a.preview-link');
    const json = await o.page.waitForSelector('.preview[data-kind=json] pre');
    expect(JSON.parse((await json.textContent()) ?? '')).toEqual({
      model: { depth: 4, width: 128 },
      optimizer: { lr: 0.1 },
    });

    const download = o.page.waitForEvent('download');
    await o.page.click('tr[data-path="outputs/samples"] a.download-zip');
    const file = join(tempDir(), 'samples.zip');
    await (await download).saveAs(file);
    const entries = await zipEntries(file);
    expect(entries.map((e) => e.name.replace(/^(outputs\/)?samples\//, '')).sort()).toEqual(
      [...DEMO.samples].sort(),
    );
    for (const e of entries) expect(e.text).toMatch(/^sample .* of run 0\n$/);

    await o.page.click('tr[data-path="outputs/samples"] button');
    await o.page.waitForSelector('tr.file[data-path="outputs/samples/c/d.txt"]');
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expectClean(o);
  });
});

describe('lineage and models', () => {
  it('draws the graph around the evaluation run and moves to a node clicked', async () => {
    const o = await open(`/lineage?ref=${runs.evaluate}&dir=both&depth=3`);
    await o.page.waitForSelector('svg.lineage g.node');
    const refs = await o.page.$$eval('svg.lineage g.node', (g) =>
      g.map((n) => n.getAttribute('data-ref')),
    );
    expect(refs).toContain(runs.evaluate);
    expect(refs).toContain(runs.train[0]);
    expect(
      await o.page.$$eval('svg.lineage polyline.edge', (e) => e.length),
    ).toBeGreaterThanOrEqual(2);
    await o.page.click(`svg.lineage g.node[data-ref="${runs.train[0]}"]`);
    await o.page.waitForFunction(
      (id) => new URL(location.href).searchParams.get('ref') === id,
      runs.train[0],
    );
    await o.page.waitForSelector(`svg.lineage g.node.center[data-ref="${runs.train[0]}"]`);
    expectClean(o);
  });

  it('lists the registered model and shows its versions with their runs', async () => {
    const o = await open('/models');
    const row = await o.page.waitForSelector(`tr[data-model="${DEMO.model}"]`);
    expect(await row.$$eval('td', (td) => td.map((c) => c.textContent))).toEqual([
      DEMO.model,
      '2',
      'v2',
      '@champion → v2',
      'owner=vision',
    ]);
    await o.page.click(`tr[data-model="${DEMO.model}"] a`);
    await o.page.waitForSelector('tr[data-version]');
    const versions = await o.page.$$eval('tr[data-version]', (rows) =>
      rows.map((r) => ({
        v: r.getAttribute('data-version'),
        run: r.querySelector('a[href^="/run/"]')?.getAttribute('href'),
        tags: r.querySelector('td[data-tags]')?.textContent,
      })),
    );
    expect(versions.sort((a, b) => String(a.v).localeCompare(String(b.v)))).toEqual([
      { v: '1', run: `/run/${runs.train[0]}`, tags: 'task=demo' },
      { v: '2', run: `/run/${runs.train[1]}`, tags: '' },
    ]);
    expectClean(o);
  });

  it('shows a missing run as an error page with its code, never a trace', async () => {
    const o = await open('/run/0123456789abcdef0123456789abcdef');
    const view = await o.page.waitForSelector('.error-view');
    expect(await view.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(await view.textContent()).not.toMatch(/\bat .*\.js:\d+/);
    o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/404/.test(e)));
    expectClean(o);
  });
});

describe('a damaged store', () => {
  it('shows a run whose record is not JSON as a CORRUPT error page, never a trace', async () => {
    const root = tempDir();
    const store = new Store({ name: 'damaged', meta: createLocalBackend({ root }) });
    const run = await startRun({ store, cwd: tempDir(), name: 'soon-damaged' });
    await run.end();
    writeFileSync(join(root, 'runs', run.id, 'run.json'), '{"id": "cut off');
    const damaged = await startUi({ store, port: 0, appDir: BUILT_APP });
    try {
      const o = await openPage(browser);
      opened.push(o);
      await o.page.goto(new URL(`/run/${run.id}`, damaged.url).href);
      const view = await o.page.waitForSelector('.error-view');
      expect(await view.getAttribute('data-code')).toBe('CORRUPT');
      expect(await view.textContent()).toContain('The store is damaged');
      expect(await view.textContent()).not.toMatch(/\bat .*\.js:\d+|SyntaxError/);
      o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/500/.test(e)));
      expectClean(o);
    } finally {
      await damaged.close();
    }
  });
});
