import { LocalBackend } from '@trove/backend-local';
import { type DeltaStorage, defineSchema, openTable, type Row } from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { describe, expect, test } from 'vitest';

const SCHEMA = defineSchema([
  { name: 'id', type: 'string', nullable: false },
  { name: 'writer', type: 'integer' },
  { name: 'seq', type: 'long' },
]);

function store(): LocalBackend {
  return new LocalBackend({ root: tempDir('trove-delta-commit-') });
}

async function keys(storage: DeltaStorage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storage.list(prefix)) out.push(e.key);
  return out;
}

function commitVersions(all: string[]): number[] {
  return all.flatMap((k) => /^_delta_log\/(\d{20})\.json$/.exec(k)?.[1] ?? []).map(Number);
}

describe('concurrent writers', () => {
  test('8 writers × 25 commits at once: 200 files and rows, versions 0–199 contiguous, none lost', async () => {
    const storage = store();
    const versions: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const table = openTable(storage, '', { schema: SCHEMA }); // each writer its own view
        for (let s = 0; s < 25; s++) {
          const result = await table.commit(() => ({
            add: [[{ id: `w${w}-s${s}`, writer: w, seq: s }]],
          }));
          expect(result.committed).toBe(true);
          versions.push(result.version);
        }
      }),
    );
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const all = await keys(storage);
    expect(commitVersions(all)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const table = openTable(storage, '', { schema: SCHEMA });
    const snap = await table.snapshot({ fresh: true });
    expect(snap.version).toBe(199);
    expect(snap.files).toHaveLength(200);
    const rows = await table.readAll(snap);
    expect(new Set(rows.map((r) => r.id)).size).toBe(200);
    // Lost attempts left no data file behind: every Parquet file at the root is in the table.
    expect(
      all.filter((k) => k.endsWith('.parquet') && !k.startsWith('_delta_log/')).sort(),
    ).toEqual(snap.files.map((f) => f.path).sort());
  });

  test('"replace the row of key K" under contention keeps exactly one row per key', async () => {
    const storage = store();
    const KEYS = ['a', 'b', 'c'];
    let commits = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const table = openTable(storage, '', { schema: SCHEMA });
        for (let s = 0; s < 10; s++) {
          const id = KEYS[(w + s) % KEYS.length] as string;
          await table.commit(async (snap) => {
            const old = [];
            for (const f of snap.files)
              if ((await table.readRows(f, snap)).some((r) => r.id === id)) old.push(f.path);
            return { add: [[{ id, writer: w, seq: s }]], remove: old };
          });
          commits++;
        }
      }),
    );
    const table = openTable(storage, '', { schema: SCHEMA });
    const snap = await table.snapshot();
    expect(snap.version).toBe(commits - 1);
    const rows = await table.readAll(snap);
    expect(rows.map((r) => r.id).sort()).toEqual(KEYS);
  });
});

/** The local store, but the first write of a commit file lands and then fails as `failure`. */
function losingFirstAnswer(inner: LocalBackend, failure: string): DeltaStorage & { lost: number } {
  const wrapper = {
    lost: 0,
    capabilities: inner.capabilities,
    read: inner.read.bind(inner),
    list: inner.list.bind(inner),
    delete: inner.delete.bind(inner),
    deleteMany: inner.deleteMany.bind(inner),
    async write(key: string, body: Uint8Array | string, options?: { ifNoneMatch?: '*' }) {
      const stat = await inner.write(key, body, options);
      if (/_delta_log\/\d{20}\.json$/.test(key) && wrapper.lost === 0) {
        wrapper.lost++;
        throw Object.assign(new Error(`answer lost (${failure})`), { code: failure });
      }
      return stat;
    },
  };
  return wrapper;
}

describe('exactly once', () => {
  for (const failure of ['UNAVAILABLE', 'PRECONDITION_FAILED']) {
    test(`a commit whose write landed but whose answer was lost (${failure}) is recognised, not applied twice`, async () => {
      const inner = store();
      const storage = losingFirstAnswer(inner, failure);
      const table = openTable(storage, '', { schema: SCHEMA });
      const result = await table.commit(() => ({ add: [[{ id: 'only', writer: 0, seq: 1 }]] }));
      expect(storage.lost).toBe(1);
      expect(result).toMatchObject({ version: 0, committed: true, attempts: 1 });
      expect(commitVersions(await keys(inner))).toEqual([0]);
      const next = await table.commit(() => ({ add: [[{ id: 'second', writer: 0, seq: 2 }]] }));
      expect(next.version).toBe(1);
      const rows = await openTable(inner, '', { schema: SCHEMA }).readAll();
      expect(rows.map((r) => r.id).sort()).toEqual(['only', 'second']);
    });
  }

  test("appTxn: committing run X's rows twice applies them once", async () => {
    const storage = store();
    const table = openTable(storage, '', { schema: SCHEMA });
    const plan = () => ({
      add: [[{ id: 'x', writer: 1, seq: 1 }]],
      appTxn: { appId: 'run-x', version: 1 },
    });
    expect(await table.commit(plan)).toMatchObject({
      committed: true,
      version: 0,
      alreadyApplied: false,
    });
    const again = await openTable(storage, '', { schema: SCHEMA }).commit(plan);
    expect(again).toMatchObject({ committed: false, alreadyApplied: true, version: 0 });
    const snap = await table.snapshot();
    expect(snap.appTxns.get('run-x')).toBe(1);
    expect((await table.readAll()).map((r) => r.id)).toEqual(['x']);
  });
});

test('a plan that fails after a lost version leaves none of its data files behind', async () => {
  const inner = store();
  const other = openTable(inner, '', { schema: SCHEMA });
  let raced = false;
  // Just before this writer's commit file, another writer takes version 0.
  const storage: DeltaStorage = {
    capabilities: inner.capabilities,
    read: inner.read.bind(inner),
    list: inner.list.bind(inner),
    delete: inner.delete.bind(inner),
    deleteMany: inner.deleteMany.bind(inner),
    write: async (key, body, options) => {
      if (key.endsWith('.json') && !raced) {
        raced = true;
        await other.append([{ id: 'theirs' }]);
      }
      return inner.write(key, body, options);
    },
  };
  let calls = 0;
  const error = await openTable(storage, '', { schema: SCHEMA })
    .commit(() => {
      if (++calls > 1) throw new Error('changed its mind');
      return { add: [[{ id: 'mine' }]] };
    })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ message: 'changed its mind' });
  expect(calls).toBe(2);
  const parquet = (await keys(inner)).filter((k) => !k.startsWith('_delta_log/'));
  expect(parquet).toEqual((await other.snapshot()).files.map((f) => f.path));
  expect(parquet).toHaveLength(1);
});

describe('bad input is refused before any write', () => {
  const cases: [string, Row][] = [
    ['a missing non-null column', { writer: 1, seq: 1 }],
    ['a string where a long goes', { id: 'a', seq: 'seven' }],
    ['a fraction where an integer goes', { id: 'a', writer: 1.5 }],
    ['a column not in the schema', { id: 'a', extra: true }],
    ['a long beyond 2^53 as a number', { id: 'a', seq: 2 ** 60 }],
  ];
  for (const [what, bad] of cases) {
    test(what, async () => {
      const storage = store();
      const table = openTable(storage, '', { schema: SCHEMA });
      const error = await table
        .commit(() => ({ add: [[{ id: 'fine', writer: 0, seq: 0 }], [bad]] }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', name: 'DeltaError' });
      expect(await keys(storage)).toEqual([]);
    });
  }

  test('a map, timestamp and array of the wrong shape', async () => {
    const storage = store();
    const schema = defineSchema([
      { name: 'm', type: 'map<string,double>' },
      { name: 't', type: 'timestamp' },
      { name: 'a', type: 'array<string>' },
    ]);
    const table = openTable(storage, '', { schema });
    for (const bad of [
      { m: { x: 'high' } },
      { m: [1] },
      { t: 'yesterday' },
      { t: new Date(Number.NaN) },
      { a: [1] },
      { a: 'x' },
    ]) {
      await expect(table.commit(() => ({ add: [[bad]] }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(await keys(storage)).toEqual([]);
  });

  test('a bad schema, a table prefix without "/", another schema on an existing table', async () => {
    expect(() => defineSchema([{ name: 'a', type: 'decimal' as 'string' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() =>
      defineSchema([
        { name: 'a', type: 'string' },
        { name: 'A', type: 'long' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const storage = store();
    expect(() => openTable(storage, 'tables/runs', { schema: SCHEMA })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    await openTable(storage, 't/', { schema: SCHEMA }).append([{ id: 'a' }]);
    const other = openTable(storage, 't/', {
      schema: defineSchema([{ name: 'id', type: 'string' }]),
    });
    await expect(other.append([{ id: 'b' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(commitVersions((await keys(storage, 't/')).map((k) => k.slice(2)))).toEqual([0]);
  });
});
