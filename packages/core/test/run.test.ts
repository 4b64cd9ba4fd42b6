import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resumeRun, startRun, withRun } from '../src/run/start-run.js';
import { memoryStore, readEvents, tempDir } from './helpers.js';

function project() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  return { cwd, store: memoryStore() };
}

describe('runs', () => {
  it('have time-sortable unique ids and record params, step metrics and the summary', async () => {
    const { cwd, store } = project();
    const run = await startRun({
      cwd,
      store,
      name: 'train',
      params: { lr: 0.1 },
      tags: { team: 'vision' },
    });
    const other = await startRun({ cwd, store });
    expect(run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(other.id > run.id).toBe(true);
    expect((await store.readRun(run.id)).status).toBe('running');
    run.logParam('epochs', 2);
    run.logMetric('loss', 1.0);
    await run.nextStep();
    run.logMetric('loss', 0.5);
    run.logMetric('acc', 0.9, { step: 7 });
    run.summary.extra = 'x';
    await run.end();
    const record = await store.readRun(run.id);
    expect(record).toMatchObject({
      id: run.id,
      name: 'train',
      status: 'completed',
      params: { lr: 0.1, epochs: 2 },
      summary: { loss: 0.5, acc: 0.9, extra: 'x', step: 1 },
      tags: { team: 'vision' },
    });
    expect(Date.parse(record.endTime ?? '')).toBeGreaterThanOrEqual(Date.parse(record.startTime));
    const loss = await readEvents(store, run.id, 'metric/loss.plx');
    expect(loss).toMatch(/^step\|timestamp\|metric\n0\|[^|]+\|1\n1\|[^|]+\|0\.5$/);
    expect(() => run.logMetric('late', 1)).toThrow(expect.objectContaining({ code: 'RUN_ENDED' }));
    await other.end();
  });

  it('`await using` ends the run when the block throws', async () => {
    const { cwd, store } = project();
    let id = '';
    await expect(
      (async () => {
        await using run = await startRun({ cwd, store });
        id = run.id;
        throw new Error('boom');
      })(),
    ).rejects.toThrow('boom');
    expect((await store.readRun(id)).status).toBe('completed');
  });

  it('withRun records failed when the body throws', async () => {
    const { cwd, store } = project();
    let id = '';
    await expect(
      withRun({ cwd, store }, async (run) => {
        id = run.id;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.readRun(id)).status).toBe('failed');
  });

  it('end() waits for log calls that were not awaited', async () => {
    const { cwd, store } = project();
    writeFileSync(join(cwd, 'a.bin'), 'a');
    writeFileSync(join(cwd, 'b.bin'), 'b');
    const run = await startRun({ cwd, store });
    void run.logArtifact('a.bin');
    void run.logArtifact('b.bin');
    await run.end();
    expect(Object.keys(await store.readArtifacts(run.id)).sort()).toEqual([
      'outputs/a.bin',
      'outputs/b.bin',
    ]);
  });

  it('resumeRun continues a run, keeping its artifacts and events', async () => {
    const { cwd, store } = project();
    writeFileSync(join(cwd, 'a.bin'), 'a');
    writeFileSync(join(cwd, 'b.bin'), 'b');
    const run = await startRun({ cwd, store });
    await run.logArtifact('a.bin', { step: 0 });
    await run.end();
    const again = await resumeRun(run.id.slice(0, 12), { cwd, store });
    await again.logArtifact('b.bin', { name: 'a', step: 1 });
    await again.end();
    expect(Object.keys(await store.readArtifacts(run.id)).sort()).toEqual([
      'assets/file/a_0.bin',
      'assets/file/a_1.bin',
    ]);
    const events = await readEvents(store, run.id, 'file/a.plx');
    expect(events.split('\n')).toHaveLength(3);
    expect((await store.readRun(run.id)).status).toBe('completed');
  });
});

describe('lineage', () => {
  it('logArtifactRef records references without storing anything; local paths get their md5', async () => {
    const { cwd, store } = project();
    writeFileSync(join(cwd, 'ref.csv'), 'foo');
    const run = await startRun({ cwd, store });
    const local = await run.logArtifactRef('ref.csv', { kind: 'csv', summary: { rows: 1 } });
    const remote = await run.logArtifactRef('s3://bucket/models/m.pt', {
      kind: 'model',
      summary: { framework: 'torch' },
    });
    const input = await run.logArtifactRef('gs://b/raw/data.parquet', {
      name: 'raw',
      isInput: true,
    });
    expect(local).toMatchObject({
      name: 'ref',
      kind: 'csv',
      path: 'ref.csv',
      isRef: true,
      isInput: false,
      summary: { rows: 1, md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3 },
    });
    expect(remote).toMatchObject({
      name: 'm',
      kind: 'model',
      path: 's3://bucket/models/m.pt',
      summary: { framework: 'torch' },
    });
    expect(input).toMatchObject({ name: 'raw', isInput: true });
    expect(await store.objects.has('acbd18db4cc2f85cedef654fccc4a4d8')).toBe(false);
    await run.end();
    expect(await store.readLineage(run.id)).toHaveLength(3);
    expect(Object.keys(await store.readArtifacts(run.id))).toEqual([]);
  });

  it('useArtifact resolves by name (newest), run path, URI and md5, checks content out and records the input', async () => {
    const { cwd, store } = project();
    mkdirSync(join(cwd, 'ds/sub'), { recursive: true });
    writeFileSync(join(cwd, 'ds/sub/x.txt'), 'x');
    writeFileSync(join(cwd, 'm.pt'), 'v1');
    const producer = await startRun({ cwd, store });
    await producer.logArtifact('ds', { type: 'dataset' });
    await producer.logArtifact('m.pt', { name: 'model' });
    await producer.end();
    writeFileSync(join(cwd, 'm.pt'), 'v2');
    const second = await startRun({ cwd, store });
    const v2 = await second.logArtifact('m.pt', { name: 'model' });
    await second.end();

    const consumer = await startRun({ cwd, store });
    const byName = await consumer.useArtifact('model', { to: 'in/model.pt' });
    expect(readFileSync(join(cwd, 'in/model.pt'), 'utf8')).toBe('v2');
    expect(byName).toMatchObject({ md5: v2.md5, runId: second.id, files: 1 });
    await consumer.useArtifact(`runs:/${producer.id}/outputs/m.pt`, { to: 'in/old.pt' });
    expect(readFileSync(join(cwd, 'in/old.pt'), 'utf8')).toBe('v1');
    await consumer.useArtifact(`${producer.id}/outputs/ds`, { to: 'in/ds' });
    expect(readFileSync(join(cwd, 'in/ds/sub/x.txt'), 'utf8')).toBe('x');
    await consumer.useArtifact(`model@${producer.id}`, { to: 'in/pinned.pt' });
    expect(readFileSync(join(cwd, 'in/pinned.pt'), 'utf8')).toBe('v1');
    await consumer.useArtifact(v2.md5, { to: 'in/by-md5.pt' });
    expect(readFileSync(join(cwd, 'in/by-md5.pt'), 'utf8')).toBe('v2');
    await expect(consumer.useArtifact('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await consumer.end();
    const inputs = (await store.readLineage(consumer.id)).filter((r) => r.isInput);
    expect(inputs.map((r) => r.path)).toEqual([
      `runs:/${second.id}/outputs/m.pt`,
      `runs:/${producer.id}/outputs/m.pt`,
      `runs:/${producer.id}/outputs/ds`,
      `runs:/${producer.id}/outputs/m.pt`,
      `md5:${v2.md5}`,
    ]);
  });
});
