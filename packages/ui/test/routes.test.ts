/**
 * Every route of API.md over real HTTP against `startUi`, on a local store made by trove's API
 * (fixture.ts): the values each gives.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type UiServer } from '../src/index.js';
import { type Fixture, STEPS, writeFixture } from './fixture.js';
import { get } from './http.js';
import { zipEntries } from './zip-entries.js';

let store: Store;
let ui: UiServer;
let fx: Fixture;

beforeAll(async () => {
  const cwd = tempDir('trove-ui-');
  process.env.TROVE_CACHE_DIR = join(cwd, 'cache');
  mkdirSync(join(cwd, '.trove'));
  store = await openStore({ cwd });
  fx = await writeFixture(cwd, store);
  ui = await startUi({ store });
});

afterAll(async () => {
  await ui?.close();
  await fx?.runningRun.end();
  await store?.close();
});

const api = async (path: string) => {
  const answer = await get(ui.url, `/api/${path}`);
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
  return answer.json();
};

describe('store, columns and runs', () => {
  it('/api/info names the store and counts its runs', async () => {
    const info = await api('info');
    expect(info).toMatchObject({ store: { kind: 'local' }, version: '0.0.0', runs: 3 });
    expect(info.store.location).toMatch(/\.trove$/);
  });

  it('/api/columns lists every param, metric and tag key', async () => {
    expect(await api('columns')).toEqual({
      params: ['depth', 'lr', 'optimizer'],
      metrics: ['acc', 'loss'],
      tags: ['team'],
    });
  });

  it('/api/runs pages, filters, orders and picks columns', async () => {
    const all = await api('runs?orderBy=params.lr%20ASC');
    expect(all.total).toBe(3);
    expect(all.offset).toBe(0);
    expect(all.rows.map((r: { name: string }) => r.name)).toEqual([
      'train-b',
      'train-a',
      'still-running',
    ]);
    const [a] = (await api(`runs?filter=${encodeURIComponent("params.optimizer = 'adam'")}`)).rows;
    expect(a).toMatchObject({
      id: fx.a,
      name: 'train-a',
      status: 'completed',
      params: { lr: '0.1', depth: '3', optimizer: 'adam' },
      tags: { team: 'cv' },
    });
    expect(a.metrics).toEqual({ loss: 10 / STEPS, acc: (STEPS - 1) / STEPS / 2 });
    expect(Date.parse(a.startTime)).toBeLessThanOrEqual(Date.parse(a.endTime));
    const page = await api(
      'runs?orderBy=params.lr%20ASC&limit=1&offset=1&columns=params.lr,tags.team',
    );
    expect(page).toEqual({
      total: 3,
      offset: 1,
      rows: [
        expect.objectContaining({
          name: 'train-a',
          params: { lr: '0.1' },
          metrics: {},
          tags: { team: 'cv' },
        }),
      ],
    });
    const running = (
      await api(`runs?filter=${encodeURIComponent("attributes.status = 'running'")}`)
    ).rows;
    expect(running.map((r: { id: string }) => r.id)).toEqual([fx.running]);
  });

  it('/api/runs refuses a bad filter with its position, and a limit over 1000', async () => {
    const bad = await get(ui.url, `/api/runs?filter=${encodeURIComponent('params.lr < ')}`);
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', position: 13 });
    const big = await get(ui.url, '/api/runs?limit=1001');
    expect(big.status).toBe(400);
    expect(big.json().error.code).toBe('INVALID_ARGUMENT');
  });
});

describe('a run and its files', () => {
  it('/api/runs/<id> gives the record, artifacts and events', async () => {
    const detail = await api(`runs/${fx.a.slice(0, 12)}`);
    expect(detail.run).toMatchObject({ id: fx.a, name: 'train-a', params: { lr: 0.1 } });
    const paths = detail.artifacts.map((x: { path: string }) => x.path);
    expect(paths).toEqual([
      'assets/image/sample_0.png',
      'assets/image/sample_1.png',
      'outputs/big.txt',
      'outputs/config.json',
      'outputs/confusion_matrix.json',
      'outputs/diagram.svg',
      'outputs/images',
      'outputs/model.pt',
      'outputs/notes.txt',
      'outputs/table.csv',
    ]);
    const folder = detail.artifacts.find((x: { path: string }) => x.path === 'outputs/images');
    expect(folder).toMatchObject({ isDir: true, nfiles: 3, size: expect.any(Number) });
    expect(folder.md5).toMatch(/\.dir$/);
    expect(
      detail.artifacts.find((x: { path: string }) => x.path === 'outputs/model.pt'),
    ).toMatchObject({
      md5: fx.modelMd5,
      type: 'model',
      name: 'model',
      isDir: false,
    });
    expect(detail.events).toEqual(
      expect.arrayContaining([
        { kind: 'metric', name: 'loss', count: STEPS },
        { kind: 'metric', name: 'acc', count: STEPS },
      ]),
    );
  });

  it('/tree lists a folder artifact with md5 and sizes', async () => {
    const { entries } = await api(`runs/${fx.a}/tree?path=outputs/images`);
    expect(entries.map((e: { path: string }) => e.path)).toEqual([
      'outputs/images/1.png',
      'outputs/images/2.png',
      'outputs/images/sub/3.txt',
    ]);
    expect(entries[2]).toMatchObject({ size: 5, md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('/file streams the bytes with their type, honours Range, and attaches on download', async () => {
    const path = `/api/runs/${fx.a}/file?path=assets/image/sample_0.png`;
    const whole = await get(ui.url, path);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('image/png');
    expect(whole.body.equals(fx.pngBytes)).toBe(true);
    const part = await get(ui.url, path, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1-3/${fx.pngBytes.length}`);
    expect(part.body.toString('latin1')).toBe('PNG');
    const tail = await get(ui.url, path, { headers: { range: 'bytes=-4' } });
    expect(tail.body.equals(fx.pngBytes.subarray(-4))).toBe(true);
    const past = await get(ui.url, path, { headers: { range: `bytes=${fx.pngBytes.length}-` } });
    expect(past.status).toBe(416);
    const csv = await get(ui.url, `/api/runs/${fx.a}/file?path=outputs/table.csv&download=1`);
    expect(csv.body.toString()).toBe(fx.csv);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="table.csv"/);
    // an SVG runs no script, even opened on its own
    const svg = await get(ui.url, `/api/runs/${fx.a}/file?path=outputs/diagram.svg`);
    expect([svg.headers['content-type'], svg.headers['content-security-policy']]).toEqual([
      'image/svg+xml',
      'sandbox',
    ]);
    const inFolder = await get(ui.url, `/api/runs/${fx.a}/file?path=outputs/images/sub/3.txt`);
    expect(inFolder.body.toString()).toBe('three');
    const head = await get(ui.url, path, { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([
      200,
      String(fx.pngBytes.length),
      0,
    ]);
  });

  it('/preview shows images, tables, JSON and the first MiB of text', async () => {
    const p = (path: string) => api(`runs/${fx.a}/preview?path=${path}`);
    expect(await p('assets/image/sample_1.png')).toMatchObject({ kind: 'image', truncated: false });
    expect(await p('outputs/table.csv')).toEqual({
      kind: 'table',
      size: fx.csv.length,
      truncated: false,
      table: {
        columns: ['epoch', 'loss', 'note'],
        rows: [
          ['0', '1.5', 'a, quoted'],
          ['1', '0.75', 'b'],
        ],
      },
    });
    expect(await p('outputs/config.json')).toMatchObject({
      kind: 'json',
      json: { lr: 0.1, layers: [64, 32] },
    });
    const big = await p('outputs/big.txt');
    expect(big).toMatchObject({
      kind: 'text',
      truncated: true,
      size: Buffer.byteLength(fx.bigText),
    });
    // 1 MiB is 524,288 two-byte characters: none cut in half
    expect(big.text).toBe('é'.repeat(524_288));
    expect(await p('outputs/model.pt')).toMatchObject({ kind: 'text', text: 'weights of a' });
  });

  it('/zip streams a folder as a zip of its files', async () => {
    const answer = await get(ui.url, `/api/runs/${fx.a}/zip?path=outputs/images`);
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="images.zip"/);
    const files = Object.fromEntries((await zipEntries(answer.body)).map((e) => [e.name, e.text]));
    expect(Object.keys(files).sort()).toEqual(['images/1.png', 'images/2.png', 'images/sub/3.txt']);
    expect(files['images/sub/3.txt']?.toString()).toBe('three');
  });
});

describe('metrics, images, plots, texts and compare', () => {
  it('fetches the metric summaries in the background when it starts', async () => {
    await ui.prepared;
    const cache = readdirSync(join(process.env.TROVE_CACHE_DIR as string, 'tables'));
    const summaries = cache.filter((f) => f.startsWith('_summaries__'));
    // one per data file of the metrics table, stored by its writer: the runs a and b committed
    // theirs; none had to be made from a data file
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(cache.filter((f) => f.endsWith('-summary-1.parquet'))).toEqual([]);
  });

  it('/api/metrics keeps each pixel column’s low and high, and refines on zoom', async () => {
    const { series } = await api(
      `metrics?runs=${fx.a},${fx.b},${fx.running}&keys=loss,acc&width=100`,
    );
    expect(series.map((s: { run: string; key: string }) => [s.run, s.key])).toEqual([
      [fx.a, 'loss'],
      [fx.a, 'acc'],
      [fx.b, 'loss'],
      [fx.running, 'loss'],
    ]);
    const [loss, acc, b, running] = series;
    expect(loss.total).toBe(STEPS);
    expect(loss.x.length).toBeLessThanOrEqual(200);
    expect([loss.x[0], loss.y[0]]).toEqual([0, 10]);
    expect(acc.y[acc.x.indexOf(700)]).toBe(0.99);
    // one pixel column is 15 steps wide here: b's 10 steps are its first column's high and low
    expect(b).toMatchObject({ total: 10, x: [0, 9], y: [5, 4.1] });
    // still running: its values come from its folder (the backlog)
    expect(running).toMatchObject({ total: 5, x: [0, 4], y: [0, 4] });
    const alone = await api(`metrics?runs=${fx.b}&keys=loss&width=100`);
    expect(alone.series[0].x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const zoom = await api(`metrics?runs=${fx.a}&keys=acc&width=100&xmin=650&xmax=749`);
    expect(zoom.series[0].x).toEqual(Array.from({ length: 100 }, (_, i) => 650 + i));
    const byTime = await api(`metrics?runs=${fx.b}&keys=loss&x=time`);
    expect(byTime.series[0].x[0]).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('/api/metrics&format=f32 carries the same points in binary', async () => {
    const query = `metrics?runs=${fx.a},${fx.b}&keys=loss&width=50`;
    const json = await api(query);
    const bin = await get(ui.url, `/api/${query}&format=f32`);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    const buf = bin.body;
    const n = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
    const start = 4 + n;
    expect(start % 8).toBe(0);
    const total = header.series.reduce((s: number, x: { points: number }) => s + x.points, 0);
    const xs = new Float64Array(
      buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + total * 8),
    );
    const ys = new Float32Array(
      buf.buffer.slice(buf.byteOffset + start + total * 8, buf.byteOffset + start + total * 12),
    );
    expect(buf.length).toBe(start + total * 12);
    let at = 0;
    for (const [i, s] of header.series.entries()) {
      const want = json.series[i];
      expect([s.run, s.key, s.total]).toEqual([want.run, want.key, want.total]);
      expect([...xs.subarray(at, at + s.points)]).toEqual(want.x);
      expect([...ys.subarray(at, at + s.points)]).toEqual(want.y.map(Math.fround));
      at += s.points;
    }
  });

  it('/api/images lists images by name and step', async () => {
    expect(await api(`images/names?runs=${fx.a},${fx.b}`)).toEqual(['sample']);
    expect(await api(`images?runs=${fx.a},${fx.b}&name=sample`)).toEqual({
      images: [
        { run: fx.a, name: 'sample', step: 0, path: 'assets/image/sample_0.png' },
        { run: fx.a, name: 'sample', step: 1, path: 'assets/image/sample_1.png' },
        { run: fx.b, name: 'sample', step: 0, path: 'assets/image/sample_0.png' },
      ],
    });
  });

  it('/api/plots draws DVCLive plots to SVG', async () => {
    const { plots } = await api(`plots?runs=${fx.a},${fx.b}`);
    expect(plots.map((p: { run: string; name: string }) => [p.run, p.name])).toEqual([
      [fx.a, 'sklearn/confusion_matrix'],
    ]);
    expect(plots[0].svg).toMatch(/^<svg/);
    expect(plots[0].svg).toContain('Confusion');
  });

  it('/api/texts gives one path of each run that has it', async () => {
    expect(await api(`texts?runs=${fx.a},${fx.b}&path=outputs/config.json`)).toEqual({
      texts: [
        {
          run: fx.a,
          path: 'outputs/config.json',
          text: '{"lr":0.1,"layers":[64,32]}',
          truncated: false,
        },
        {
          run: fx.b,
          path: 'outputs/config.json',
          text: '{"lr":0.01,"layers":[64,32]}',
          truncated: false,
        },
      ],
    });
  });

  it('/api/compare puts params and summaries side by side and names what can be compared', async () => {
    const data = await api(`compare?runs=${fx.a},${fx.b}`);
    expect(data.runs.map((r: { id: string }) => r.id)).toEqual([fx.a, fx.b]);
    expect(data.params).toEqual([
      { key: 'depth', values: [3, 3], differs: false },
      { key: 'lr', values: [0.1, 0.01], differs: true },
      { key: 'optimizer', values: ['adam', 'sgd'], differs: true },
    ]);
    expect(data.summary.find((s: { key: string }) => s.key === 'acc')).toEqual({
      key: 'acc',
      values: [(STEPS - 1) / STEPS / 2, null],
      differs: true,
    });
    expect(data).toMatchObject({
      metricKeys: ['acc', 'loss'],
      imageNames: ['sample'],
      plotNames: ['sklearn/confusion_matrix'],
      textPaths: [
        'outputs/big.txt',
        'outputs/config.json',
        'outputs/notes.txt',
        'outputs/table.csv',
      ],
    });
    const one = await get(ui.url, `/api/compare?runs=${fx.a}`);
    expect([one.status, one.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0')).join(',');
    const tooMany = await get(ui.url, `/api/compare?runs=${many}`);
    expect([tooMany.status, tooMany.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });
});

describe('lineage and models', () => {
  it('/api/lineage follows a run down to its consumers and its registered model', async () => {
    const { nodes, edges } = await api(`lineage?ref=${fx.a}&dir=down&depth=3`);
    const ids = nodes.map((n: { id: string }) => n.id).sort();
    expect(ids).toEqual(
      expect.arrayContaining([
        `run:${fx.a}`,
        `run:${fx.b}`,
        `artifact:${fx.modelMd5}`,
        'model:classifier/1',
      ]),
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: `run:${fx.a}`, to: `artifact:${fx.modelMd5}`, kind: 'produced' },
        { from: `artifact:${fx.modelMd5}`, to: `run:${fx.b}`, kind: 'consumed' },
        { from: `artifact:${fx.modelMd5}`, to: 'model:classifier/1', kind: 'registered' },
      ]),
    );
    expect(nodes.find((n: { id: string }) => n.id === `run:${fx.b}`)).toEqual({
      id: `run:${fx.b}`,
      kind: 'run',
      label: 'train-b',
      ref: fx.b,
    });
  });

  it('/api/lineage follows a run up to the run that made its input, and starts at a model', async () => {
    const up = await api(`lineage?ref=${fx.b}&dir=up`);
    expect(up.edges).toEqual([
      { from: `artifact:${fx.modelMd5}`, to: `run:${fx.b}`, kind: 'consumed' },
      { from: `run:${fx.a}`, to: `artifact:${fx.modelMd5}`, kind: 'produced' },
    ]);
    const fromModel = await api(
      `lineage?ref=${encodeURIComponent('models:/classifier@champion')}&dir=up&depth=1`,
    );
    expect(fromModel.edges).toEqual([
      { from: `run:${fx.a}`, to: `artifact:${fx.modelMd5}`, kind: 'produced' },
    ]);
  });

  it('/api/models and /api/models/<name> read the registry', async () => {
    expect(await api('models')).toEqual({
      models: [{ name: 'classifier', versions: 1, aliases: { champion: 1 }, tags: {}, latest: 1 }],
    });
    const detail = await api('models/classifier');
    expect(detail).toMatchObject({ name: 'classifier', aliases: { champion: 1 }, tags: {} });
    expect(detail.versions).toEqual([
      {
        version: 1,
        source: `runs:/${fx.a}/outputs/model.pt`,
        runId: fx.a,
        md5: fx.modelMd5,
        tags: { task: 'demo' },
        aliases: ['champion'],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    const missing = await get(ui.url, '/api/models/nope');
    expect([missing.status, missing.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
