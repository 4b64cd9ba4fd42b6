/**
 * `trove ui` is safe by default (issue 20): loopback only unless told, no other `Host` answered
 * (DNS rebinding) and nothing read for one, GET/HEAD only, no path or id outside the store, no
 * route that writes, a damaged store answered with JSON and never a stack trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBackend } from '@trove/backend-local';
import { openStore, Store, type Store as StoreType } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type UiServer } from '../src/index.js';
import { type Fixture, writeFixture } from './fixture.js';
import { get } from './http.js';

let cwd: string;
let store: StoreType;
let counted: StoreType;
let reads = 0;
let ui: UiServer;
let fx: Fixture;

/** The store's own backend, every call counted (a real local backend under a Proxy). */
function countingStore(root: string): StoreType {
  const backend = createLocalBackend({ root });
  const meta = new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        reads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return new Store({ name: 'counted', meta });
}

beforeAll(async () => {
  cwd = tempDir('trove-ui-safety-');
  process.env.TROVE_CACHE_DIR = join(cwd, 'cache');
  mkdirSync(join(cwd, '.trove'));
  store = await openStore({ cwd });
  fx = await writeFixture(cwd, store);
  await fx.runningRun.end();
  counted = countingStore(join(cwd, '.trove'));
  ui = await startUi({ store: counted });
  // the metric summaries are made in the background once a first answer is sent: the counts
  // below begin after
  expect((await get(ui.url, '/api/info')).status).toBe(200);
  await ui.prepared;
});

afterAll(async () => {
  await ui?.close();
  await store?.close();
});

/** Every route of API.md, with good arguments. */
const routes = () => [
  '/api/info',
  '/api/columns',
  '/api/runs',
  `/api/runs/${fx.a}`,
  `/api/runs/${fx.a}/tree?path=outputs/images`,
  `/api/runs/${fx.a}/file?path=outputs/table.csv`,
  `/api/runs/${fx.a}/preview?path=outputs/table.csv`,
  `/api/runs/${fx.a}/zip?path=outputs/images`,
  `/api/metrics?runs=${fx.a}&keys=loss`,
  `/api/metrics?runs=${fx.a}&keys=loss&format=f32&xmin=1&xmax=9`,
  `/api/images?runs=${fx.a}&name=sample`,
  `/api/images/names?runs=${fx.a}`,
  `/api/plots?runs=${fx.a}`,
  `/api/texts?runs=${fx.a},${fx.b}&path=outputs/config.json`,
  `/api/compare?runs=${fx.a},${fx.b}`,
  `/api/lineage?ref=${fx.a}`,
  '/api/models',
  '/api/models/classifier',
];

describe('where it listens and whom it answers', () => {
  it('binds 127.0.0.1 by default and answers localhost too', async () => {
    expect(new URL(ui.url).hostname).toBe('127.0.0.1');
    const port = new URL(ui.url).port;
    const local = await get(ui.url, '/api/info', { headers: { host: `localhost:${port}` } });
    expect(local.status).toBe(200);
  });

  it('refuses a foreign Host on every route with 403 before reading anything', async () => {
    const port = new URL(ui.url).port;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
    ]) {
      for (const path of routes()) {
        const before = reads;
        const answer = await get(ui.url, path, { headers: { host } });
        expect([path, host, answer.status, answer.json().error.code]).toEqual([
          path,
          host,
          403,
          'PERMISSION_DENIED',
        ]);
        expect(reads).toBe(before);
      }
    }
    // no Host at all: node's HTTP/1.1 parser refuses it (400) before the server sees it
    const before = reads;
    expect((await get(ui.url, '/api/runs', { headers: { host: '' } })).status).toBe(400);
    expect(reads).toBe(before);
  });

  it('answers only GET and HEAD: 405, nothing read', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const before = reads;
      const answer = await get(ui.url, `/api/runs/${fx.a}`, { method });
      expect([method, answer.status, answer.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
      expect(answer.json().error.code).toBe('METHOD_NOT_ALLOWED');
      expect(reads).toBe(before);
    }
  });

  it('listens on another host only when told', async () => {
    const wide = await startUi({ store: counted, host: '0.0.0.0' });
    try {
      const port = new URL(wide.url).port;
      expect(new URL(wide.url).hostname).toBe('0.0.0.0');
      expect((await get(`http://127.0.0.1:${port}/`, '/api/info')).status).toBe(200);
      const evil = await get(`http://127.0.0.1:${port}/`, '/api/info', {
        headers: { host: `evil.example:${port}` },
      });
      expect(evil.status).toBe(403);
    } finally {
      await wide.close();
    }
  });
});

describe('paths and ids', () => {
  it('refuses .., absolute paths, NUL and backslashes in any path or id with INVALID_PATH, nothing read', async () => {
    const bad = [
      `/api/runs/${fx.a}/file?path=../run.json`,
      `/api/runs/${fx.a}/file?path=outputs/../../x`,
      `/api/runs/${fx.a}/file?path=%2Fetc%2Fpasswd`,
      `/api/runs/${fx.a}/file?path=outputs%00/table.csv`,
      `/api/runs/${fx.a}/file?path=outputs%5Ctable.csv`,
      `/api/runs/${fx.a}/preview?path=..%2F..%2Ftables`,
      `/api/runs/${fx.a}/tree?path=../`,
      `/api/runs/${fx.a}/zip?path=/tmp`,
      '/api/runs/../../etc/passwd',
      '/api/runs/%2e%2e/tree?path=x',
      `/api/runs/..%2F${fx.a}`,
      `/api/metrics?runs=..&keys=loss`,
      `/api/metrics?runs=${fx.a}&keys=../loss`,
      `/api/images?runs=${fx.a}&name=..`,
      `/api/texts?runs=${fx.a}&path=C:%5Cwindows`,
      '/api/lineage?ref=../../x',
      '/api/models/..',
      '/assets/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
    ];
    for (const path of bad) {
      const before = reads;
      const answer = await get(ui.url, path);
      expect([path, answer.status, answer.json().error.code]).toEqual([path, 400, 'INVALID_PATH']);
      expect(reads).toBe(before);
    }
  });
});

describe('read-only, and errors as JSON', () => {
  it('leaves the store exactly as it was after every route, GET and HEAD', async () => {
    const listing = async () => {
      const out: string[] = [];
      for await (const e of store.meta.list('')) out.push(`${e.key} ${e.size} ${e.etag}`);
      return out;
    };
    const before = await listing();
    for (const path of routes()) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await get(ui.url, path, { method });
        expect([path, method, answer.status]).toEqual([path, method, 200]);
      }
    }
    expect(await listing()).toEqual(before);
  });

  it('carries the security headers on every answer, errors included', async () => {
    for (const path of [...routes(), '/api/nope', '/']) {
      const answer = await get(ui.url, path);
      expect(answer.headers['content-security-policy']).toBe(
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'",
      );
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      if (path.startsWith('/api/')) expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers a damaged run, a missing one and an unknown route with JSON, never a trace', async () => {
    const cases: Array<[string, number, string]> = [];
    // a run.json that is not JSON
    const broken = join(cwd, '.trove', 'runs', fx.b, 'run.json');
    writeFileSync(broken, '{"id": "half');
    for (const [path, status, code] of [
      [`/api/runs/${fx.b}`, 500, 'CORRUPT'],
      ['/api/runs/ffffffffffff', 404, 'NOT_FOUND'],
      [`/api/runs/${fx.a}/file?path=outputs/nope.txt`, 404, 'NOT_FOUND'],
      [`/api/runs/${fx.a}/zip?path=outputs/table.csv`, 404, 'NOT_FOUND'],
      ['/api/nope', 404, 'NOT_FOUND'],
      // ids are time-ordered: runs logged a moment apart share their first hex digits
      [`/api/runs/${commonPrefix(fx.a, fx.b)}`, 400, 'AMBIGUOUS'],
      ['/api/metrics?keys=loss', 400, 'INVALID_ARGUMENT'],
      [`/api/metrics?runs=${fx.a}&keys=loss&width=0`, 400, 'INVALID_ARGUMENT'],
      [`/api/lineage?ref=${fx.a}&dir=sideways`, 400, 'INVALID_ARGUMENT'],
    ] as const) {
      const answer = await get(ui.url, path);
      const text = answer.body.toString();
      cases.push([path, answer.status, answer.json().error.code]);
      expect(text).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect([path, answer.status, answer.json().error.code]).toEqual([path, status, code]);
    }
    // the listing still answers (from the runs table, where b's row was committed when it ended)
    const runs = await get(ui.url, '/api/runs');
    expect([runs.status, runs.json().total]).toEqual([200, 3]);
  });

  it('answers a store that is gone with JSON', async () => {
    const gone = new Store({
      name: 'gone',
      meta: createLocalBackend({ root: join(cwd, 'no-such-store') }),
    });
    const server = await startUi({ store: gone });
    try {
      const answer = await get(server.url, `/api/runs/${fx.a}`);
      expect([answer.status, answer.json().error.code]).toEqual([404, 'NOT_FOUND']);
      const info = await get(server.url, '/api/info');
      expect(info.json()).toMatchObject({ runs: 0 });
    } finally {
      await server.close();
    }
  });
});

function commonPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  expect(n).toBeGreaterThanOrEqual(4);
  return a.slice(0, n);
}

describe('the app', () => {
  it('serves index.html for the app’s routes and its assets, and says when it is not built', async () => {
    const appDir = join(cwd, 'web');
    mkdirSync(join(appDir, 'assets'), { recursive: true });
    writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>trove</title>');
    writeFileSync(join(appDir, 'assets', 'app-1234.js'), 'console.log(1)');
    const app = await startUi({ store: counted, appDir });
    try {
      for (const path of [
        '/',
        '/runs',
        '/compare?runs=a,b',
        `/run/${fx.a}`,
        '/lineage',
        '/models',
        '/models/classifier',
      ]) {
        const answer = await get(app.url, path);
        expect([path, answer.status, answer.body.toString()]).toEqual([
          path,
          200,
          '<!doctype html><title>trove</title>',
        ]);
        expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      }
      const js = await get(app.url, '/assets/app-1234.js');
      expect([js.status, js.headers['content-type'], js.body.toString()]).toEqual([
        200,
        'text/javascript; charset=utf-8',
        'console.log(1)',
      ]);
      expect((await get(app.url, '/assets/none.js')).status).toBe(404);
    } finally {
      await app.close();
    }
    const empty = await startUi({ store: counted, appDir: join(cwd, 'no-app') });
    try {
      const answer = await get(empty.url, '/');
      expect([answer.status, answer.json().error.code]).toEqual([404, 'NOT_FOUND']);
    } finally {
      await empty.close();
    }
  });

  it('closes on its signal', async () => {
    const controller = new AbortController();
    const server = await startUi({ store: counted, signal: controller.signal });
    expect((await get(server.url, '/api/info')).status).toBe(200);
    controller.abort();
    await server.close();
    await expect(get(server.url, '/api/info')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
