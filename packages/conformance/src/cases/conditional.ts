import { isTroveError } from '@trove/core/backend';
import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { chunked, expectTroveError, md5Hex, randomBytes, readBytes } from '../helpers.js';

const RACERS = 8;

export function conditionalCases(suite: CaseSuite): void {
  suite.test('ifNoneMatch "*" creates a missing key', async ({ backend, key }) => {
    const k = key('cond/new');
    const stat = await backend.write(k, 'first', { ifNoneMatch: '*' });
    expect(stat.size).toBe(5);
    expect((await readBytes(backend, k)).toString()).toBe('first');
  });

  suite.test(
    'ifNoneMatch "*" on an existing key is PRECONDITION_FAILED, content kept',
    async ({ backend, key }) => {
      const k = key('cond/exists');
      const first = await backend.write(k, 'first');
      await expectTroveError(
        () => backend.write(k, 'second', { ifNoneMatch: '*' }),
        'PRECONDITION_FAILED',
      );
      expect((await readBytes(backend, k)).toString()).toBe('first');
      expect((await backend.stat(k)).etag).toBe(first.etag);
    },
  );

  suite.test(
    'ifNoneMatch "*" with a wrong md5 is CORRUPT; the key stays free',
    async ({ backend, key }) => {
      const k = key('cond/none-corrupt');
      await expectTroveError(
        () =>
          backend.write(k, chunked(randomBytes(70_000), 9_000), {
            ifNoneMatch: '*',
            md5: md5Hex(''),
          }),
        'CORRUPT',
      );
      expect(await backend.exists(k)).toBe(false);
      await backend.write(k, 'now it works', { ifNoneMatch: '*' });
      expect((await readBytes(backend, k)).toString()).toBe('now it works');
    },
  );

  suite.test('ifMatch with the current etag replaces the object', async ({ backend, key }) => {
    const k = key('cond/match');
    const first = await backend.write(k, 'v1');
    const second = await backend.write(k, 'v2 longer', { ifMatch: first.etag });
    expect(second.etag).not.toBe(first.etag);
    expect(second.size).toBe(9);
    expect((await readBytes(backend, k)).toString()).toBe('v2 longer');
    expect((await backend.stat(k)).etag).toBe(second.etag);
  });

  suite.test(
    'ifMatch with a stale etag is PRECONDITION_FAILED, content kept',
    async ({ backend, key }) => {
      const k = key('cond/stale');
      const first = await backend.write(k, 'v1');
      await backend.write(k, 'v2');
      await expectTroveError(
        () => backend.write(k, 'v3', { ifMatch: first.etag }),
        'PRECONDITION_FAILED',
      );
      expect((await readBytes(backend, k)).toString()).toBe('v2');
    },
  );

  suite.test(
    'ifMatch on a missing key is NOT_FOUND and creates nothing',
    async ({ backend, key }) => {
      const k = key('cond/match-missing');
      await expectTroveError(() => backend.write(k, 'x', { ifMatch: '"some-etag"' }), 'NOT_FOUND');
      expect(await backend.exists(k)).toBe(false);
    },
  );

  suite.test(
    'ifMatch with a wrong md5 is CORRUPT; the object and its etag are kept',
    async ({ backend, key }) => {
      const k = key('cond/match-corrupt');
      const first = await backend.write(k, 'keep me');
      await expectTroveError(
        () => backend.write(k, 'replace', { ifMatch: first.etag, md5: md5Hex('') }),
        'CORRUPT',
      );
      expect((await readBytes(backend, k)).toString()).toBe('keep me');
      const next = await backend.write(k, 'replaced', { ifMatch: first.etag });
      expect((await readBytes(backend, k)).toString()).toBe('replaced');
      expect(next.etag).not.toBe(first.etag);
    },
  );

  if (suite.capabilities.ifNoneMatch) {
    suite.test(
      `${RACERS} parallel ifNoneMatch writes: exactly one wins`,
      async ({ backend, key }) => {
        const k = key('cond/race-none');
        const bodies = Array.from({ length: RACERS }, (_, i) =>
          Buffer.from(`writer ${i} `.repeat(1000 + i)),
        );
        const results = await Promise.allSettled(
          bodies.map((body) => backend.write(k, chunked(body, 4096), { ifNoneMatch: '*' })),
        );
        const winners = results.flatMap((r, i) =>
          r.status === 'fulfilled' ? [{ i, stat: r.value }] : [],
        );
        const losers = results.filter((r) => r.status === 'rejected');
        expect(winners).toHaveLength(1);
        for (const loser of losers)
          expect(isTroveError(loser.reason, 'PRECONDITION_FAILED')).toBe(true);
        const winner = winners[0] as (typeof winners)[number];
        const stored = await readBytes(backend, k);
        expect(md5Hex(stored)).toBe(md5Hex(bodies[winner.i] as Buffer));
        expect((await backend.stat(k)).etag).toBe(winner.stat.etag);
      },
    );
  } else {
    suite.test(
      'ifNoneMatch is not atomic here (capability off): only the sequential check runs',
      async ({ backend, key }) => {
        await backend.write(key('cond/seq'), 'a');
        await expectTroveError(
          () => backend.write(key('cond/seq'), 'b', { ifNoneMatch: '*' }),
          'PRECONDITION_FAILED',
        );
      },
    );
  }

  if (suite.capabilities.ifMatch) {
    suite.test(
      `${RACERS} parallel ifMatch writes on one etag: exactly one wins`,
      async ({ backend, key }) => {
        const k = key('cond/race-match');
        const base = await backend.write(k, 'base');
        const results = await Promise.allSettled(
          Array.from({ length: RACERS }, (_, i) =>
            backend.write(k, `writer ${i}`, { ifMatch: base.etag }),
          ),
        );
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected')
            expect(isTroveError(r.reason, 'PRECONDITION_FAILED')).toBe(true);
        }
        expect((await readBytes(backend, k)).toString()).toBe(`writer ${winners[0]}`);
      },
    );

    suite.test(
      'read-modify-write with ifMatch retries loses no update',
      async ({ backend, key }) => {
        const k = key('cond/counter');
        await backend.write(k, '0');
        const workers = 4;
        const perWorker = 10;
        const increment = async (): Promise<void> => {
          for (;;) {
            const { stat, body } = await backend.read(k);
            const chunks: Buffer[] = [];
            for await (const chunk of body) chunks.push(Buffer.from(chunk));
            const value = Number(Buffer.concat(chunks).toString());
            try {
              await backend.write(k, String(value + 1), { ifMatch: stat.etag });
              return;
            } catch (err) {
              if (!isTroveError(err, 'PRECONDITION_FAILED')) throw err;
            }
          }
        };
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let i = 0; i < perWorker; i++) await increment();
          }),
        );
        expect((await readBytes(backend, k)).toString()).toBe(String(workers * perWorker));
      },
    );
  } else {
    suite.test(
      'ifMatch is not atomic here (capability off): only the sequential check runs',
      async ({ backend, key }) => {
        const first = await backend.write(key('cond/seq'), 'a');
        await backend.write(key('cond/seq'), 'b');
        await expectTroveError(
          () => backend.write(key('cond/seq'), 'c', { ifMatch: first.etag }),
          'PRECONDITION_FAILED',
        );
      },
    );
  }
}
