/**
 * Trove on a network that breaks: a backend whose every request goes through a fault proxy
 * (`@trove/test-utils/fault-proxy` in trove's own tests) that resets some connections while the
 * request is sent (the server never acts) and some after the server answered (it acted, the
 * client never learns it). Shared records must still change exactly once, every call must
 * resolve with the right answer or fail only when nothing was written, and what is read back
 * must be the bytes stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelVersion, openRegistry, Store, startRun } from '@trove/core';
import type { StorageBackend } from '@trove/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Fault rates per request (0…1) and the requests they apply to, as the fault proxy takes them. */
export type FaultRates = Partial<
  Record<'status503' | 'resetMidRequest' | 'resetMidAnswer' | 'delay' | 'delayMs', number>
> & { match?: (request: { method: string; url: string }) => boolean };

/** The proxy's controls the scenarios use. */
export interface FaultControl {
  setFaults(rates: FaultRates): void;
  counts(): { resetMidRequest: number; resetMidAnswer: number; requests: number };
}

export interface FaultTarget {
  /** A backend whose requests all go through the proxy. */
  backend: StorageBackend;
  faults: FaultControl;
  teardown?(): Promise<void>;
}

export interface FaultScenarioOptions {
  setup(): Promise<FaultTarget>;
  /** Registrations in the registry case (default 100). */
  registrations?: number;
  /** Share of requests reset, half mid-request and half mid-answer (default 0.1). */
  rate?: number;
  /**
   * The requests that change an object whose key contains `part` (default: a method other than
   * GET or HEAD whose URL, decoded, contains it). A service that sends the key in the body says
   * how else to tell them.
   */
  writesOf?: (part: string) => NonNullable<FaultRates['match']>;
}

/**
 * The fault scenarios on one backend. `name` says which emulator, and what it lacks.
 *
 * @example
 * describeUnderFaults('s3 (moto)', { async setup() { … return { backend, faults: proxy }; } });
 */
export function describeUnderFaults(name: string, options: FaultScenarioOptions): void {
  const count = options.registrations ?? 100;
  const rate = options.rate ?? 0.1;
  const resets = { resetMidRequest: rate / 2, resetMidAnswer: rate / 2 };
  const percent = Math.round(rate * 100);
  const writesOf = options.writesOf ?? writesInUrl;

  describe(`${name} through a fault proxy`, () => {
    let target: FaultTarget;
    const dirs: string[] = [];
    beforeAll(async () => {
      target = await options.setup();
    });
    afterAll(async () => {
      target.faults.setFaults({});
      await target.teardown?.();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const freshStore = () =>
      new Store({ name: 'faults', meta: target.backend, metaPrefix: `faults-${randomUUID()}` });

    it(`${count} registrations with ${percent}% of requests reset (mid-request and mid-answer) give versions 1…${count}, each answer right`, async () => {
      const registry = openRegistry(freshStore());
      const before = target.faults.counts();
      target.faults.setFaults(resets);
      const answers: ModelVersion[] = [];
      try {
        for (let seq = 0; seq < count; seq++) {
          answers.push(
            await registry.createVersion(
              'flaky',
              { source: `runs:/r/model-${seq}`, md5: md5Like(seq), isdir: false },
              { tags: { seq: String(seq) } },
            ),
          );
        }
      } finally {
        target.faults.setFaults({});
      }
      expect(answers.map((v) => v.version)).toEqual(range(count));
      expect(answers.map((v) => v.tags.seq)).toEqual(range(count).map((n) => String(n - 1)));
      const model = await registry.getModel('flaky');
      expect(model).toMatchObject({ versionCount: count, latestVersion: count });
      const stored = (await registry.searchVersions({ name: 'flaky' })).reverse();
      expect(stored.map((v) => v.version)).toEqual(range(count));
      expect(stored.map((v) => v.source)).toEqual(
        range(count).map((n) => `runs:/r/model-${n - 1}`),
      );
      expectBothResets(before, target.faults.counts());
    });

    it(`alias moves, alias deletes and tags with ${percent}% of requests reset are applied once and answer right`, async () => {
      const registry = openRegistry(freshStore());
      for (let seq = 0; seq < 3; seq++) {
        await registry.createVersion('aliased', {
          source: `runs:/r/m${seq}`,
          md5: md5Like(seq),
          isdir: false,
        });
      }
      const before = target.faults.counts();
      target.faults.setFaults(resets);
      try {
        for (let round = 0; round < 20; round++) {
          const version = (round % 3) + 1;
          await registry.setAlias('aliased', 'champion', version);
          for (const extra of ['a', 'b', 'c']) {
            await registry.setAlias('aliased', `${extra}-${round}`, version);
            // A delete applied twice would find nothing to delete (NOT_FOUND).
            await registry.deleteAlias('aliased', `${extra}-${round}`);
          }
          await registry.setModelTag('aliased', 'round', String(round));
          expect((await registry.getVersionByAlias('aliased', 'champion')).version).toBe(version);
        }
      } finally {
        target.faults.setFaults({});
      }
      const model = await registry.getModel('aliased');
      expect(model.aliases).toEqual({ champion: (19 % 3) + 1 });
      expect(model.tags).toEqual({ round: '19' });
      expect(model.versionCount).toBe(3);
      expectBothResets(before, target.faults.counts());
    });

    it('a registration whose every write answer is cut after the store acted resolves with its version', async () => {
      const registry = openRegistry(freshStore());
      const before = target.faults.counts();
      target.faults.setFaults({ resetMidAnswer: 1, match: writesOf('registry/') });
      const answers: number[] = [];
      try {
        for (let seq = 0; seq < 3; seq++) {
          const v = await registry.createVersion('cut', {
            source: `runs:/r/c${seq}`,
            md5: md5Like(seq),
            isdir: false,
          });
          answers.push(v.version);
        }
        await registry.setAlias('cut', 'best', 2);
        await registry.deleteAlias('cut', 'best');
      } finally {
        target.faults.setFaults({});
      }
      expect(answers).toEqual([1, 2, 3]);
      const model = await registry.getModel('cut');
      expect(model).toMatchObject({ versionCount: 3, latestVersion: 3, aliases: {} });
      expect(target.faults.counts().resetMidAnswer - before.resetMidAnswer).toBeGreaterThan(4);
    });

    it(`a run saved 40 times with ${percent}% of requests reset, then with every run.json answer cut after the store acted, keeps every param and ends completed`, async () => {
      const store = freshStore();
      const cwd = mkdtempSync(join(tmpdir(), 'trove-faults-'));
      dirs.push(cwd);
      const before = target.faults.counts();
      target.faults.setFaults(resets);
      const run = await startRun({ store, cwd, name: 'flaky-run' });
      try {
        for (let i = 0; i < 40; i++) {
          run.logParam(`p${i}`, i);
          run.setTags({ last: String(i) });
          await run.flush();
        }
        target.faults.setFaults({ resetMidAnswer: 1, match: writesOf('run.json') });
        run.logParam('lr', 0.1);
        await run.flush();
        await run.end();
      } finally {
        target.faults.setFaults({});
      }
      const record = await store.readRun(run.id);
      expect(record.status).toBe('completed');
      expect(record.params).toEqual({
        ...Object.fromEntries(range(40).map((n) => [`p${n - 1}`, n - 1])),
        lr: 0.1,
      });
      expect(record.tags).toMatchObject({ last: '39' });
      expectBothResets(before, target.faults.counts());
    });
  });
}

/** Requests that change an object whose key contains `part` (the key may be URL-encoded). */
function writesInUrl(part: string): NonNullable<FaultRates['match']> {
  return ({ method, url }) =>
    method !== 'GET' && method !== 'HEAD' && safeDecode(url).includes(part);
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** A 32-hex-digit string unique per `seq` (the registry takes the md5 as given). */
function md5Like(seq: number): string {
  return `${seq.toString(16).padStart(8, '0')}${randomBytes(12).toString('hex')}`;
}

/** The proxy did reset requests of both kinds during the case (else it proved nothing). */
function expectBothResets(
  before: ReturnType<FaultControl['counts']>,
  after: ReturnType<FaultControl['counts']>,
): void {
  expect(after.resetMidRequest - before.resetMidRequest).toBeGreaterThan(0);
  expect(after.resetMidAnswer - before.resetMidAnswer).toBeGreaterThan(0);
}
