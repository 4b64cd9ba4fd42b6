import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { audit, localView } from './audit.js';
import { trove, troveJson } from './helpers.js';

let cwd: string;
beforeEach(() => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
});

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Puts a file into the store folder by hand, as a crashed process would have left it. */
function plant(key: string, text: string, ageMs = 0): string {
  const path = join(cwd, '.trove', key);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

interface GcJson {
  dryRun: boolean;
  removed: Array<{ key: string; size: number; kind: string }>;
  leftovers: { items: number; bytes: number; details: string[] };
  bytes: number;
  kept: number;
}

describe('trove gc', () => {
  it('--dry-run lists orphans, staging and temp leftovers with their bytes; gc removes them; verify stays clean', async () => {
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data/a.txt'), 'a');
    troveJson(['add', 'model.pt'], { cwd });
    troveJson(['add', 'data'], { cwd });
    const orphan = md5('orphan');
    const hour = 60 * 60 * 1000;
    plant(`files/md5/${orphan.slice(0, 2)}/${orphan.slice(2)}`, 'orphan', 25 * hour);
    plant('files/staging/9b1c2d3e-0000', 'half of a copy', 25 * hour);
    plant(`files/md5/${orphan.slice(0, 2)}/.trove-tmp-0123456789abcdef`, 'half', 25 * hour);
    plant('files/md5/ab/.trove-tmp-lock-cdef', '123@host\n', 25 * hour);
    // A fresh orphan: within the default grace period of a day.
    const young = md5('young');
    plant(`files/md5/${young.slice(0, 2)}/${young.slice(2)}`, 'young');

    const before = await localView(join(cwd, '.trove')).keys();
    const dry = troveJson<GcJson>(['gc', '--dry-run'], { cwd });
    expect(dry.dryRun).toBe(true);
    expect(dry.removed).toEqual([
      { key: `files/md5/${orphan.slice(0, 2)}/${orphan.slice(2)}`, size: 6, kind: 'object' },
      { key: 'files/staging/9b1c2d3e-0000', size: 14, kind: 'staging' },
    ]);
    expect(dry.leftovers.items).toBe(2);
    expect(dry.bytes).toBe(6 + 14 + 4 + 9);
    expect(await localView(join(cwd, '.trove')).keys()).toEqual(before);

    const text = trove(['gc', '--dry-run'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('would remove object');
    expect(text.stdout).toContain('would remove 4 items');

    const done = troveJson<GcJson>(['gc'], { cwd });
    expect(done.removed).toEqual(dry.removed);
    const after = await audit(cwd, {}, localView(join(cwd, '.trove')));
    expect(after).toMatchObject({ corrupt: 0, tornRecords: 0, danglingPointers: 0 });
    expect(after.leftovers).toEqual([`files/md5/${young.slice(0, 2)}/${young.slice(2)}`]);

    const all = troveJson<GcJson>(['gc', '--grace', '0'], { cwd });
    expect(all.removed.map((r) => r.key)).toEqual([
      `files/md5/${young.slice(0, 2)}/${young.slice(2)}`,
    ]);
    expect(await audit(cwd, {}, localView(join(cwd, '.trove')))).toMatchObject({
      corrupt: 0,
      leftovers: [],
      leftoverBytes: 0,
    });
  });

  it('a bad --grace is one error line with exit code 4, before anything is removed', () => {
    for (const grace of ['abc', '5', '-1h', '1y']) {
      const r = trove(['gc', '--grace', grace], { cwd });
      expect(r.code, grace).toBe(4);
      expect(r.stderr).toMatch(/^trove: error \[INVALID_ARGUMENT\]/);
    }
  });

  it("--policy records what it expired in the run's records, and `runs show` shows them (text and --json)", () => {
    appendFileSync(
      join(cwd, 'trove.yaml'),
      'retention:\n  - match: { type: checkpoint }\n    keep: { last: 1 }\n',
    );
    const add = (text: string) => {
      writeFileSync(join(cwd, 'ckpt.pt'), text);
      return troveJson<{ run: string }>(
        ['add', 'ckpt.pt', '--type', 'checkpoint', '--name', 'ckpt'],
        { cwd },
      ).run;
    };
    const old = add('first');
    const kept = add('second');
    interface Shown {
      run: { id: string };
      expired: Array<{ gc: string; at: string; artifacts: unknown[] }>;
    }
    expect(troveJson<Shown>(['runs', 'show', old], { cwd }).expired).toEqual([]);

    const gc = troveJson<{ expired: Array<{ runId: string }> }>(
      ['gc', '--policy', '--grace', '0'],
      { cwd },
    );
    expect(gc.expired.map((a) => a.runId)).toEqual([old]);
    const shown = troveJson<Shown>(['runs', 'show', old], { cwd });
    expect(shown.run.id).toBe(old);
    expect(shown.expired).toEqual([
      {
        format: 1,
        gc: expect.stringMatching(/^[0-9a-f-]{36}$/),
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        artifacts: [
          {
            path: 'outputs/ckpt.pt',
            name: 'ckpt',
            md5: md5('first'),
            size: 5,
            reason: 'policy type=checkpoint keep 1',
          },
        ],
      },
    ]);
    expect(troveJson<Shown>(['runs', 'show', kept], { cwd }).expired).toEqual([]);

    const text = trove(['runs', 'show', old], { cwd });
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.at(-2)?.split(/\s+/)).toEqual([
      'EXPIRED',
      'PATH',
      'NAME',
      'SIZE',
      'MD5',
      'REASON',
    ]);
    expect(lines.at(-1)?.split(/\s{2,}/)).toEqual([
      shown.expired[0]?.at,
      'outputs/ckpt.pt',
      'ckpt',
      '5 B',
      md5('first'),
      'policy type=checkpoint keep 1',
    ]);
    expect(trove(['runs', 'show', kept], { cwd }).stdout).not.toContain('EXPIRED');
  });
});
