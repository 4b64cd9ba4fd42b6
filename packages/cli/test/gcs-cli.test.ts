import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GcsBackend } from '@trove/backend-gcs';
import { tempDir } from '@trove/test-utils';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

/**
 * The foundation issue's CLI flow, with trove.yaml pointing at a GCS bucket (fake-gcs-server on
 * loopback).
 */

let fake: FakeGcs;
let cwd: string;
let bucket: string;
// STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK: the CLI never gets it.
const env = { STORAGE_EMULATOR_HOST: '' };

beforeAll(async () => {
  fake = await startFakeGcs();
  bucket = await createGcsBucket(fake.url, 'cli-gcs');
  cwd = tempDir('trove-cli-gcs-');
  expect(trove(['init'], { cwd, env }).code).toBe(0);
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: team\nstores:\n  team: { type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: test, prefix: trove }\n`,
  );
});

afterAll(async () => {
  await fake?.stop();
});

describe('trove CLI on a GCS store', () => {
  it('init, add a file and a directory, runs ls, ls, get, lineage and verify', async () => {
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    writeFileSync(join(cwd, 'data/a.txt'), 'a');
    writeFileSync(join(cwd, 'data/sub/b.txt'), 'bb');

    const model = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      ['add', 'model.pt', '--type', 'model', '--name', 'mymodel'],
      { cwd, env },
    );
    expect(model.artifact).toMatchObject({ md5: '63f4f1e9b725370f459720575cd5f953', size: 7 });
    const data = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      ['add', 'data', '--type', 'dataset'],
      { cwd, env },
    );
    expect(data.artifact).toMatchObject({ md5: '93c05f516d12266421a528e946068785.dir', nfiles: 2 });

    const runs = troveJson<Array<{ id: string; status: string }>>(['runs', 'ls'], { cwd, env });
    expect(runs.map((r) => r.id).sort()).toEqual([model.run, data.run].sort());
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const shown = troveJson<{ run: { id: string }; artifacts: unknown[] }>(
      ['runs', 'show', model.run.slice(0, 10)],
      { cwd, env },
    );
    expect(shown.run.id).toBe(model.run);
    expect(shown.artifacts).toHaveLength(1);
    const listed = troveJson<Array<{ run: string; path: string }>>(['ls'], { cwd, env });
    expect(listed.map((a) => a.path).sort()).toEqual(['outputs/data', 'outputs/model.pt']);

    expect(trove(['get', 'mymodel', '-o', join(cwd, 'got/model.pt')], { cwd, env }).code).toBe(0);
    expect(readFileSync(join(cwd, 'got/model.pt'), 'utf8')).toBe('weights');
    expect(
      trove(['get', `runs:/${data.run}/outputs/data`, '-o', join(cwd, 'got/data')], { cwd, env })
        .code,
    ).toBe(0);
    expect(readFileSync(join(cwd, 'got/data/a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(cwd, 'got/data/sub/b.txt'), 'utf8')).toBe('bb');

    const lineage = troveJson<Array<{ run: string; isInput: boolean }>>(['lineage', 'mymodel'], {
      cwd,
      env,
    });
    expect(lineage).toEqual([expect.objectContaining({ run: model.run, isInput: false })]);
    const verified = troveJson<{ objects: number; problems: unknown[] }>(['verify'], { cwd, env });
    expect(verified.problems).toEqual([]);
    expect(verified.objects).toBeGreaterThanOrEqual(4);

    // Everything is in the bucket under the prefix, in DVC's layout.
    const backend = new GcsBackend({ bucket, apiEndpoint: fake.url, projectId: 'test' });
    const keys: string[] = [];
    for await (const entry of backend.list('')) keys.push(entry.key);
    expect(keys).toContain('trove/files/md5/63/f4f1e9b725370f459720575cd5f953');
    expect(keys).toContain('trove/files/md5/93/c05f516d12266421a528e946068785.dir');
    expect(keys).toContain(`trove/runs/${model.run}/run.json`);
    expect(keys.every((k) => k.startsWith('trove/'))).toBe(true);
  });

  it('a missing bucket is a clear error with a non-zero exit code', () => {
    const other = tempDir('trove-cli-gcs-missing-');
    writeFileSync(
      join(other, 'trove.yaml'),
      `store: team\nstores:\n  team: { type: gcs, bucket: no-such-bucket, apiEndpoint: "${fake.url}", projectId: test }\n`,
    );
    writeFileSync(join(other, 'f.txt'), 'f');
    const r = trove(['add', 'f.txt'], { cwd: other, env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no-such-bucket');
  });
});
