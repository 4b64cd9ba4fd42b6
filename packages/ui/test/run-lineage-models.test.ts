/**
 * A run page, lineage and models in headless chromium over the demo store: PNG, CSV and JSON
 * previews, a folder downloaded as a zip (its entries read back), the lineage graph, the model
 * registry, and error pages for a missing run and a damaged record. Every page load stays on
 * 127.0.0.1 and logs no console error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBackend } from '@trove/backend-local';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { startUi } from '../src/index.js';
import { BUILT_APP, decodedImages, openPage } from './browser.js';
import { expectClean, useDemoApp } from './demo-app.js';
import { DEMO } from './demo-store.js';
import { zipEntries } from './zip-entries.js';

const app = useDemoApp();
const open = (path: string) => app.open(path);

describe('run page', () => {
  it('previews a PNG, a CSV as a table and a JSON file, and downloads a folder as a zip', async () => {
    const id = app.runs.train[0] as string;
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
    const o = await open(`/lineage?ref=${app.runs.evaluate}&dir=both&depth=3`);
    await o.page.waitForSelector('svg.lineage g.node');
    const refs = await o.page.$$eval('svg.lineage g.node', (g) =>
      g.map((n) => n.getAttribute('data-ref')),
    );
    expect(refs).toContain(app.runs.evaluate);
    expect(refs).toContain(app.runs.train[0]);
    expect(
      await o.page.$$eval('svg.lineage polyline.edge', (e) => e.length),
    ).toBeGreaterThanOrEqual(2);
    await o.page.click(`svg.lineage g.node[data-ref="${app.runs.train[0]}"]`);
    await o.page.waitForFunction(
      (id) => new URL(location.href).searchParams.get('ref') === id,
      app.runs.train[0],
    );
    await o.page.waitForSelector(`svg.lineage g.node.center[data-ref="${app.runs.train[0]}"]`);
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
      { v: '1', run: `/run/${app.runs.train[0]}`, tags: 'task=demo' },
      { v: '2', run: `/run/${app.runs.train[1]}`, tags: '' },
    ]);
    expectClean(o);
  });

  it('shows a missing run as an error page with its code, never a trace', async () => {
    const o = await open('/run/0123456789abcdef0123456789abcdef');
    const view = await o.page.waitForSelector('.error-view');
    expect(await view.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(await view.textContent()).not.toMatch(/\bat .*\.js:\d+/);
    expectClean(o, 404);
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
      const o = app.keep(await openPage(app.browser));
      await o.page.goto(new URL(`/run/${run.id}`, damaged.url).href);
      const view = await o.page.waitForSelector('.error-view');
      expect(await view.getAttribute('data-code')).toBe('CORRUPT');
      expect(await view.textContent()).toContain('The store is damaged');
      expect(await view.textContent()).not.toMatch(/\bat .*\.js:\d+|SyntaxError/);
      expectClean(o, 500);
    } finally {
      await damaged.close();
    }
  });
});
