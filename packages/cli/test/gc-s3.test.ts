import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, spawnTrove } from './audit.js';
import { trove, troveJson } from './helpers.js';
import { s3Project } from './s3-project.js';

const MIB = 1024 * 1024;
let moto: MotoServer;
const env = MOTO_ENV;

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto?.stop();
});

/** `size` bytes that differ from run to run (so each test's file is new to the store). */
function randomFile(path: string, size: number): string {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) bytes.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  writeFileSync(path, bytes);
  return createHash('md5').update(bytes).digest('hex');
}

describe('trove gc on S3', () => {
  it('removes orphans and staging leftovers, aborts a stale multipart upload; verify stays clean', async () => {
    const { bucket, cwd, backend, view } = await s3Project(moto.url, 'gc');
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    const added = troveJson<{ artifact: { md5: string } }>(['add', 'model.pt'], { cwd, env });
    const orphan = createHash('md5').update('orphan').digest('hex');
    const orphanKey = `trove/files/md5/${orphan.slice(0, 2)}/${orphan.slice(2)}`;
    await backend.write(orphanKey, 'orphan');
    await backend.write('trove/files/staging/0c8d-crashed', 'half');
    // A multipart upload a killed process left under the store's prefix, and one of another tool.
    await startUpload(bucket, 'trove/files/md5/aa/killed');
    await startUpload(bucket, 'elsewhere/their-upload');
    expect(await view.uploads()).toHaveLength(2);

    const fresh = troveJson<{ removed: unknown[] }>(['gc', '--dry-run'], { cwd, env });
    expect(fresh.removed).toEqual([]);
    const dry = troveJson<{
      removed: Array<{ key: string; kind: string }>;
      leftovers: { items: number; details: string[] };
    }>(['gc', '--dry-run', '--grace', '0'], { cwd, env });
    expect(dry.removed.map((r) => [r.kind, r.key])).toEqual([
      ['object', orphanKey],
      ['staging', 'trove/files/staging/0c8d-crashed'],
    ]);
    expect(dry.leftovers.items).toBe(1);
    expect(dry.leftovers.details[0]).toContain('trove/files/md5/aa/killed');
    expect(await view.uploads()).toHaveLength(2);

    expect(trove(['gc', '--grace', '0'], { cwd, env }).code).toBe(0);
    expect(await view.uploads()).toEqual([expect.stringMatching(/^elsewhere\/their-upload:/)]);
    const after = await audit(cwd, env, view);
    expect(after).toMatchObject({ corrupt: 0, tornRecords: 0, danglingPointers: 0 });
    expect(after.leftovers).toEqual([expect.stringMatching(/^upload elsewhere\//)]);
    expect(
      await backend.exists(
        `trove/files/md5/${added.artifact.md5.slice(0, 2)}/${added.artifact.md5.slice(2)}`,
      ),
    ).toBe(true);
    await backend.close();
    view.close();
  });
});

describe('owned upload journals', () => {
  it('4 processes adding the same new large file at once all succeed: one object, md5-correct, no upload left', async () => {
    const { cwd, resumeDir, backend, view } = await s3Project(moto.url, 'same-file');
    const md5 = randomFile(join(cwd, 'big.bin'), 12 * MIB);
    const runs = Array.from({ length: 4 }, () =>
      spawnTrove(['add', 'big.bin', '--json'], { cwd, env }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const keys = [...(await view.keys()).keys()].filter((k) => k.startsWith('files/'));
    expect(keys).toEqual([`files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`]);
    const { body } = await backend.read(`trove/${keys[0]}`);
    const hash = createHash('md5');
    for await (const chunk of body) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(md5);
    expect(await view.uploads()).toEqual([]);
    expect(readdirSync(resumeDir)).toEqual([]);
    await backend.close();
    view.close();
  });
});

/** CreateMultipartUpload straight from moto (path-style, unsigned). */
async function startUpload(bucket: string, key: string): Promise<void> {
  const r = await fetch(`${moto.url}/${bucket}/${key}?uploads`, { method: 'POST' });
  if (!r.ok) throw new Error(`CreateMultipartUpload ${key}: HTTP ${r.status} ${await r.text()}`);
}
