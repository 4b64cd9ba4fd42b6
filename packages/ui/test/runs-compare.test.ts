/**
 * The runs page and the compare view in headless chromium over the demo store: search with a
 * good and a bad filter, sort, columns, three runs selected and compared (curves, a run hidden,
 * a zoom that refetches, log scale, params, images, plots, a JSON diff). Every page load stays
 * on 127.0.0.1 and logs no console error.
 */
import { describe, expect, it } from 'vitest';
import { canvasInk, decodedImages, drawnCharts, type Opened } from './browser.js';
import { expectClean, useDemoApp } from './demo-app.js';
import { DEMO } from './demo-store.js';

const app = useDemoApp();
const open = (path: string) => app.open(path);

const rowIds = (o: Opened) =>
  o.page.$$eval('.runs-table .tbody .tr[data-run]', (rows) =>
    rows
      .sort(
        (a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')),
      )
      .map((r) => r.getAttribute('data-run')),
  );

describe('runs page', () => {
  it('lists every run, filters with a good filter, and shows a bad one with its position', async () => {
    const o = await open('/runs');
    await o.page.waitForSelector('.runs-table .tr[data-run]');
    await o.page.waitForFunction(
      () => document.querySelector('.count')?.getAttribute('data-total') === '4',
    );
    expect((await rowIds(o)).sort()).toEqual([...app.runs.train, app.runs.evaluate].sort());

    await o.page.fill('input[name=filter]', 'params.lr < 0.05');
    await o.page.press('input[name=filter]', 'Enter');
    await o.page.waitForFunction(
      () => document.querySelector('.count')?.getAttribute('data-total') === '2',
    );
    expect(new URL(o.page.url()).searchParams.get('filter')).toBe('params.lr < 0.05');
    expect((await rowIds(o)).sort()).toEqual([app.runs.train[1], app.runs.train[2]].sort());

    await o.page.fill('input[name=filter]', 'metrics.acc 0.9');
    await o.page.press('input[name=filter]', 'Enter');
    const error = await o.page.waitForSelector('.filter-error');
    expect(await error.getAttribute('data-position')).toBe('13');
    expect(await o.page.textContent('.filter-error mark')).toBe('0');
    expect(await o.page.textContent('.filter-error p')).toMatch(/comparator/);
    expect(await o.page.getAttribute('input[name=filter]', 'aria-invalid')).toBe('true');
    // the bad filter's 400 is the only console error chromium logs (a failed fetch)
    expectClean(o, 400);
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
    const [fast, mid, slow] = app.runs.train;
    await o.page.waitForFunction(
      (first) =>
        document.querySelector('.tbody .tr[aria-rowindex="2"]')?.getAttribute('data-run') === first,
      fast,
    );
    expect(await rowIds(o)).toEqual([fast, mid, slow, app.runs.evaluate]);
    await o.page.click('th[data-col="metrics.acc"] button');
    await o.page.waitForFunction(
      (first) =>
        document.querySelector('.tbody .tr[aria-rowindex="2"]')?.getAttribute('data-run') === first,
      slow,
    );
    expect(new URL(o.page.url()).searchParams.get('orderBy')).toBe('metrics.acc ASC');
    expect(await rowIds(o)).toEqual([slow, mid, fast, app.runs.evaluate]);
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
    for (const id of app.runs.train)
      await o.page.check(`.tr[data-run="${id}"] input[type=checkbox]`);
    await o.page.click('button.primary:has-text("Compare (3)")');
    await o.page.waitForURL(/\/compare\?/);
    expect(new URL(o.page.url()).searchParams.get('runs')?.split(',').sort()).toEqual(
      [...app.runs.train].sort(),
    );
    await o.page.waitForSelector('figure.metric-chart[data-metric=loss] .chart[data-state=drawn]');
    expectClean(o);
  });
});

describe('compare page', () => {
  it('draws curves, hides a run by its legend entry, zooms, and marks differing params', async () => {
    const o = await open(`/compare?runs=${app.runs.train.join(',')}`);
    for (const chart of await drawnCharts(o.page, ['loss', 'acc'])) {
      expect(chart.ink).toBeGreaterThan(200);
      expect(chart.caption).toContain(`${3 * DEMO.steps} of ${3 * DEMO.steps} points`);
    }

    const ink = await canvasInk(o.page, 'figure.metric-chart[data-metric=loss] canvas');
    // Only a hidden run's entry is struck through (every entry was, shown or not).
    const struck = () =>
      o.page.$$eval('.legend-entry', (els) =>
        els.map((el) => getComputedStyle(el).textDecorationLine === 'line-through'),
      );
    expect(await struck()).toEqual([false, false, false]);
    await o.page.click(`.legend-entry[data-run="${app.runs.train[0]}"]`);
    expect(
      await o.page.getAttribute(`.legend-entry[data-run="${app.runs.train[0]}"]`, 'aria-pressed'),
    ).toBe('false');
    expect(await struck()).toEqual([true, false, false]);
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
    const o = await open(`/compare?runs=${app.runs.train.join(',')}`);
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
      `.text-diff details[data-run="${app.runs.train[1]}"] .ins`,
    );
    expect(await diff.textContent()).toContain('"depth": 5');
    const removed = await o.page.textContent(
      `.text-diff details[data-run="${app.runs.train[1]}"] .del`,
    );
    expect(removed).toContain('"depth": 4');
    expectClean(o);
  });
});
