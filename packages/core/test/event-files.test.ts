/**
 * Events files as append-only segments: the first save writes `<name>.plx`, each later one a
 * create-only `<name>.plx.<NNNNNN>` with only its rows; readers see the base and its segments
 * concatenated, in order. On the memory backend and on a real local folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTroveError } from '../src/errors.js';
import { EventFileWriter } from '../src/record/event-files.js';
import { openStore } from '../src/record/open-store.js';
import type { Store } from '../src/record/store.js';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, readEvents, storeKeys, tempDir } from './helpers.js';

const RUN = '0123456789abcdef0123456789abcdef';
const HEADER = 'step|timestamp|metric';
const row = (i: number) => `\n${i}|2026-12-05T08:45:21.038000+00:00|${i / 4}`;
const rows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => row(from + k)).join('');

async function localStore(): Promise<Store> {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  return openStore({ cwd });
}

async function eventKeys(store: Store): Promise<string[]> {
  return (await storeKeys(store))
    .filter((k) => k.includes('/events/'))
    .map((k) => k.slice(k.indexOf('/events/') + 1));
}

describe.each([
  ['memory', async () => memoryStore()],
  ['local', localStore],
])('events files as segments (%s)', (_, open) => {
  it('writes the base file first, then only the new rows of each save as a segment', async () => {
    const store = await open();
    const writer = new EventFileWriter(store, RUN);
    await writer.append('metric/loss.plx', HEADER, rows(0, 2));
    expect(await eventKeys(store)).toEqual(['events/metric/loss.plx']);
    await writer.append('metric/loss.plx', HEADER, rows(2, 3));
    await writer.append('metric/loss.plx', HEADER, rows(3, 5));
    expect(await eventKeys(store)).toEqual([
      'events/metric/loss.plx',
      'events/metric/loss.plx.000001',
      'events/metric/loss.plx.000002',
    ]);
    const text = (key: string) => store.readText(store.runKey(RUN, key));
    expect(await text('events/metric/loss.plx')).toBe(HEADER + rows(0, 2));
    // Rows only: no header repeated, each row starting with a newline.
    expect(await text('events/metric/loss.plx.000001')).toBe(row(2));
    expect(await text('events/metric/loss.plx.000002')).toBe(row(3) + row(4));
    expect(await readEvents(store, RUN, 'metric/loss.plx')).toBe(HEADER + rows(0, 5));
    await store.close();
  });

  it('lists streams by kind and name, each with its keys in reading order', async () => {
    const store = await open();
    const writer = new EventFileWriter(store, RUN);
    for (let i = 0; i < 12; i++) {
      await writer.append('metric/train/loss.plx', HEADER, row(i));
      if (i < 2) await writer.append('metric/acc.plx', HEADER, row(i));
    }
    await writer.append('html/page.plx', '', '\n{"step": 0}');
    // A name that only looks like a segment is a stream of its own.
    await writer.append('metric/loss.plx.000001.plx', HEADER, row(7));
    const all = await store.listEventFiles(RUN);
    expect(all.map((f) => [f.kind, f.name, f.keys.length])).toEqual([
      ['html', 'page', 1],
      ['metric', 'acc', 2],
      ['metric', 'loss.plx.000001', 1],
      ['metric', 'train/loss', 12],
    ]);
    const [loss] = await store.listEventFiles(RUN, 'metric', 'train/loss');
    expect(loss?.keys.map((k) => k.slice(k.lastIndexOf('/') + 1))).toEqual([
      'loss.plx',
      ...Array.from({ length: 11 }, (_, i) => `loss.plx.${String(i + 1).padStart(6, '0')}`),
    ]);
    expect((await store.listEventFiles(RUN, 'html')).map((f) => f.file)).toEqual(['html/page.plx']);
    expect(await store.listEventFiles(RUN, 'metric', 'nothing')).toEqual([]);
    expect(await readEvents(store, RUN, 'html/page.plx')).toBe('\n{"step": 0}');
    await store.close();
  });

  it('a run saved many times reads back as the whole sequence', async () => {
    const store = await open();
    const cwd = tempDir();
    const run = await startRun({ cwd, store });
    const expected: number[] = [];
    for (let step = 0; step < 40; step++) {
      run.logMetric('loss', step / 8);
      expected.push(step / 8);
      if (step % 3 === 0) run.logMetric('loss', -step - 1, { step });
      if (step % 3 === 0) expected.push(-step - 1);
      await run.nextStep();
    }
    await run.end();
    const keys = (await eventKeys(store)).filter((k) => k.startsWith('events/metric/loss.plx'));
    expect(keys).toHaveLength(40);
    const text = await readEvents(store, run.id, 'metric/loss.plx');
    const lines = text.split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.slice(1).map((l) => Number(l.split('|')[2]))).toEqual(expected);
    expect(lines.slice(1).map((l) => Number(l.split('|')[0]))).toEqual(
      Array.from({ length: 40 }, (_, s) => (s % 3 === 0 ? [s, s] : [s])).flat(),
    );
    await store.close();
  });

  it('a racing second writer never overwrites a segment: it takes the next free one', async () => {
    const store = await open();
    const a = new EventFileWriter(store, RUN);
    const b = new EventFileWriter(store, RUN);
    await a.append('metric/loss.plx', HEADER, row(0));
    await b.append('metric/loss.plx', HEADER, row(100)); // the base exists: segment 1
    await a.append('metric/loss.plx', HEADER, row(1)); // a's next (1) is taken: segment 2
    expect(await readEvents(store, RUN, 'metric/loss.plx')).toBe(
      HEADER + row(0) + row(100) + row(1),
    );
    // At once: every row of both writers is kept, each writer's in its own order.
    await Promise.all([
      (async () => {
        for (let i = 2; i < 30; i++) await a.append('metric/loss.plx', HEADER, row(i));
      })(),
      (async () => {
        for (let i = 101; i < 130; i++) await b.append('metric/loss.plx', HEADER, row(i));
      })(),
    ]);
    const steps = (await readEvents(store, RUN, 'metric/loss.plx'))
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split('|')[0]));
    expect(steps).toHaveLength(60);
    expect(steps.filter((s) => s < 100)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(steps.filter((s) => s >= 100)).toEqual(Array.from({ length: 30 }, (_, i) => 100 + i));
    // A segment, once written, is never replaced: a create-only write over it is refused.
    const segment = store.runKey(RUN, 'events/metric/loss.plx.000001');
    const err = await store.meta.write(segment, row(999), { ifNoneMatch: '*' }).catch((e) => e);
    expect(isTroveError(err, 'PRECONDITION_FAILED')).toBe(true);
    expect(await store.readText(segment)).toBe(row(100));
    await store.close();
  });

  it('reads segments by number past 999999 (sequence order, not key order)', async () => {
    const store = await open();
    const base = store.runKey(RUN, 'events/metric/m.plx');
    await store.meta.write(base, HEADER + row(0));
    await store.meta.write(`${base}.000010`, row(10));
    await store.meta.write(`${base}.000009`, row(9));
    await store.meta.write(`${base}.1000000`, row(11));
    expect(await readEvents(store, RUN, 'metric/m.plx')).toBe(
      HEADER + row(0) + row(9) + row(10) + row(11),
    );
    const writer = new EventFileWriter(store, RUN);
    await writer.append('metric/m.plx', HEADER, row(12)); // base taken: after the highest one
    expect(await store.readText(`${base}.1000001`)).toBe(row(12));
    await store.close();
  });
});

describe('events files: names and background saves', () => {
  it('an event name leaves room for the segment suffix: refused before anything is written', async () => {
    const store = memoryStore();
    const run = await startRun({ cwd: tempDir(), store });
    const before = await storeKeys(store);
    let caught: unknown;
    try {
      run.logMetric(`train/${'n'.repeat(245)}`, 1);
    } catch (err) {
      caught = err;
    }
    expect(isTroveError(caught, 'INVALID_NAME')).toBe(true);
    expect((caught as { hint?: string }).hint).toContain('244');
    expect(await storeKeys(store)).toEqual(before);
    const longest = `train/${'n'.repeat(244)}`;
    run.logMetric(longest, 1);
    run.logMetric(longest, 2, { step: 1 });
    await run.flush();
    run.logMetric(longest, 3, { step: 2 });
    await run.end();
    const keys = (await eventKeys(store)).map((k) => k.slice('events/metric/train/'.length));
    expect(keys).toEqual([`${'n'.repeat(244)}.plx`, `${'n'.repeat(244)}.plx.000001`]);
    expect(
      (await readEvents(store, run.id, `metric/${longest}.plx`))
        .split('\n')
        .map((l) => l.split('|')[2]),
    ).toEqual(['metric', '1', '2', '3']);
  });

  it('the run saves in the background once 100,000 rows wait, and keeps every row', async () => {
    const store = memoryStore();
    const run = await startRun({ cwd: tempDir(), store });
    const waitForKeys = async (n: number): Promise<string[]> => {
      let keys: string[] = [];
      for (let t = 0; t < 400 && keys.length < n; t++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        keys = await eventKeys(store);
      }
      return keys;
    };
    // No flush: each 100,000th row starts a save, which writes once the loop yields.
    for (let i = 0; i < 100_000; i++) run.logMetric('loss', i, { step: i });
    expect(await waitForKeys(1)).toEqual(['events/metric/loss.plx']);
    for (let i = 100_000; i < 200_000; i++) run.logMetric('loss', i, { step: i });
    expect(await waitForKeys(2)).toEqual([
      'events/metric/loss.plx',
      'events/metric/loss.plx.000001',
    ]);
    for (let i = 200_000; i < 250_000; i++) run.logMetric('loss', i, { step: i });
    // Fewer than 100,000 waiting: nothing more is written until the run saves.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await eventKeys(store)).toHaveLength(2);
    await run.end();
    const keysAtEnd = await eventKeys(store);
    expect(keysAtEnd).toEqual([
      'events/metric/loss.plx',
      'events/metric/loss.plx.000001',
      'events/metric/loss.plx.000002',
    ]);
    const lines = (await readEvents(store, run.id, 'metric/loss.plx')).split('\n');
    expect(lines).toHaveLength(250_001);
    let ok = 0;
    for (let i = 1; i < lines.length; i++) {
      const [step, , value] = (lines[i] as string).split('|');
      if (Number(step) === i - 1 && Number(value) === i - 1) ok++;
    }
    expect(ok).toBe(250_000);
  });
});
