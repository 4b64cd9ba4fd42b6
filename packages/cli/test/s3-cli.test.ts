import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Backend } from '@trove/backend-s3';
import { tempDir } from '@trove/test-utils';
import { createBucket, MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trove, troveAsync, troveJson } from './helpers.js';

/** The foundation issue's CLI flow, with trove.yaml pointing at an S3 bucket (moto on loopback). */
let moto: MotoServer;
let bucket: string;
let cwd: string;
const env = MOTO_ENV;

beforeAll(async () => {
  moto = await startMoto();
  bucket = await createBucket(moto.url, 'cli');
  cwd = tempDir('trove-cli-s3-');
  expect(trove(['init'], { cwd, env }).code).toBe(0);
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}", forcePathStyle: true, prefix: trove }\n`,
  );
});

afterAll(async () => {
  await moto?.stop();
});

describe('trove CLI on an S3 store', () => {
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
      {
        cwd,
        env,
      },
    );
    expect(data.artifact).toMatchObject({ md5: '93c05f516d12266421a528e946068785.dir', nfiles: 2 });

    const runs = troveJson<Array<{ id: string; status: string }>>(['runs', 'ls'], { cwd, env });
    expect(runs.map((r) => r.id).sort()).toEqual([model.run, data.run].sort());
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
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
    expect(verified.objects).toBeGreaterThanOrEqual(4); // the file, the two directory files, the .dir manifest

    // Everything is in the bucket under the prefix, in DVC's layout; nothing went to .trove/.
    const backend = new S3Backend({
      bucket,
      endpoint: moto.url,
      clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
    const keys: string[] = [];
    for await (const entry of backend.list('')) keys.push(entry.key);
    await backend.close();
    expect(keys).toContain('trove/files/md5/63/f4f1e9b725370f459720575cd5f953');
    expect(keys).toContain('trove/files/md5/93/c05f516d12266421a528e946068785.dir');
    expect(keys).toContain(`trove/runs/${model.run}/run.json`);
    expect(keys.every((k) => k.startsWith('trove/'))).toBe(true);
  });

  it('a missing bucket is a clear error with a non-zero exit code', () => {
    const other = tempDir('trove-cli-s3-missing-');
    writeFileSync(
      join(other, 'trove.yaml'),
      `store: team\nstores:\n  team: { type: s3, bucket: no-such-bucket, endpoint: "${moto.url}" }\n`,
    );
    writeFileSync(join(other, 'f.txt'), 'f');
    const r = trove(['add', 'f.txt'], { cwd: other, env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no-such-bucket');
  });

  it('4 processes adding to one run at once (moto): every entry and lineage row is kept', async () => {
    writeFileSync(join(cwd, 'seed.txt'), 'seed');
    const { run } = troveJson<{ run: string }>(['add', 'seed.txt'], { cwd, env });
    for (let w = 0; w < 4; w++) writeFileSync(join(cwd, `w${w}.txt`), `writer ${w}`);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, w) => troveAsync(['add', `w${w}.txt`, '--run', run], cwd, env)),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const shown = troveJson<{ artifacts: Array<{ path: string }>; lineage: unknown[] }>(
      ['runs', 'show', run],
      { cwd, env },
    );
    expect(shown.artifacts.map((a) => a.path).sort()).toEqual([
      'outputs/seed.txt',
      'outputs/w0.txt',
      'outputs/w1.txt',
      'outputs/w2.txt',
      'outputs/w3.txt',
    ]);
    expect(shown.lineage).toHaveLength(5);
  });
});
