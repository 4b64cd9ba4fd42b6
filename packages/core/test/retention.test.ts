import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTroveError } from '../src/errors.js';
import { loadConfig } from '../src/project/config.js';
import type { RetentionPolicy } from '../src/project/retention-config.js';
import { readAllExpired } from '../src/record/expired.js';
import { setAlias } from '../src/refs/artifact-alias.js';
import { openRegistry } from '../src/refs/open-registry.js';
import { startRun } from '../src/run/start-run.js';
import { gcPolicy } from '../src/tables/gc-tables.js';
import { memoryStore, tempDir } from './helpers.js';

const DAY = 86_400_000;

function policiesOf(yaml: string): RetentionPolicy[] {
  const dir = tempDir();
  writeFileSync(join(dir, 'trove.yaml'), yaml);
  return loadConfig(join(dir, 'trove.yaml')).retention ?? [];
}

/**
 * Eight checkpoint versions of `ckpt`, one run each, under `keep: {last: 3}, ttl: 30d`, measured
 * 40 days later: v6–v8 are the newest three; v1 has an artifact alias, v2 is a registered model
 * version, v3 is a later run's input, v4 a registered version with a registry alias; only v5 may
 * go. `notes` has a ttl of its own (1d) and shares its bytes with `scratch`, which nothing
 * expires; `old-notes` has a ttl and its own bytes.
 */
async function store40DaysOn() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  const store = memoryStore();
  const versions: Array<{ runId: string; path: string; md5: string }> = [];
  for (let v = 1; v <= 8; v++) {
    writeFileSync(join(cwd, 'ckpt.pt'), `checkpoint ${v}`);
    const run = await startRun({ cwd, store, dvcyaml: false });
    const r = await run.logArtifact('ckpt.pt', { type: 'checkpoint', name: 'ckpt' });
    await run.end();
    versions.push({ runId: run.id, path: r.path, md5: r.md5 });
  }
  await setAlias(store, 'ckpt', 'best', 1);
  const registry = openRegistry(store);
  const uri = (i: number) => `runs:/${versions[i]?.runId}/${versions[i]?.path}`;
  await registry.registerModel(uri(1), 'clf');
  await registry.registerModel(uri(3), 'clf');
  await registry.setAlias('clf', 'champion', 2);
  const user = await startRun({ cwd, store, dvcyaml: false });
  await user.useArtifact('ckpt:v3', { to: 'used.pt' });
  writeFileSync(join(cwd, 'notes.txt'), 'shared bytes');
  writeFileSync(join(cwd, 'old.txt'), 'old notes');
  await user.logArtifact('notes.txt', { name: 'notes', ttl: '1d' });
  await user.logArtifact('notes.txt', { name: 'scratch', relPath: 'keep' });
  await user.logArtifact('old.txt', { name: 'old-notes', ttl: '1d' });
  await user.end();
  return { store, versions, userRun: user.id, now: Date.now() + 40 * DAY };
}

describe('retention: trove gc --policy', () => {
  it('expires only what no protection keeps; the dry run lists what the real run removes', async () => {
    const { store, versions, userRun, now } = await store40DaysOn();
    const policies = policiesOf(
      'retention:\n  - match: { type: checkpoint }\n    keep: { last: 3 }\n    ttl: 30d\n',
    );
    const options = { policies, now, grace: 0, cwd: false as const };
    const dry = await gcPolicy(store, { ...options, dryRun: true });
    const v5 = versions[4];
    expect(dry.expired.map((a) => [a.name, a.runId, a.reason])).toEqual(
      [
        ['ckpt', v5?.runId, 'policy type=checkpoint keep 3 ttl 30d'],
        ['notes', userRun, 'ttl 1d'],
        ['old-notes', userRun, 'ttl 1d'],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    expect(dry.protected.map((a) => [a.md5, a.by])).toEqual(
      expect.arrayContaining([
        [versions[0]?.md5, 'alias'],
        [versions[1]?.md5, 'registered'],
        [versions[2]?.md5, 'input'],
        [versions[3]?.md5, 'alias'],
      ]),
    );
    expect(dry.protected).toHaveLength(4);
    // notes shares its bytes with scratch: its object stays; old-notes's and v5's go.
    const removedDry = dry.removed
      .filter((r) => r.kind !== 'table-file')
      .map((r) => r.key.replace(/^files\/md5\/(..)\//, '$1'));
    expect(removedDry.sort()).toEqual(
      [v5?.md5, dry.expired.find((a) => a.name === 'old-notes')?.md5].sort(),
    );
    expect(await readAllExpired(store)).toEqual(new Map());

    const real = await gcPolicy(store, options);
    expect(real.expired).toEqual(dry.expired);
    expect(
      real.removed
        .filter((r) => r.kind !== 'table-file')
        .map((r) => r.key)
        .sort(),
    ).toEqual(
      dry.removed
        .filter((r) => r.kind !== 'table-file')
        .map((r) => r.key)
        .sort(),
    );
    expect(real.bytes).toBe(dry.bytes);
    // The runs' records say what was expired, when and why.
    const records = await readAllExpired(store);
    expect(records.get(v5?.runId ?? '')).toEqual([
      expect.objectContaining({
        format: 1,
        at: expect.stringMatching(/^\d{4}-/),
        artifacts: [
          expect.objectContaining({
            name: 'ckpt',
            md5: v5?.md5,
            reason: expect.stringContaining('policy'),
          }),
        ],
      }),
    ]);
    // One run's records, read from its folder alone, are the same.
    expect(await store.readExpired(v5?.runId ?? '')).toEqual(records.get(v5?.runId ?? ''));
    expect(await store.readExpired(userRun)).toEqual(records.get(userRun));
    expect(
      records
        .get(userRun)?.[0]
        ?.artifacts.map((a) => a.name)
        .sort(),
    ).toEqual(['notes', 'old-notes']);
    // Each protected version's bytes are still there; v5's are not.
    for (const i of [0, 1, 2, 3, 5, 6, 7]) {
      expect(await store.objects.has(versions[i]?.md5 ?? '')).toBe(true);
    }
    expect(await store.objects.has(v5?.md5 ?? '')).toBe(false);
    // Nothing more goes on a second run: what expired stays expired.
    const again = await gcPolicy(store, { ...options, dryRun: true });
    expect(again.expired).toEqual([]);
    expect(again.removed.filter((r) => r.kind !== 'table-file')).toEqual([]);
  });

  it('refuses a bad policy or ttl before anything is read or written', async () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return isTroveError(err) ? err.code : String(err);
      }
    };
    for (const yaml of [
      'retention: yes\n',
      'retention:\n  - match: { type: checkpoint }\n',
      'retention:\n  - keep: { last: -1 }\n',
      'retention:\n  - ttl: 30 days\n',
      'retention:\n  - match: { colour: red }\n    ttl: 1d\n',
    ]) {
      expect(
        code(() => policiesOf(yaml)),
        yaml,
      ).toBe('INVALID_CONFIG');
    }
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    writeFileSync(join(cwd, 'a.txt'), 'a');
    const run = await startRun({ cwd, store: memoryStore(), dvcyaml: false });
    await expect(run.logArtifact('a.txt', { ttl: 'forever' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await run.end();
    expect(await run.store.readArtifacts(run.id)).toEqual({});
  });
});
