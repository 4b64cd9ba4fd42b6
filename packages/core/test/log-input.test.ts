import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, rejectionCode, tempDir } from './helpers.js';

function project() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  return { cwd, store: memoryStore() };
}

describe('run.logInput: datasets as inputs', () => {
  it('records a local file with its md5; useArtifact of it refuses CHANGED once the file changed', async () => {
    const { cwd, store } = project();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data/train.csv'), 'a,b\n1,2\n');
    const producer = await startRun({ cwd, store, name: 'producer', dvcyaml: false });
    const row = await producer.logInput('data/train.csv', {
      name: 'train',
      context: 'training',
      profile: { rows: 1 },
    });
    expect(row).toMatchObject({
      name: 'train',
      kind: 'dataset',
      path: 'data/train.csv',
      isInput: true,
      isRef: true,
      summary: {
        md5: createHash('md5').update('a,b\n1,2\n').digest('hex'),
        size: 8,
        context: 'training',
        profile: { rows: 1 },
      },
    });
    await producer.end();

    const same = await startRun({ cwd, store, dvcyaml: false });
    const used = await same.useArtifact('train');
    expect(used).toMatchObject({ files: 0, path: 'data/train.csv', md5: row.summary.md5 });
    expect(used.reference).toMatchObject({ changed: false, runId: producer.id });
    await same.end();

    writeFileSync(join(cwd, 'data/train.csv'), 'a,b\n1,2\n3,4\n');
    const later = await startRun({ cwd, store, dvcyaml: false });
    expect(await rejectionCode(later.useArtifact('train'))).toBe('CHANGED');
    expect(await rejectionCode(later.useArtifact('data/train.csv'))).toBe('CHANGED');
    const allowed = await later.useArtifact('train', { allowChanged: true });
    expect(allowed.reference).toMatchObject({
      changed: true,
      recorded: `md5:${row.summary.md5}`,
    });
    expect(allowed.reference?.current).not.toBe(`md5:${row.summary.md5}`);
    await later.end();
    expect(await store.readLineage(later.id)).toHaveLength(1);
  });

  it('refuses bad input and a missing path before anything is recorded', async () => {
    const { cwd, store } = project();
    writeFileSync(join(cwd, 'x.csv'), 'x');
    const run = await startRun({ cwd, store, dvcyaml: false });
    expect(await rejectionCode(run.logInput(''))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(run.logInput('x.csv', { name: 'no spaces' }))).toBe('INVALID_NAME');
    expect(await rejectionCode(run.logInput('x.csv', { context: '' }))).toBe('INVALID_ARGUMENT');
    expect(
      await rejectionCode(
        run.logInput('x.csv', { schema: ['a'] as unknown as Record<string, unknown> }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(run.logInput('missing.csv'))).toBe('NOT_FOUND');
    // A URI of a service the project has no store of: recorded, with no digest to check.
    const row = await run.logInput('https://example.invalid/data.csv', { name: 'remote' });
    expect(row.summary).toEqual({});
    await run.end();
    expect((await store.readLineage(run.id)).map((r) => r.name)).toEqual(['remote']);
  });
});
